package io.vectorgate.proxy.recording;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vectorgate.recorder.LazyJson;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.VectorStripper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Protobuf → JSON for recorded gRPC payloads, written straight to a Jackson generator (no
 * intermediate string), in the shape {@code JsonFormat.printer().preservingProtoFieldNames()}
 * prints and {@code JsonFormat.parser()} reads back: fields in field-number order, default values
 * omitted, 64-bit integers as strings, bytes as base64, enums by name, maps as objects. Well-known
 * types ({@code google.protobuf.*}) are delegated to {@link JsonFormat}.
 *
 * <p>{@link #lazy(Message)} defers the conversion to the recorder's writer thread, so the request
 * path only wraps the (immutable) message; there {@link #writeCanonical} streams the recorder's
 * canonical form (fields by name, map keys sorted, vectors stripped) without building a tree.
 */
public final class ProtoJson {
  private static final JsonFormat.Printer WELL_KNOWN = JsonFormat.printer().preservingProtoFieldNames()
      .omittingInsignificantWhitespace();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper TREES = new ObjectMapper();

  private ProtoJson() {}

  /** A JSON node that writes {@code m} as JSON when serialized (on the recorder's writer thread). */
  public static POJONode lazy(Message m) {
    return new POJONode(new Lazy(m));
  }

  /**
   * The wrapper behind {@link #lazy(Message)}: the recorder asks it for its tree ({@link LazyJson});
   * any other Jackson serializer gets the same JSON streamed.
   */
  public record Lazy(Message message) implements JsonSerializable, LazyJson {
    @Override
    public JsonNode toJson() {
      return tree(message);
    }

    @Override
    public void writeCanonical(JsonGenerator g, VectorStripper strip) throws IOException {
      ProtoJson.writeCanonical(message, g, strip);
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider p) throws IOException {
      write(message, g);
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider p, TypeSerializer t) throws IOException {
      write(message, g);
    }
  }

  /** Writes {@code m} as one JSON object. */
  public static void write(Message m, JsonGenerator g) throws IOException {
    if (m.getDescriptorForType().getFile().getPackage().equals("google.protobuf")) {
      String text;
      try {
        text = WELL_KNOWN.print(m);
      } catch (InvalidProtocolBufferException e) {
        // e.g. an Any of a type this build does not know: say so instead of failing the record
        g.writeStartObject();
        g.writeStringField("vectorgate_omitted", "not_convertible");
        g.writeStringField("type", m.getDescriptorForType().getFullName());
        g.writeEndObject();
        return;
      }
      try (JsonParser p = FACTORY.createParser(text)) {
        p.nextToken();
        g.copyCurrentStructure(p);
      }
      return;
    }
    g.writeStartObject();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      g.writeFieldName(f.getName());
      if (f.isMapField()) {
        writeMap(f, (List<?>) e.getValue(), g);
      } else if (f.isRepeated()) {
        g.writeStartArray();
        for (Object v : (List<?>) e.getValue()) {
          writeValue(f, v, g);
        }
        g.writeEndArray();
      } else {
        writeValue(f, e.getValue(), g);
      }
    }
    g.writeEndObject();
  }

  private static void writeMap(FieldDescriptor f, List<?> entries, JsonGenerator g) throws IOException {
    FieldDescriptor key = f.getMessageType().findFieldByNumber(1);
    FieldDescriptor value = f.getMessageType().findFieldByNumber(2);
    g.writeStartObject();
    for (Object o : entries) {
      Message entry = (Message) o;
      Object k = entry.getField(key);
      g.writeFieldName(mapKey(key, k));
      writeValue(value, entry.getField(value), g);
    }
    g.writeEndObject();
  }

  private static void writeValue(FieldDescriptor f, Object v, JsonGenerator g) throws IOException {
    switch (f.getType()) {
      case INT32, SINT32, SFIXED32 -> g.writeNumber((Integer) v);
      case UINT32, FIXED32 -> g.writeNumber(Integer.toUnsignedLong((Integer) v));
      case INT64, SINT64, SFIXED64 -> g.writeString(Long.toString((Long) v));
      case UINT64, FIXED64 -> g.writeString(Long.toUnsignedString((Long) v));
      case BOOL -> g.writeBoolean((Boolean) v);
      case FLOAT -> {
        float x = (Float) v;
        if (Float.isNaN(x) || Float.isInfinite(x)) {
          g.writeString(Float.toString(x));
        } else {
          g.writeNumber(Double.parseDouble(Float.toString(x))); // the decimal JsonFormat prints
        }
      }
      case DOUBLE -> {
        double x = (Double) v;
        if (Double.isNaN(x) || Double.isInfinite(x)) {
          g.writeString(Double.toString(x));
        } else {
          g.writeNumber(x);
        }
      }
      case STRING -> g.writeString((String) v);
      case BYTES -> g.writeString(B64.encodeToString(((ByteString) v).toByteArray()));
      case ENUM -> {
        EnumValueDescriptor ev = (EnumValueDescriptor) v;
        if (ev.getIndex() == -1) {
          g.writeNumber(ev.getNumber()); // a value this build's proto does not know
        } else {
          g.writeString(ev.getName());
        }
      }
      case MESSAGE, GROUP -> write((Message) v, g);
      default -> throw new IOException("unsupported protobuf field type " + f.getType() + " of `" + f.getFullName() + "`");
    }
  }

  /**
   * Writes {@code m} in the recorder's canonical form, vectors replaced by {@code strip} (null:
   * kept): the bytes {@code RecordFormat.writeCanonical(tree(m), g, strip)} gives, without the tree
   * (well-known types still go through it). Members by field name, map keys sorted; a repeated
   * field of at least {@code strip.minDimension()} numbers becomes a vector marker, a field the
   * stripper always replaces becomes a field marker.
   */
  public static void writeCanonical(Message m, JsonGenerator g, VectorStripper strip) throws IOException {
    if (isWellKnown(m)) {
      RecordFormat.writeCanonical(tree(m), g, strip);
      return;
    }
    if (ProtoWire.supports(m.getDescriptorForType())) {
      try {
        ProtoWire.write(m, g, strip);
        return;
      } catch (ProtoWire.Unsupported | InvalidProtocolBufferException e) {
        // bytes the serializer does not write for this type, or a string that is not UTF-8 (a proto2
        // field keeps what it parsed): nothing was written yet; the reflective path below
      }
    }
    writeMessageCanonical(m, g, strip);
  }

  /** The reflective form of {@link #writeCanonical} (types {@link ProtoWire} does not take; tests). */
  static void writeCanonicalByReflection(Message m, JsonGenerator g, VectorStripper strip) throws IOException {
    if (isWellKnown(m)) {
      RecordFormat.writeCanonical(tree(m), g, strip);
      return;
    }
    writeMessageCanonical(m, g, strip);
  }

  /** A map key as JSON's member name: unsigned types as unsigned decimals, the rest as their text. */
  static String mapKey(FieldDescriptor key, Object k) {
    return switch (key.getType()) {
      case UINT32, FIXED32 -> Integer.toUnsignedString((Integer) k);
      case UINT64, FIXED64 -> Long.toUnsignedString((Long) k);
      default -> String.valueOf(k);
    };
  }

  /** A scalar (non-message) value in the canonical form, as the tree holds it. */
  static void writeScalarCanonical(FieldDescriptor f, Object v, JsonGenerator g) throws IOException {
    switch (f.getType()) {
      case INT32, SINT32, SFIXED32 -> g.writeNumber((long) (Integer) v);
      default -> writeValue(f, v, g);
    }
  }

  @SuppressWarnings("unchecked")
  private static void writeMessageCanonical(Message m, JsonGenerator g, VectorStripper strip) throws IOException {
    Map.Entry<FieldDescriptor, Object>[] fields = m.getAllFields().entrySet().toArray(new Map.Entry[0]);
    if (fields.length > 1) {
      Arrays.sort(fields, (a, b) -> a.getKey().getName().compareTo(b.getKey().getName()));
    }
    g.writeStartObject();
    for (Map.Entry<FieldDescriptor, Object> e : fields) {
      FieldDescriptor f = e.getKey();
      g.writeFieldName(f.getName());
      if (strip != null && strip.alwaysStrippedField(f.getName())) {
        strip.writeFieldMarker(g, markerCount(f, e.getValue()));
      } else if (f.isMapField()) {
        writeMapCanonical(f, (List<?>) e.getValue(), g, strip);
      } else if (f.isRepeated()) {
        writeRepeatedCanonical(f, (List<?>) e.getValue(), g, strip);
      } else {
        writeValueCanonical(f, e.getValue(), g, strip);
      }
    }
    g.writeEndObject();
  }

  private static void writeMapCanonical(FieldDescriptor f, List<?> entries, JsonGenerator g, VectorStripper strip)
      throws IOException {
    FieldDescriptor key = f.getMessageType().findFieldByNumber(1);
    FieldDescriptor value = f.getMessageType().findFieldByNumber(2);
    java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>(); // later duplicates win, as in the tree
    for (Object o : entries) {
      Message entry = (Message) o;
      Object k = entry.getField(key);
      sorted.put(mapKey(key, k), entry.getField(value));
    }
    g.writeStartObject();
    for (Map.Entry<String, Object> e : sorted.entrySet()) {
      g.writeFieldName(e.getKey());
      if (strip != null && strip.alwaysStrippedField(e.getKey())) {
        strip.writeFieldMarker(g, markerCount(value, e.getValue()));
      } else {
        writeValueCanonical(value, e.getValue(), g, strip);
      }
    }
    g.writeEndObject();
  }

  /** The {@code count} of a field marker: the size of the value when the tree holds it as an array, else -1. */
  private static int markerCount(FieldDescriptor f, Object v) {
    if (f.isMapField()) {
      return -1;
    }
    if (f.isRepeated()) {
      return ((List<?>) v).size();
    }
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && isWellKnown((Message) v)) {
      JsonNode n = wellKnown((Message) v);
      return n.isArray() ? n.size() : -1;
    }
    return -1;
  }

  private static void writeRepeatedCanonical(FieldDescriptor f, List<?> values, JsonGenerator g, VectorStripper strip)
      throws IOException {
    boolean messages = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
    if (messages && !values.isEmpty() && isWellKnown((Message) values.get(0))) {
      ArrayNode a = F.arrayNode(); // e.g. ListValue elements are arrays: the stripper looks into them
      for (Object v : values) {
        a.add(node(f, v));
      }
      RecordFormat.writeCanonical(a, g, strip);
      return;
    }
    if (strip != null && !messages && values.size() >= strip.minDimension() && allNumbers(f, values)) {
      strip.writeVectorMarker(g, values.size());
      return;
    }
    g.writeStartArray();
    for (Object v : values) {
      writeValueCanonical(f, v, g, strip);
    }
    g.writeEndArray();
  }

  /** Whether every element is a JSON number in the tree: 32-bit integers, finite floats, unknown enum values. */
  static boolean allNumbers(FieldDescriptor f, List<?> values) {
    for (Object v : values) {
      boolean number = switch (f.getType()) {
        case INT32, SINT32, SFIXED32, UINT32, FIXED32 -> true;
        case FLOAT -> Float.isFinite((Float) v);
        case DOUBLE -> Double.isFinite((Double) v);
        case ENUM -> ((EnumValueDescriptor) v).getIndex() == -1;
        default -> false;
      };
      if (!number) {
        return false;
      }
    }
    return true;
  }

  private static void writeValueCanonical(FieldDescriptor f, Object v, JsonGenerator g, VectorStripper strip)
      throws IOException {
    switch (f.getType()) {
      case INT32, SINT32, SFIXED32 -> g.writeNumber((long) (Integer) v);
      case MESSAGE, GROUP -> {
        Message m = (Message) v;
        if (isWellKnown(m)) {
          RecordFormat.writeCanonical(wellKnown(m), g, strip);
        } else {
          writeMessageCanonical(m, g, strip);
        }
      }
      default -> writeValue(f, v, g); // the other scalars are written as the tree holds them
    }
  }

  /** {@code m} as a JSON tree, built directly (the same JSON {@link #write} streams). */
  public static ObjectNode tree(Message m) {
    if (isWellKnown(m)) {
      JsonNode n = wellKnown(m);
      if (n instanceof ObjectNode o) {
        return o;
      }
      ObjectNode wrapped = F.objectNode(); // a top-level well-known type printed as a scalar or array
      wrapped.set("value", n);
      return wrapped;
    }
    ObjectNode o = F.objectNode();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.isMapField()) {
        FieldDescriptor key = f.getMessageType().findFieldByNumber(1);
        FieldDescriptor value = f.getMessageType().findFieldByNumber(2);
        ObjectNode map = o.putObject(f.getName());
        for (Object entry : (List<?>) e.getValue()) {
          Message me = (Message) entry;
          Object k = me.getField(key);
          map.set(mapKey(key, k), node(value, me.getField(value)));
        }
      } else if (f.isRepeated()) {
        ArrayNode a = o.putArray(f.getName());
        for (Object v : (List<?>) e.getValue()) {
          a.add(node(f, v));
        }
      } else {
        o.set(f.getName(), node(f, e.getValue()));
      }
    }
    return o;
  }

  private static JsonNode node(FieldDescriptor f, Object v) {
    return switch (f.getType()) {
      case INT32, SINT32, SFIXED32 -> F.numberNode((Integer) v);
      case UINT32, FIXED32 -> F.numberNode(Integer.toUnsignedLong((Integer) v));
      case INT64, SINT64, SFIXED64 -> F.textNode(Long.toString((Long) v));
      case UINT64, FIXED64 -> F.textNode(Long.toUnsignedString((Long) v));
      case BOOL -> F.booleanNode((Boolean) v);
      case FLOAT -> {
        float x = (Float) v;
        yield Float.isNaN(x) || Float.isInfinite(x) ? F.textNode(Float.toString(x))
            : F.numberNode(Double.parseDouble(Float.toString(x)));
      }
      case DOUBLE -> {
        double x = (Double) v;
        yield Double.isNaN(x) || Double.isInfinite(x) ? F.textNode(Double.toString(x)) : F.numberNode(x);
      }
      case STRING -> F.textNode((String) v);
      case BYTES -> F.textNode(B64.encodeToString(((ByteString) v).toByteArray()));
      case ENUM -> {
        EnumValueDescriptor ev = (EnumValueDescriptor) v;
        yield ev.getIndex() == -1 ? F.numberNode(ev.getNumber()) : F.textNode(ev.getName());
      }
      case MESSAGE, GROUP -> isWellKnown((Message) v) ? wellKnown((Message) v) : tree((Message) v);
    };
  }

  private static boolean isWellKnown(Message m) {
    return m.getDescriptorForType().getFile().getPackage().equals("google.protobuf");
  }

  /** A {@code google.protobuf.*} message as JsonFormat prints it (Timestamp as a string, Struct as an object, ...). */
  private static JsonNode wellKnown(Message m) {
    try {
      return TREES.readTree(WELL_KNOWN.print(m));
    } catch (InvalidProtocolBufferException | com.fasterxml.jackson.core.JsonProcessingException e) {
      ObjectNode o = F.objectNode();
      o.put("vectorgate_omitted", "not_convertible");
      o.put("type", m.getDescriptorForType().getFullName());
      return o;
    }
  }

  /** The JsonFormat text of {@code m} (tests compare the two). */
  static String jsonFormat(Message m) throws InvalidProtocolBufferException {
    return WELL_KNOWN.print(m);
  }
}
