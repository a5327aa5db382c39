package io.vectorgate.proxy.recording;

import io.vectorgate.recorder.index.RecordQuery;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The recording filters as named parameters, shared by the sessions admin API (query string) and
 * the CLI: {@code subject}, {@code group}, {@code collection}, {@code action}, {@code decision}
 * ({@code allow}/{@code deny}), {@code from}/{@code to} (RFC 3339 instants, from inclusive, to
 * exclusive), {@code session}, {@code connection}, {@code kind} ({@code request} default,
 * {@code *} for all), {@code limit} (1..10000, default 100) and {@code cursor}. Unknown names and
 * malformed values are refused with the parameter's name.
 */
public final class SessionQueries {
  /** Every accepted parameter. */
  public static final Set<String> PARAMETERS = Set.of("subject", "group", "collection", "action", "decision", "from",
      "to", "session", "connection", "kind", "limit", "cursor");
  private static final int MAX_VALUE = 1024;

  private SessionQueries() {}

  /** Builds the query; throws {@link IllegalArgumentException} naming the offending parameter. */
  public static RecordQuery parse(Map<String, String> params) {
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (!PARAMETERS.contains(p.getKey())) {
        throw new IllegalArgumentException("unknown parameter `" + printable(p.getKey()) + "`; known: "
            + new TreeSet<>(PARAMETERS));
      }
      if (p.getValue() == null || p.getValue().isEmpty()) {
        throw new IllegalArgumentException("parameter `" + p.getKey() + "` is empty");
      }
      if (p.getValue().length() > MAX_VALUE) {
        throw new IllegalArgumentException("parameter `" + p.getKey() + "` is longer than " + MAX_VALUE + " characters");
      }
    }
    RecordQuery.Builder b = RecordQuery.builder()
        .subject(params.get("subject"))
        .group(params.get("group"))
        .collection(params.get("collection"))
        .action(params.get("action"))
        .sessionId(params.get("session"))
        .connection(params.get("connection"))
        .kind(params.get("kind"))
        .cursor(params.get("cursor"));
    String decision = params.get("decision");
    if (decision != null) {
      b.allow(switch (decision) {
        case "allow", "allowed" -> Boolean.TRUE;
        case "deny", "denied" -> Boolean.FALSE;
        default -> throw new IllegalArgumentException("parameter `decision` must be `allow` or `deny`, was `"
            + printable(decision) + "`");
      });
    }
    b.from(instant(params, "from"));
    b.to(instant(params, "to"));
    String limit = params.get("limit");
    if (limit != null) {
      int n;
      try {
        n = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("parameter `limit` must be an integer, was `" + printable(limit) + "`", e);
      }
      if (n < 1 || n > RecordQuery.MAX_LIMIT) {
        throw new IllegalArgumentException("parameter `limit` must be within 1.." + RecordQuery.MAX_LIMIT + ", was " + n);
      }
      b.limit(n);
    }
    return b.build();
  }

  private static Instant instant(Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("parameter `" + name + "` must be an RFC 3339 UTC instant"
          + " (2025-01-02T03:04:05Z), was `" + printable(v) + "`", e);
    }
  }

  /** At most 80 characters, non-printable ones as {@code ?}: safe to echo in an error. */
  static String printable(String s) {
    String t = s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
