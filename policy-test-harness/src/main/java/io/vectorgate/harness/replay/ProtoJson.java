package io.vectorgate.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recorded protobuf JSON (a Jackson tree) merged into a message builder: {@link JsonFormat}'s parser,
 * with a fast path for the canonical JSON the recorder writes. {@link JsonFormat} reads only text, so
 * every payload used to be printed from its tree, parsed again into Gson's tree, and matched against
 * field-name tables rebuilt for every call; together a quarter of a replayed Milvus rebuild.
 *
 * <p>The fast path reads the tree directly and takes only what it can read exactly as
 * {@link JsonFormat} would: known field names (proto or JSON name), strings as JSON strings, booleans as
 * JSON booleans, integers as JSON integers or canonical decimal strings in range, enums by name, bytes
 * as canonical padded base64, nested messages, repeated fields and string-keyed maps. Anything else
 * (floats, nulls, enum numbers, a field given twice or two members of one oneof, unknown fields,
 * well-known types, deep nesting) makes it give up, and {@link JsonFormat} parses the whole payload
 * as before: the same message, or the same error, in every case. {@code ProtoJsonProperties} checks
 * that the two agree on generated and hostile payloads.
 */
public final class ProtoJson {
  private static final JsonFormat.Parser STRICT = JsonFormat.parser();
  private static final JsonFormat.Parser LENIENT = JsonFormat.parser().ignoringUnknownFields();
  /** Nesting the fast path reads; {@link JsonFormat} (limit 100) handles deeper payloads. */
  static final int MAX_DEPTH = 50;

  /** Field names (proto and JSON) of each message type, built once per type. */
  private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS = new ConcurrentHashMap<>();

  private ProtoJson() {}

  /**
   * The message of {@code prototype}'s type that {@code json} stands for: what
   * {@code JsonFormat.parser().merge(json.toString(), builder)} followed by {@code builder.build()} gives
   * on a fresh builder, including its exceptions ({@code ignoreUnknown}: {@code ignoringUnknownFields()}).
   */
  public static <M extends Message> M parse(JsonNode json, M prototype, boolean ignoreUnknown)
      throws InvalidProtocolBufferException {
    if (json instanceof ObjectNode o) {
      Message.Builder trial = prototype.newBuilderForType();
      if (fast(o, trial, ignoreUnknown, 0)) {
        return cast(prototype, trial.build());
      }
    }
    Message.Builder b = prototype.newBuilderForType();
    (ignoreUnknown ? LENIENT : STRICT).merge(json.toString(), b);
    return cast(prototype, b.build());
  }

  @SuppressWarnings("unchecked")
  private static <M extends Message> M cast(M prototype, Message m) {
    // a builder of prototype's type builds prototype's type
    return (M) m;
  }

  /** Whether the fast path could read {@code o} into {@code b}; on false, {@code b} is to be discarded. */
  static boolean fast(ObjectNode o, Message.Builder b, boolean ignoreUnknown, int depth) {
    Descriptor type = b.getDescriptorForType();
    if (depth > MAX_DEPTH || wellKnown(type)) {
      return false;
    }
    Map<String, FieldDescriptor> names = FIELDS.computeIfAbsent(type, ProtoJson::names);
    long seenMask = 0; // fields by index; a message with more than 64 fields uses the set
    Set<FieldDescriptor> seen = type.getFields().size() > 64 ? new HashSet<>() : null;
    Set<OneofDescriptor> oneofs = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      FieldDescriptor f = names.get(e.getKey());
      if (f == null) {
        if (ignoreUnknown) {
          continue;
        }
        return false;
      }
      if (seen != null ? !seen.add(f) : (seenMask & (1L << f.getIndex())) != 0) {
        return false; // given under both names: JsonFormat's "has already been set"
      }
      seenMask |= seen == null ? 1L << f.getIndex() : 0;
      OneofDescriptor oneof = f.getRealContainingOneof();
      if (oneof != null) {
        oneofs = oneofs == null ? new HashSet<>() : oneofs;
        if (!oneofs.add(oneof)) {
          return false;
        }
      }
      JsonNode v = e.getValue();
      if (v.isNull()) {
        return false;
      }
      try {
        if (f.isMapField()) {
          if (!map(f, v, b, ignoreUnknown, depth)) {
            return false;
          }
        } else if (f.isRepeated()) {
          if (!v.isArray()) {
            return false;
          }
          for (JsonNode item : v) {
            Object x = value(f, item, b, ignoreUnknown, depth);
            if (x == null) {
              return false;
            }
            b.addRepeatedField(f, x);
          }
        } else {
          Object x = value(f, v, b, ignoreUnknown, depth);
          if (x == null) {
            return false;
          }
          b.setField(f, x);
        }
      } catch (RuntimeException ex) {
        return false; // whatever the builder refuses, JsonFormat reports in its own words
      }
    }
    return true;
  }

  private static boolean map(FieldDescriptor f, JsonNode v, Message.Builder b, boolean ignoreUnknown, int depth) {
    if (!v.isObject()) {
      return false;
    }
    Descriptor entry = f.getMessageType();
    FieldDescriptor key = entry.findFieldByName("key");
    FieldDescriptor value = entry.findFieldByName("value");
    if (key == null || value == null || key.getType() != FieldDescriptor.Type.STRING) {
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Message.Builder eb = b.newBuilderForField(f);
      Object x = value(value, e.getValue(), eb, ignoreUnknown, depth);
      if (x == null) {
        return false;
      }
      eb.setField(key, e.getKey());
      eb.setField(value, x);
      b.addRepeatedField(f, eb.build());
    }
    return true;
  }

  /** The field value {@code v} stands for, or null when the fast path does not read it. */
  private static Object value(FieldDescriptor f, JsonNode v, Message.Builder parent, boolean ignoreUnknown, int depth) {
    switch (f.getType()) {
      case STRING:
        return v.isTextual() ? v.textValue() : null;
      case BOOL:
        return v.isBoolean() ? v.booleanValue() : null;
      case INT32, SINT32, SFIXED32: {
        Long x = integer(v);
        return x != null && x == x.intValue() ? Integer.valueOf(x.intValue()) : null;
      }
      case UINT32, FIXED32: {
        Long x = integer(v);
        return x != null && x >= 0 && x <= 0xFFFFFFFFL ? Integer.valueOf((int) x.longValue()) : null;
      }
      case INT64, SINT64, SFIXED64:
        return integer(v);
      case UINT64, FIXED64: {
        Long x = integer(v);
        return x != null && x >= 0 ? x : null; // above Long.MAX_VALUE: JsonFormat
      }
      case ENUM: {
        if (!v.isTextual()) {
          return null;
        }
        EnumValueDescriptor e = f.getEnumType().findValueByName(v.textValue());
        return e;
      }
      case BYTES:
        return bytes(v);
      case MESSAGE: {
        if (!(v instanceof ObjectNode o)) {
          return null;
        }
        Message.Builder sub = parent.newBuilderForField(f);
        return fast(o, sub, ignoreUnknown, depth + 1) ? sub.build() : null;
      }
      default:
        return null; // FLOAT, DOUBLE, GROUP
    }
  }

  /**
   * A JSON integer, or a string of a canonical decimal integer, within long range; else null. What
   * {@code Long.parseLong} accepts of the same text, which is what JsonFormat tries first.
   */
  private static Long integer(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? v.longValue() : null;
    }
    if (!v.isTextual()) {
      return null;
    }
    String s = v.textValue();
    int n = s.length();
    int i = n > 0 && s.charAt(0) == '-' ? 1 : 0;
    if (i == n || n - i > 19 || (s.charAt(i) == '0' && n - i > 1)) {
      return null;
    }
    for (int k = i; k < n; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Canonical padded base64 (what the printer writes): decodes to the same bytes in JsonFormat; else null. */
  private static ByteString bytes(JsonNode v) {
    if (!v.isTextual()) {
      return null;
    }
    String s = v.textValue();
    if (s.length() % 4 != 0) {
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return Base64.getEncoder().encodeToString(raw).equals(s) ? ByteString.copyFrom(raw) : null;
  }

  private static boolean wellKnown(Descriptor type) {
    return type.getFile().getPackage().equals("google.protobuf");
  }

  private static Map<String, FieldDescriptor> names(Descriptor type) {
    Map<String, FieldDescriptor> m = new HashMap<>();
    for (FieldDescriptor f : type.getFields()) {
      m.put(f.getName(), f);
      m.put(f.getJsonName(), f);
    }
    return Map.copyOf(m);
  }
}
