package io.vectorgate.engine.builtins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code io.jwt.decode}: structural decoding of a JWS compact token like OPA's (no signature
 * check). Base64url segments are decoded with nimbus-jose-jwt after a strict alphabet check;
 * header and payload JSON are validated with Jackson and passed to the guest verbatim, so numbers
 * keep their text.
 */
final class JwtBuiltins {
  private JwtBuiltins() {}

  private static final String NAME = "io.jwt.decode";
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Nested tokens (cty JWT) may recurse; OPA has no bound, we stop at this depth. */
  private static final int MAX_NESTING = 8;

  static List<HostBuiltin> all() {
    return List.of(new HostBuiltin(NAME, 1, a -> decode(HostBuiltin.string(NAME, a[0], 1), 0)));
  }

  static JsonNode decode(String token, int depth) {
    if (depth > MAX_NESTING) {
      throw new BuiltinException(NAME, "nested JWT deeper than " + MAX_NESTING);
    }
    if (!token.contains(".")) {
      throw new BuiltinException(NAME, "encoded JWT had no period separators");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new BuiltinException(NAME, "encoded JWT must have 3 sections, found " + parts.length);
    }
    String headerText = utf8(base64url(parts[0], "header"), "header");
    JsonNode header = parseObject(headerText, "header");
    if (header.has("enc")) {
      throw new BuiltinException(NAME, "JWT is a JWE object, which is not supported");
    }
    byte[] payloadBytes = base64url(parts[1], "payload");
    JsonNode cty = header.get("cty");
    if (cty != null) {
      if (!cty.isTextual()) {
        throw new BuiltinException(NAME, "JWT header cty must be a string");
      }
      if (cty.textValue().equals("JWT")) {
        return decode(trimQuotes(utf8(payloadBytes, "payload")), depth + 1);
      }
    }
    String payloadText = utf8(payloadBytes, "payload");
    parseObject(payloadText, "payload");
    byte[] signature = base64url(parts[2], "signature");
    ArrayNode result = NODES.arrayNode();
    result.addRawValue(new RawValue(headerText));
    result.addRawValue(new RawValue(payloadText));
    result.add(HexFormat.of().formatHex(signature));
    return result;
  }

  private static String trimQuotes(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && (s.charAt(b) == '"' || s.charAt(b) == '\'')) {
      b++;
    }
    while (e > b && (s.charAt(e - 1) == '"' || s.charAt(e - 1) == '\'')) {
      e--;
    }
    return s.substring(b, e);
  }

  /** OPA's base64url.decode: padding optional, otherwise the strict URL-safe alphabet. */
  private static byte[] base64url(String s, String part) {
    String padded = s;
    if (!s.endsWith("=")) {
      switch (s.length() % 4) {
        case 0 -> { }
        case 2 -> padded = s + "==";
        case 3 -> padded = s + "=";
        default -> throw new BuiltinException(NAME, "JWT " + part + " had invalid encoding: illegal base64url string");
      }
    }
    if (padded.length() % 4 != 0 || !padded.matches("[A-Za-z0-9_-]*={0,2}")) {
      throw new BuiltinException(NAME, "JWT " + part + " had invalid encoding: illegal base64 data");
    }
    return new Base64URL(padded.replace("=", "")).decode();
  }

  private static String utf8(byte[] bytes, String part) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BuiltinException(NAME, "JWT " + part + " is not valid UTF-8", e);
    }
  }

  private static JsonNode parseObject(String text, String part) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BuiltinException(NAME, "JWT " + part + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new BuiltinException(NAME, "JWT " + part + " must be a JSON object");
    }
    return node;
  }
}
