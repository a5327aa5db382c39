package io.vectorgate.engine;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Checks an input before it enters the guest: its UTF-8 size, that it is one well-formed JSON
 * value (no duplicate keys, nothing after it), no unpaired surrogates, and its nesting depth.
 */
final class InputGuard {
  /** Why an input was refused: a {@link ReasonCodes} code and a message naming where. */
  record Problem(String code, String message) {}

  private InputGuard() {}

  /**
   * The same limits on an input the engine turned into a tree itself (the plan engine's typed
   * path, which never writes JSON text): nesting depth, unpaired surrogates, and the UTF-8 size of
   * the compact JSON Jackson would write for it.
   */
  static Problem checkTree(com.fasterxml.jackson.databind.JsonNode root, int maxBytes, int maxDepth) {
    long[] bytes = {0};
    Problem p = walk(root, 0, maxDepth, bytes, maxBytes);
    if (p != null) {
      return p;
    }
    return bytes[0] > maxBytes ? tooLarge(bytes[0], maxBytes) : null;
  }

  static Problem tooLarge(long bytes, int maxBytes) {
    return new Problem(ReasonCodes.INPUT_TOO_LARGE, "input is " + bytes + " bytes, over the limit of " + maxBytes);
  }

  static Problem tooDeep(int maxDepth) {
    return new Problem(ReasonCodes.INPUT_INVALID, "input nests deeper than " + maxDepth + " levels");
  }

  static Problem overLimit(int maxBytes) {
    return new Problem(ReasonCodes.INPUT_TOO_LARGE, "input is over the limit of " + maxBytes + " bytes");
  }

  /**
   * {@link #checkTree}'s walk over a plan value, adding to {@code bytes} the size Jackson would
   * write for it; {@link TypedInput#checked} walks the values it did not build itself with it.
   */
  static Problem walkVal(io.vectorgate.engine.plan.Val n, int depth, int maxDepth, long[] bytes,
      int maxBytes) {
    if (bytes[0] > maxBytes) {
      return overLimit(maxBytes);
    }
    if (n instanceof io.vectorgate.engine.plan.Val.Obj o) {
      if (depth + 1 > maxDepth) {
        return tooDeep(maxDepth);
      }
      bytes[0] += 2 + Math.max(0, o.map.size() - 1);
      for (var e : o.map.entrySet()) {
        Problem p = text(((io.vectorgate.engine.plan.Val.Str) e.getKey()).value, bytes);
        if (p == null) {
          bytes[0] += 1;
          p = walkVal(e.getValue(), depth + 1, maxDepth, bytes, maxBytes);
        }
        if (p != null) {
          return p;
        }
      }
      return null;
    }
    if (n instanceof io.vectorgate.engine.plan.Val.Arr a) {
      if (depth + 1 > maxDepth) {
        return tooDeep(maxDepth);
      }
      bytes[0] += 2 + Math.max(0, a.items.size() - 1);
      for (io.vectorgate.engine.plan.Val c : a.items) {
        Problem p = walkVal(c, depth + 1, maxDepth, bytes, maxBytes);
        if (p != null) {
          return p;
        }
      }
      return null;
    }
    if (n instanceof io.vectorgate.engine.plan.Val.Str s) {
      return text(s.value, bytes);
    }
    if (n instanceof io.vectorgate.engine.plan.Val.Num num) {
      bytes[0] += num.text().length();
    } else if (n instanceof io.vectorgate.engine.plan.Val.Bool b) {
      bytes[0] += b.value ? 4 : 5;
    } else {
      bytes[0] += 4; // null
    }
    return null;
  }

  private static Problem walk(com.fasterxml.jackson.databind.JsonNode n, int depth, int maxDepth, long[] bytes,
      int maxBytes) {
    if (bytes[0] > maxBytes) {
      return overLimit(maxBytes);
    }
    if (n.isContainerNode()) {
      if (depth + 1 > maxDepth) {
        return tooDeep(maxDepth);
      }
      bytes[0] += 2 + Math.max(0, n.size() - 1);
      if (n.isObject()) {
        for (var it = n.fields(); it.hasNext();) {
          var e = it.next();
          Problem p = text(e.getKey(), bytes);
          if (p == null) {
            bytes[0] += 1;
            p = walk(e.getValue(), depth + 1, maxDepth, bytes, maxBytes);
          }
          if (p != null) {
            return p;
          }
        }
      } else {
        for (com.fasterxml.jackson.databind.JsonNode c : n) {
          Problem p = walk(c, depth + 1, maxDepth, bytes, maxBytes);
          if (p != null) {
            return p;
          }
        }
      }
      return null;
    }
    if (n.isTextual()) {
      return text(n.textValue(), bytes);
    }
    bytes[0] += n.asText().length();
    return null;
  }

  /** Adds the UTF-8 size of {@code s} as a JSON string to {@code bytes}; a problem for an unpaired surrogate. */
  static Problem text(String s, long[] bytes) {
    int n = s.length();
    long b = 2 + n; // the quotes, then one byte per character, plus the extras below
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b += ASCII_EXTRA[c];
      } else if (c < 0x800) {
        b += 1;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return new Problem(ReasonCodes.INPUT_INVALID, "input has an unpaired UTF-16 surrogate");
        }
        b += 2; // 4 bytes for 2 characters
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return new Problem(ReasonCodes.INPUT_INVALID, "input has an unpaired UTF-16 surrogate");
      } else {
        b += 2;
      }
    }
    bytes[0] += b;
    return null;
  }

  /** Per ASCII character: its JSON bytes minus one (a control character takes 6, a quote or a backslash 2). */
  private static final byte[] ASCII_EXTRA = new byte[0x80];

  static {
    for (int c = 0; c < 0x20; c++) {
      ASCII_EXTRA[c] = 5;
    }
    ASCII_EXTRA['"'] = 1;
    ASCII_EXTRA['\\'] = 1;
  }

  /** The length of {@code Long.toString(l)}, without building it. */
  static int digits(long l) {
    if (l == Long.MIN_VALUE) {
      return 20;
    }
    int n = l < 0 ? 2 : 1;
    long v = Math.abs(l);
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  /** Full check of JSON from outside (the raw {@code evaluate} path). */
  static Problem checkRaw(String json, int maxBytes, int maxDepth) {
    if (json == null) {
      return new Problem(ReasonCodes.INPUT_INVALID, "input is missing");
    }
    Problem size = checkSizeAndText(json, maxBytes);
    if (size != null) {
      return size;
    }
    try (JsonParser p = ContractJson.mapper().getFactory().createParser(json)) {
      int depth = 0;
      JsonToken t = p.nextToken();
      if (t == null) {
        return new Problem(ReasonCodes.INPUT_INVALID, "input is empty, expected a JSON value");
      }
      do {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (++depth > maxDepth) {
            return new Problem(ReasonCodes.INPUT_INVALID, "input nests deeper than " + maxDepth
                + " levels at " + where(p.currentLocation()));
          }
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        }
        if (depth == 0) {
          break;
        }
      } while ((t = p.nextToken()) != null);
      if (depth != 0) {
        return new Problem(ReasonCodes.INPUT_INVALID, "input JSON ends early at " + where(p.currentLocation()));
      }
      if (p.nextToken() != null) {
        return new Problem(ReasonCodes.INPUT_INVALID, "input has content after the JSON value at "
            + where(p.currentTokenLocation()));
      }
      return null;
    } catch (JsonProcessingException e) {
      return new Problem(ReasonCodes.INPUT_INVALID, "input is not valid JSON: " + e.getOriginalMessage()
          + " at " + where(e.getLocation()));
    } catch (IOException e) {
      return new Problem(ReasonCodes.INPUT_INVALID, "input cannot be read: " + e.getMessage());
    }
  }

  /**
   * Check of JSON the engine serialized itself: UTF-8 size, unpaired surrogates and nesting depth
   * in one pass over the characters (it runs on every decision). Jackson wrote it, so it is one
   * well-formed value; a string's characters never count as brackets.
   */
  static Problem checkSerialized(String json, int maxBytes, int maxDepth) {
    int n = json.length();
    if ((long) n > maxBytes) {
      return new Problem(ReasonCodes.INPUT_TOO_LARGE, "input is over the limit of " + maxBytes + " bytes");
    }
    long bytes = n; // one byte per char, plus the extra bytes of non-ASCII chars below
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < n; i++) {
      char c = json.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c)) {
          if (i + 1 >= n || !Character.isLowSurrogate(json.charAt(i + 1))) {
            return new Problem(ReasonCodes.INPUT_INVALID, "input has an unpaired UTF-16 surrogate at character " + i);
          }
          bytes += 2; // 4 bytes for the two chars
          i++;
        } else if (Character.isLowSurrogate(c)) {
          return new Problem(ReasonCodes.INPUT_INVALID, "input has an unpaired UTF-16 surrogate at character " + i);
        } else {
          bytes += 2;
        }
      } else if (inString) {
        if (c == '\\' && i + 1 < n && json.charAt(i + 1) < 0x80) {
          i++; // an escaped quote or backslash does not end the string
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        if (++depth > maxDepth) {
          return new Problem(ReasonCodes.INPUT_INVALID, "input nests deeper than " + maxDepth
              + " levels at character " + i);
        }
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    if (bytes > maxBytes) {
      return new Problem(ReasonCodes.INPUT_TOO_LARGE, "input is " + bytes + " bytes, over the limit of " + maxBytes);
    }
    return null;
  }

  private static Problem checkSizeAndText(String json, int maxBytes) {
    // a char is at most 3 UTF-8 bytes; a surrogate pair (2 chars) is 4
    if ((long) json.length() > maxBytes) {
      return new Problem(ReasonCodes.INPUT_TOO_LARGE, "input is over the limit of " + maxBytes + " bytes");
    }
    long bytes = 0;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= json.length() || !Character.isLowSurrogate(json.charAt(i + 1))) {
          return new Problem(ReasonCodes.INPUT_INVALID, "input has an unpaired UTF-16 surrogate at character " + i);
        }
        bytes += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return new Problem(ReasonCodes.INPUT_INVALID, "input has an unpaired UTF-16 surrogate at character " + i);
      } else {
        bytes += 3;
      }
    }
    if (bytes > maxBytes) {
      return new Problem(ReasonCodes.INPUT_TOO_LARGE, "input is " + bytes + " bytes, over the limit of " + maxBytes);
    }
    return null;
  }

  private static String where(JsonLocation loc) {
    return loc == null ? "unknown position" : "line " + loc.getLineNr() + " column " + loc.getColumnNr();
  }
}
