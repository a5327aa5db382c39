package io.vectorgate.proxy.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * Strict JSON for request bodies: RFC 8259 only (no NaN/Infinity, no leading zeros or {@code +},
 * no comments, single quotes or unquoted names), strict UTF-8, no duplicate keys, no trailing tokens, nesting at
 * most {@code maxDepth}, strings and numbers of bounded length. Numbers become longs, big
 * integers or doubles (the upstreams read 32/64-bit values). Anything else is a 400 naming the
 * line and column.
 */
public final class JsonBodies {
  private final ObjectMapper mapper;
  private final int maxDepth;

  public JsonBodies(int maxDepth) {
    this.maxDepth = maxDepth;
    JsonFactory f = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth)
            .maxNumberLength(400)
            .maxStringLength(64 * 1024 * 1024)
            .maxNameLength(4096)
            .build())
        // embeddings are hundreds of doubles per body, parsed and written again on every request: the JDK's
        // FloatingDecimal was ~6% of the HTTP gateway's CPU (issue 16); both features give the same doubles
        .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
        .build();
    this.mapper = JsonMapper.builder(f)
        .nodeFactory(FiniteNumbers.INSTANCE)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** Parses a request body; empty input is null (no body). */
  public JsonNode parse(byte[] body) throws HttpRefusal {
    if (body == null || body.length == 0) {
      return null;
    }
    String text;
    try {
      text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new HttpRefusal(400, "malformed_json", "the JSON body is not valid UTF-8", false, e);
    }
    try {
      JsonNode n = mapper.readTree(text);
      return n == null || n.isMissingNode() ? null : n;
    } catch (NonFiniteNumber e) {
      throw notFinite(e);
    } catch (StreamConstraintsException e) {
      throw new HttpRefusal(400, "json_limits", "the JSON body exceeds a limit (nesting depth " + maxDepth
          + ", number or string length): " + firstLine(e.getOriginalMessage()), false, e);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof NonFiniteNumber n) {
        throw notFinite(n);
      }
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      String msg = firstLine(e.getOriginalMessage());
      String code = msg.startsWith("Duplicate field") ? "json_duplicate_key" : "malformed_json";
      throw new HttpRefusal(400, code, "the JSON body is not strict JSON" + where + ": " + msg, false, e);
    } catch (IOException e) {
      throw new HttpRefusal(400, "malformed_json", "the JSON body cannot be read: " + e.getMessage(), false, e);
    }
  }

  private static HttpRefusal notFinite(NonFiniteNumber e) {
    return new HttpRefusal(400, "malformed_json", "the JSON body holds a number beyond the range of a 64-bit float ("
        + e.getMessage() + "): it cannot be passed on as JSON", false, e);
  }

  /**
   * A number too large for a double (e.g. {@code 1e400}) parses as an infinity, which would be
   * forwarded as {@code Infinity}: not JSON. Refused while the tree is built.
   */
  private static final class FiniteNumbers extends com.fasterxml.jackson.databind.node.JsonNodeFactory {
    static final FiniteNumbers INSTANCE = new FiniteNumbers();

    @Override
    public com.fasterxml.jackson.databind.node.NumericNode numberNode(double v) {
      if (!Double.isFinite(v)) {
        throw new NonFiniteNumber(v);
      }
      return super.numberNode(v);
    }

    @Override
    public com.fasterxml.jackson.databind.node.ValueNode numberNode(Double v) {
      if (v != null && !Double.isFinite(v)) {
        throw new NonFiniteNumber(v);
      }
      return super.numberNode(v);
    }

    @Override
    public com.fasterxml.jackson.databind.node.NumericNode numberNode(float v) {
      if (!Float.isFinite(v)) {
        throw new NonFiniteNumber(v);
      }
      return super.numberNode(v);
    }
  }

  private static final class NonFiniteNumber extends RuntimeException {
    NonFiniteNumber(double v) {
      super("parsed as " + v, null, false, false);
    }
  }

  /** Serializes a body for the upstream or the client. */
  public byte[] write(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid JSON";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
