package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code vectorgate-record/v1} line format: field names, entry kinds, the canonical JSON
 * serialization the hash is computed over, and SHA-256 helpers. See {@code docs/recording.md}.
 */
public final class RecordFormat {
  /** The format identifier carried by every line (field {@code format}). */
  public static final String FORMAT = "vectorgate-record/v1";
  /** {@code prev_hash} of the very first entry of a chain. */
  public static final String GENESIS_HASH = "0".repeat(64);
  /** Lines longer than this are rejected by the reader as hostile. */
  public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

  public static final String F_FORMAT = "format";
  public static final String F_KIND = "kind";
  public static final String F_SEQ = "seq";
  public static final String F_ID = "id";
  public static final String F_TIME = "time";
  public static final String F_SESSION = "session";
  public static final String F_PREV_HASH = "prev_hash";
  public static final String F_HASH = "hash";

  /** Entry kinds (field {@code kind}). */
  public static final String KIND_REQUEST = "request";
  public static final String KIND_SESSION_START = "session_start";
  public static final String KIND_SESSION_END = "session_end";
  public static final String KIND_SEAL = "seal";
  public static final String KIND_RECOVERY = "recovery";
  public static final String KIND_RETENTION = "retention";
  /** An approval transition (created, voted, approved, rejected, expired, used, refused) written by the gateway. */
  public static final String KIND_APPROVAL = "approval";

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .build();
  private static final JsonFactory FACTORY = MAPPER.getFactory();
  private static final Comparator<Map.Entry<String, JsonNode>> MEMBER_ORDER = Map.Entry.comparingByKey();

  static {
    FACTORY.setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(256)
        .maxStringLength(MAX_LINE_BYTES)
        .maxNumberLength(1000)
        .build());
  }

  private RecordFormat() {}

  /** The mapper for record JSON (strict duplicate detection, bounded nesting). Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Writes {@code node} canonically: object members sorted by name (UTF-16 code unit order, as
   * {@link String#compareTo}), no whitespace, integers as plain digits, other numbers in shortest
   * round-trip form, strings with Jackson's minimal escaping.
   */
  public static void writeCanonical(JsonNode node, OutputStream out) throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      writeCanonical(node, g, null);
    }
  }

  /** The canonical bytes of {@code node}; see {@link #writeCanonical(JsonNode, OutputStream)}. */
  public static byte[] canonicalBytes(JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      writeCanonical(node, out);
    } catch (IOException e) {
      throw new UncheckedIOException("canonical serialization failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Canonical walk. {@code strip} (nullable) replaces raw vectors inside payload subtrees; it is
   * applied while writing so the stored (and hashed) form is the stripped one.
   */
  public static void writeCanonical(JsonNode node, JsonGenerator g, VectorStripper strip) throws IOException {
    if (strip != null && node.isArray()) {
      JsonNode replacement = strip.replacementFor(node);
      if (replacement != null) {
        writeCanonical(replacement, g, null);
        return;
      }
    }
    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        // members sorted by name without a lookup per member (entries, sorted only when out of order)
        int n = node.size();
        @SuppressWarnings("unchecked")
        Map.Entry<String, JsonNode>[] members = new Map.Entry[n];
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        boolean sorted = true;
        for (int i = 0; i < n; i++) {
          members[i] = it.next();
          if (sorted && i > 0 && members[i - 1].getKey().compareTo(members[i].getKey()) > 0) {
            sorted = false;
          }
        }
        if (!sorted) {
          Arrays.sort(members, MEMBER_ORDER);
        }
        for (Map.Entry<String, JsonNode> member : members) {
          String name = member.getKey();
          JsonNode child = member.getValue();
          if (strip != null && strip.alwaysStrippedField(name) && !child.isNull()) {
            g.writeFieldName(name);
            writeCanonical(strip.marker(child), g, null);
            continue;
          }
          g.writeFieldName(name);
          writeCanonical(child, g, strip);
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode child : node) {
          writeCanonical(child, g, strip);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case NUMBER -> {
        if (node.isIntegralNumber()) {
          if (node.canConvertToLong()) {
            g.writeNumber(node.longValue());
          } else {
            g.writeNumber(node.bigIntegerValue());
          }
        } else {
          g.writeNumber(node.doubleValue());
        }
      }
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL, MISSING -> g.writeNull();
      case BINARY -> g.writeString(java.util.Base64.getEncoder().encodeToString(node.binaryValue()));
      case POJO -> {
        Object pojo = ((com.fasterxml.jackson.databind.node.POJONode) node).getPojo();
        if (pojo instanceof LazyJson lazy) {
          lazy.writeCanonical(g, strip);
        } else {
          writeCanonical(MAPPER.valueToTree(pojo), g, strip);
        }
      }
      default -> throw new IOException("unsupported JSON node type " + node.getNodeType());
    }
  }

  /** SHA-256 of {@code bytes[0..len)} as 64 lowercase hex digits. */
  public static String sha256Hex(byte[] bytes, int len) {
    MessageDigest md = sha256();
    md.update(bytes, 0, len);
    return HexFormat.of().formatHex(md.digest());
  }

  /** The hash a stored entry must carry: SHA-256 over the canonical form of the entry without {@code hash}. */
  public static String expectedHash(ObjectNode entry) {
    ObjectNode copy = entry.deepCopy();
    copy.remove(F_HASH);
    byte[] b = canonicalBytes(copy);
    return sha256Hex(b, b.length);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  /** Segment file name for an open (uncompressed) segment whose first entry has {@code firstSeq}. */
  public static String segmentName(long firstSeq) {
    return String.format("segment-%020d.jsonl", firstSeq);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
