package io.vectorgate.proxy.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vectorgate.model.MaskMethod;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Masks single values according to a {@link MaskMethod}. Thread-safe and stateless apart from the
 * HMAC key.
 *
 * <ul>
 *   <li>{@code redact}: strings become {@value #REDACTED}; numbers become {@code 0}; booleans
 *       {@code false}; any JSON value becomes the JSON string {@value #REDACTED}.
 *   <li>{@code hash}: strings become {@value #HASH_PREFIX} followed by the lowercase hex
 *       HMAC-SHA256 of their UTF-8 bytes under the constructor's key (equal inputs give equal
 *       outputs, so masked values still join; without the key they cannot be reversed or
 *       brute-forced offline). Integers become the HMAC of their decimal text truncated to the
 *       column width with the sign bit cleared (the column keeps its type). Floating-point
 *       numbers and booleans have no useful keyed image and are redacted. JSON values become the
 *       hash string of their canonical JSON text.
 *   <li>{@code partial}: e-mail addresses keep their first character and the domain
 *       ({@code a***@example.com}); other strings of more than 4 characters keep the first
 *       character and up to the last 4 (at most a quarter of the string), with {@code ***}
 *       between; shorter strings become {@code ***}. Numbers and booleans are redacted.
 *   <li>{@code drop} removes a field; it is the rewriter's job, so the value methods refuse it.
 * </ul>
 */
public final class ValueMasker {
  /** The marker that replaces a redacted string. */
  public static final String REDACTED = "[REDACTED]";
  /** The prefix of a hashed string. */
  public static final String HASH_PREFIX = "hmac:";
  /** The shortest HMAC key accepted, in bytes. */
  public static final int MIN_KEY_BYTES = 16;

  private static final String PARTIAL_FILL = "***";
  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec key;

  /**
   * @param hmacKey the key for {@code hash}; at least {@value #MIN_KEY_BYTES} bytes (copied)
   */
  public ValueMasker(byte[] hmacKey) {
    Objects.requireNonNull(hmacKey, "hmacKey");
    if (hmacKey.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "mask hmac key must have at least " + MIN_KEY_BYTES + " bytes, has " + hmacKey.length);
    }
    this.key = new SecretKeySpec(Arrays.copyOf(hmacKey, hmacKey.length), HMAC);
    hmac(new byte[0]); // fail at construction, not on the first request, if HMAC is unavailable
  }

  /** Masks a string. */
  public String maskString(String value, MaskMethod method) {
    Objects.requireNonNull(value, "value");
    return switch (checked(method)) {
      case REDACT -> REDACTED;
      case HASH -> HASH_PREFIX + HexFormat.of().formatHex(hmac(value.getBytes(StandardCharsets.UTF_8)));
      case PARTIAL -> partial(value);
      case DROP -> throw dropNotAValue(); // unreachable: checked() refuses drop
    };
  }

  /** Masks a 64-bit integer; the result has the same type. */
  public long maskLong(long value, MaskMethod method) {
    if (checked(method) == MaskMethod.HASH) {
      return ByteBuffer.wrap(hmac(Long.toString(value).getBytes(StandardCharsets.US_ASCII))).getLong()
          & Long.MAX_VALUE;
    }
    return 0L;
  }

  /** Masks a 32-bit integer; the result has the same type. */
  public int maskInt(int value, MaskMethod method) {
    if (checked(method) == MaskMethod.HASH) {
      return ByteBuffer.wrap(hmac(Integer.toString(value).getBytes(StandardCharsets.US_ASCII))).getInt()
          & Integer.MAX_VALUE;
    }
    return 0;
  }

  /** Masks a floating-point number: always {@code 0.0} (there is no useful keyed image). */
  public double maskDouble(double value, MaskMethod method) {
    checked(method);
    return 0.0;
  }

  /** Masks a boolean: always {@code false}. */
  public boolean maskBool(boolean value, MaskMethod method) {
    checked(method);
    return false;
  }

  /**
   * Masks a whole JSON value. Strings are masked as strings; any other value (number, boolean,
   * object, array, null) becomes a JSON string: the redaction marker, or for {@code hash} the hash
   * of its JSON text.
   */
  public JsonNode maskJsonValue(JsonNode value, MaskMethod method) {
    Objects.requireNonNull(value, "value");
    MaskMethod m = checked(method);
    if (value.isTextual()) {
      return TextNode.valueOf(maskString(value.textValue(), m));
    }
    if (m == MaskMethod.HASH) {
      return TextNode.valueOf(maskString(value.toString(), m));
    }
    return TextNode.valueOf(REDACTED);
  }

  /**
   * Masks the value at {@code path} inside a JSON document and returns the masked document (the
   * argument is not modified). An empty path masks the whole document. Objects are descended by
   * key; an array met on the way applies the rest of the path to each of its elements, so
   * {@code ["contacts","email"]} masks every contact's e-mail. A path that does not exist leaves
   * the document unchanged. An array at the end of the path has each element masked. Masked
   * values become JSON strings ({@link #maskJsonValue}). {@code drop} removes the key the path
   * ends at; with an empty path it yields JSON null.
   */
  public JsonNode maskJsonPath(JsonNode document, List<String> path, MaskMethod method) {
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(method, "method");
    if (path.isEmpty()) {
      if (method == MaskMethod.DROP) {
        return JsonNodeFactory.instance.nullNode();
      }
      return maskJsonValue(document, method);
    }
    JsonNode copy = document.deepCopy();
    maskInPlace(copy, path, 0, method, false, KeyMatch.EXACT);
    return copy;
  }

  /** How mask field names match the keys of a response object. */
  public enum KeyMatch {
    /** Keys match exactly (Chroma metadata, Qdrant payloads, Pinecone metadata). */
    EXACT,
    /** Keys match ignoring case, for databases whose field names do. */
    IGNORE_CASE
  }

  /**
   * Applies field masks to a JSON object (a payload, a metadata object, a row) in place, keeping its
   * shape: keys stay, arrays keep their length, and scalars keep their JSON type
   * ({@link #maskJsonTyped}). A mask's {@code field} names a key of the object (matched by
   * {@code match}), its {@code path} keys inside that value (arrays on the way apply the rest of
   * the path to each element). {@code drop} removes the key. Anything but an object is left alone.
   *
   * @return how many values were masked or dropped
   */
  public int maskFields(JsonNode object, List<io.vectorgate.model.FieldMask> masks, KeyMatch match) {
    if (!(object instanceof ObjectNode o) || masks.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (io.vectorgate.model.FieldMask m : masks) {
      List<String> path = new java.util.ArrayList<>(m.path().size() + 1);
      path.add(m.field());
      path.addAll(m.path());
      n += maskInPlace(o, path, 0, m.method(), true, match);
    }
    return n;
  }

  /**
   * Masks one JSON value keeping its type where it can: strings as strings, integers as integers
   * ({@link #maskLong}), other numbers 0.0, booleans false, arrays element by element; null stays
   * null; an object becomes the masked JSON text ({@link #maskJsonValue}).
   */
  public JsonNode maskJsonTyped(JsonNode v, MaskMethod method) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v.isNull()) {
      return v;
    }
    if (v.isArray()) {
      ArrayNode out = f.arrayNode(v.size());
      v.forEach(e -> out.add(maskJsonTyped(e, method)));
      return out;
    }
    if (v.isTextual()) {
      return f.textNode(maskString(v.textValue(), method));
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return f.numberNode(maskLong(v.longValue(), method));
    }
    if (v.isNumber()) {
      return f.numberNode(maskDouble(v.doubleValue(), method));
    }
    if (v.isBoolean()) {
      return f.booleanNode(maskBool(v.booleanValue(), method));
    }
    return maskJsonValue(v, method);
  }

  /** The one JSON path walker: masks (typed or as text) or drops what {@code path} reaches; returns the count. */
  private int maskInPlace(JsonNode node, List<String> path, int depth, MaskMethod method, boolean typed,
      KeyMatch match) {
    if (node instanceof ArrayNode array) {
      int n = 0;
      for (JsonNode element : array) {
        n += maskInPlace(element, path, depth, method, typed, match);
      }
      return n;
    }
    if (!(node instanceof ObjectNode object)) {
      return 0;
    }
    int n = 0;
    for (String key : keys(object, path.get(depth), match)) {
      JsonNode child = object.get(key);
      if (depth < path.size() - 1) {
        n += maskInPlace(child, path, depth + 1, method, typed, match);
      } else if (method == MaskMethod.DROP) {
        object.remove(key);
        n++;
      } else if (typed) {
        object.set(key, maskJsonTyped(child, method));
        n++;
      } else if (child instanceof ArrayNode array) {
        ArrayNode masked = JsonNodeFactory.instance.arrayNode(array.size());
        for (JsonNode element : array) {
          masked.add(maskJsonValue(element, method));
        }
        object.set(key, masked);
        n++;
      } else {
        object.set(key, maskJsonValue(child, method));
        n++;
      }
    }
    return n;
  }

  private static List<String> keys(ObjectNode object, String key, KeyMatch match) {
    if (match == KeyMatch.EXACT) {
      return object.has(key) ? List.of(key) : List.of();
    }
    List<String> out = new java.util.ArrayList<>(1);
    object.fieldNames().forEachRemaining(k -> {
      if (k.equalsIgnoreCase(key)) {
        out.add(k);
      }
    });
    return out;
  }

  private static String partial(String value) {
    int at = value.lastIndexOf('@');
    if (at > 0 && at < value.length() - 1) {
      return value.substring(0, value.offsetByCodePoints(0, 1)) + PARTIAL_FILL + value.substring(at);
    }
    int n = value.codePointCount(0, value.length());
    if (n <= 4) {
      return PARTIAL_FILL;
    }
    int suffix = Math.min(4, n / 4);
    String first = value.substring(0, value.offsetByCodePoints(0, 1));
    String last = value.substring(value.offsetByCodePoints(0, n - suffix));
    return first + PARTIAL_FILL + last;
  }

  private byte[] hmac(byte[] data) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static MaskMethod checked(MaskMethod method) {
    if (Objects.requireNonNull(method, "method") == MaskMethod.DROP) {
      throw dropNotAValue();
    }
    return method;
  }

  private static IllegalArgumentException dropNotAValue() {
    return new IllegalArgumentException("mask method drop removes the field; it is applied by the rewriter, not to a value");
  }
}
