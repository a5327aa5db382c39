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
   * the document unchanged. An array at the end of the path has each element masked.
   * {@code drop} removes the key the path ends at; with an empty path it yields JSON null.
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
    maskInPlace(copy, path, 0, method);
    return copy;
  }

  private void maskInPlace(JsonNode node, List<String> path, int depth, MaskMethod method) {
    if (node instanceof ArrayNode array) {
      for (JsonNode element : array) {
        maskInPlace(element, path, depth, method);
      }
      return;
    }
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    String key = path.get(depth);
    JsonNode child = object.get(key);
    if (child == null) {
      return;
    }
    if (depth == path.size() - 1) {
      if (method == MaskMethod.DROP) {
        object.remove(key);
      } else if (child instanceof ArrayNode array) {
        ArrayNode masked = JsonNodeFactory.instance.arrayNode(array.size());
        for (JsonNode element : array) {
          masked.add(maskJsonValue(element, method));
        }
        object.set(key, masked);
      } else {
        object.set(key, maskJsonValue(child, method));
      }
      return;
    }
    maskInPlace(child, path, depth + 1, method);
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
