package io.vectorgate.proxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request-target (origin form) after strict normalization: the path is split into segments,
 * each percent-decoded exactly once (UTF-8); the query into decoded name/value pairs.
 *
 * <p>Anything that could route differently before and after normalization is refused, never
 * guessed: empty segments (duplicate or trailing slashes), dot segments ({@code .}, {@code ..},
 * also when percent-encoded), encoded slashes or backslashes, control characters, malformed
 * percent escapes or UTF-8, a fragment, and any form other than origin form (absolute URIs,
 * {@code *}, authority form). {@link #canonical()} is the target re-encoded from the decoded
 * parts; that is what the gateway forwards, so the upstream sees exactly what was decided on.
 */
public record RequestTarget(String path, List<String> segments, Map<String, List<String>> query, String canonical) {
  /** Longest request-target accepted. */
  public static final int MAX_LENGTH = 8192;

  public RequestTarget {
    segments = List.copyOf(segments);
    query = Map.copyOf(query);
  }

  /** Parses and normalizes {@code raw}; throws {@link HttpRefusal} (400) naming the problem. */
  public static RequestTarget parse(String raw) throws HttpRefusal {
    if (raw == null || raw.isEmpty()) {
      throw refuse("empty_target", "the request-target is empty");
    }
    if (raw.length() > MAX_LENGTH) {
      throw new HttpRefusal(414, "target_too_long", "the request-target is longer than " + MAX_LENGTH + " characters");
    }
    if (raw.charAt(0) != '/') {
      throw refuse("target_form", "only origin-form request-targets (`/path?query`) are served, got `" + shorten(raw) + "`");
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw refuse("bad_target_character", "the request-target contains a raw control, space or non-ASCII character at "
            + i);
      }
      if (c == '#') {
        throw refuse("fragment", "the request-target carries a fragment (`#`)");
      }
      if (c == '\\') {
        throw refuse("ambiguous_path", "the request-target contains a backslash at " + i);
      }
    }
    int q = raw.indexOf('?');
    String rawPath = q < 0 ? raw : raw.substring(0, q);
    String rawQuery = q < 0 ? null : raw.substring(q + 1);
    List<String> segs = new ArrayList<>();
    if (!rawPath.equals("/")) {
      String[] parts = rawPath.substring(1).split("/", -1);
      for (int i = 0; i < parts.length; i++) {
        String p = parts[i];
        if (p.isEmpty()) {
          throw refuse("ambiguous_path", i == parts.length - 1
              ? "the path `" + shorten(rawPath) + "` ends with `/` (trailing slashes route differently upstream)"
              : "the path `" + shorten(rawPath) + "` has an empty segment (duplicate `/`)");
        }
        if (p.equals(".") || p.equals("..")) {
          throw refuse("ambiguous_path", "the path `" + shorten(rawPath) + "` has a dot segment `" + p + "`");
        }
        String d = decode(p, "path segment " + (i + 1));
        if (d.equals(".") || d.equals("..")) {
          throw refuse("ambiguous_path", "path segment " + (i + 1) + " is an encoded dot segment `" + p + "`");
        }
        if (d.indexOf('/') >= 0 || d.indexOf('\\') >= 0) {
          throw refuse("ambiguous_path", "path segment " + (i + 1) + " `" + p + "` encodes a slash or backslash");
        }
        checkDecodedText(d, "path segment " + (i + 1));
        segs.add(d);
      }
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    StringBuilder canonicalQuery = new StringBuilder();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      String[] pairs = rawQuery.split("&", -1);
      for (int i = 0; i < pairs.length; i++) {
        String pair = pairs[i];
        if (pair.isEmpty()) {
          throw refuse("malformed_query", "the query has an empty parameter at position " + (i + 1));
        }
        int eq = pair.indexOf('=');
        String name = decodeQuery(eq < 0 ? pair : pair.substring(0, eq), "query parameter " + (i + 1) + " name");
        String value = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1), "query parameter `" + name + "` value");
        if (name.isEmpty()) {
          throw refuse("malformed_query", "query parameter " + (i + 1) + " has no name");
        }
        checkDecodedText(name, "query parameter " + (i + 1) + " name");
        checkDecodedText(value, "query parameter `" + name + "` value");
        query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        canonicalQuery.append(canonicalQuery.length() == 0 ? "" : "&").append(encode(name, true)).append('=')
            .append(encode(value, true));
      }
    }
    StringBuilder path = new StringBuilder();
    StringBuilder canonical = new StringBuilder();
    for (String s : segs) {
      path.append('/').append(s);
      canonical.append('/').append(encode(s, false));
    }
    if (segs.isEmpty()) {
      path.append('/');
      canonical.append('/');
    }
    if (canonicalQuery.length() > 0) {
      canonical.append('?').append(canonicalQuery);
    }
    Map<String, List<String>> frozen = new LinkedHashMap<>();
    query.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    return new RequestTarget(path.toString(), segs, frozen, canonical.toString());
  }

  /** The canonical target of {@code segments} and {@code query} (for adapters that rewrite the path). */
  public static String canonical(List<String> segments, Map<String, List<String>> query) {
    StringBuilder sb = new StringBuilder();
    for (String s : segments) {
      sb.append('/').append(encode(s, false));
    }
    if (segments.isEmpty()) {
      sb.append('/');
    }
    boolean first = true;
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      for (String v : e.getValue()) {
        sb.append(first ? '?' : '&').append(encode(e.getKey(), true)).append('=').append(encode(v, true));
        first = false;
      }
    }
    return sb.toString();
  }

  private static String decodeQuery(String s, String where) throws HttpRefusal {
    // '+' is a space in form encoding; the APIs served here never use it, so it is ambiguous.
    if (s.indexOf('+') >= 0) {
      throw refuse("ambiguous_query", where + " contains `+` (space or plus?); encode it as %20 or %2B");
    }
    return decode(s, where);
  }

  /** Percent-decodes once, as strict UTF-8. */
  static String decode(String s, String where) throws HttpRefusal {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
          throw refuse("bad_percent_encoding", where + " has a malformed percent escape at " + i);
        }
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        out.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new HttpRefusal(400, "bad_percent_encoding", where + " does not decode to UTF-8", false, e);
    }
  }

  private static void checkDecodedText(String d, String where) throws HttpRefusal {
    for (int i = 0; i < d.length(); i++) {
      char c = d.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw refuse("bad_target_character", where + " decodes to a control character");
      }
    }
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters (and, in paths, a few safe sub-delims). */
  static String encode(String s, boolean query) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || (!query && (c == ':' || c == '@'));
      if (keep) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  private static HttpRefusal refuse(String code, String message) {
    return new HttpRefusal(400, code, message);
  }

  private static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
