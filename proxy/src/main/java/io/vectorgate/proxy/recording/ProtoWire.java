package io.vectorgate.proxy.recording;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import io.vectorgate.recorder.VectorStripper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recorder's canonical JSON of a protobuf message, read from the message's serialized bytes
 * instead of through protobuf's reflection ({@code getAllFields} builds a sorted map and calls a
 * reflective getter per field; on the recording gateway's writer thread it was half of the CPU an
 * entry cost). Each message type's fields are sorted by name once; the bytes are walked with a
 * {@link CodedInputStream}, each field's values collected, and the members written in name order
 * with the same value rules as {@link ProtoJson#writeCanonical}: what a message's serializer writes
 * is exactly the set of fields {@code getAllFields} returns, with the same values.
 *
 * <p>Types this does not take (well-known {@code google.protobuf.*} messages anywhere below, groups,
 * closed enums, extensions) answer false from {@link #supports}, and the caller uses the reflective
 * path. A field repeated on the wire where the type says singular makes {@link #write} throw
 * {@link Unsupported} before anything is written, for the same fallback. The property test
 * {@code ProtoWireProperties} holds it to the tree's canonical form on random messages of every
 * MilvusService request and response type.
 */
final class ProtoWire {
  private static final Map<Descriptor, Shape> SHAPES = new ConcurrentHashMap<>();

  private ProtoWire() {}

  /** The bytes did not look like what this type's serializer writes: take the reflective path. */
  static final class Unsupported extends Exception {
    Unsupported(String why) {
      super(why, null, false, false);
    }
  }

  /** Whether messages of this type (and every type below it) can be written from their bytes. */
  static boolean supports(Descriptor d) {
    return shape(d).supported;
  }

  /**
   * Writes {@code m} canonically (members by name, map keys sorted, vectors replaced by
   * {@code strip}, null: kept). Only for types {@link #supports} accepts. Throws {@link Unsupported}
   * (or {@code InvalidProtocolBufferException}) before writing anything when the bytes hold what
   * this reader does not take: the whole message is read before the first member is written.
   */
  static void write(Message m, JsonGenerator g, VectorStripper strip) throws IOException, Unsupported {
    byte[] bytes = m.toByteArray();
    Parsed parsed = shape(m.getDescriptorForType()).read(bytes, 0, bytes.length);
    write(parsed, g, strip);
  }

  private static Shape shape(Descriptor d) {
    Shape s = SHAPES.get(d);
    if (s == null) {
      s = SHAPES.computeIfAbsent(d, Shape::new);
      s.supported = supportedBelow(d, new HashSet<>());
    }
    return s;
  }

  private static boolean supportedBelow(Descriptor d, Set<Descriptor> seen) {
    if (!seen.add(d)) {
      return true;
    }
    if (d.getFile().getPackage().equals("google.protobuf") || d.isExtendable()) {
      return false;
    }
    for (FieldDescriptor f : d.getFields()) {
      switch (f.getType()) {
        case GROUP -> {
          return false;
        }
        case ENUM -> {
          if (f.legacyEnumFieldTreatedAsClosed()) {
            return false; // unknown numbers of closed enums go to the unknown fields, not the field
          }
        }
        case MESSAGE -> {
          if (!supportedBelow(f.getMessageType(), seen)) {
            return false;
          }
        }
        default -> { }
      }
    }
    return true;
  }

  /** A message read from its bytes: its shape and, per field slot, a value or a list (repeated). */
  private record Parsed(Shape shape, Object[] slots) {}

  /** One message type: its fields sorted by name, and a field number → slot table. */
  private static final class Shape {
    final FieldDescriptor[] fields;
    /** Per slot: the wire type of one value, whether a packed run is accepted, the message type's shape (lazily). */
    final int[] wireType;
    final boolean[] packable;
    final Shape[] child;
    final int[] slotOfNumber;
    final Map<Integer, Integer> slotOfLargeNumber;
    volatile boolean supported;

    Shape(Descriptor d) {
      fields = d.getFields().toArray(new FieldDescriptor[0]);
      Arrays.sort(fields, Comparator.comparing(FieldDescriptor::getName));
      wireType = new int[fields.length];
      packable = new boolean[fields.length];
      child = new Shape[fields.length];
      for (int i = 0; i < fields.length; i++) {
        wireType[i] = fields[i].getLiteType().getWireType();
        packable[i] = fields[i].isPackable();
      }
      int max = 0;
      for (FieldDescriptor f : fields) {
        max = Math.max(max, f.getNumber());
      }
      if (max <= 4096) {
        slotOfNumber = new int[max + 1];
        Arrays.fill(slotOfNumber, -1);
        for (int i = 0; i < fields.length; i++) {
          slotOfNumber[fields[i].getNumber()] = i;
        }
        slotOfLargeNumber = null;
      } else {
        slotOfNumber = null;
        slotOfLargeNumber = new HashMap<>();
        for (int i = 0; i < fields.length; i++) {
          slotOfLargeNumber.put(fields[i].getNumber(), i);
        }
      }
    }

    private int slot(int number) {
      if (slotOfNumber != null) {
        return number < slotOfNumber.length ? slotOfNumber[number] : -1;
      }
      Integer s = slotOfLargeNumber.get(number);
      return s == null ? -1 : s;
    }

    /** Reads {@code buf[offset, offset+length)} as this type, nested messages included. */
    Parsed read(byte[] buf, int offset, int length) throws IOException, Unsupported {
      Object[] slots = new Object[fields.length];
      CodedInputStream in = CodedInputStream.newInstance(buf, offset, length);
      int tag;
      while ((tag = in.readTag()) != 0) {
        int slot = slot(WireFormat.getTagFieldNumber(tag));
        if (slot < 0) {
          in.skipField(tag); // unknown fields: not among the message's fields, not in its JSON
          continue;
        }
        FieldDescriptor f = fields[slot];
        int wireType = WireFormat.getTagWireType(tag);
        if (f.isRepeated()) {
          @SuppressWarnings("unchecked")
          List<Object> list = (List<Object>) slots[slot];
          if (list == null) {
            list = new ArrayList<>();
            slots[slot] = list;
          }
          if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED && packable[slot]) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
              list.add(scalar(in, f));
            }
            in.popLimit(limit);
          } else if (wireType == this.wireType[slot]) {
            list.add(value(in, slot, buf, offset));
          } else {
            throw new Unsupported("wire type " + wireType + " for " + f.getFullName());
          }
        } else {
          if (wireType != this.wireType[slot]) {
            throw new Unsupported("wire type " + wireType + " for " + f.getFullName());
          }
          if (slots[slot] != null && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            throw new Unsupported("message field " + f.getFullName() + " twice (the parser would merge them)");
          }
          slots[slot] = value(in, slot, buf, offset);
        }
      }
      return new Parsed(this, slots);
    }

    /** One value of the field in {@code slot}; a message read from its range of the buffer. */
    private Object value(CodedInputStream in, int slot, byte[] buf, int base) throws IOException, Unsupported {
      FieldDescriptor f = fields[slot];
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        int length = in.readRawVarint32();
        int offset = base + in.getTotalBytesRead();
        in.skipRawBytes(length);
        Shape inner = child[slot];
        if (inner == null) {
          inner = shape(f.getMessageType());
          child[slot] = inner; // racy but idempotent: every thread stores the same shape
        }
        return inner.read(buf, offset, length);
      }
      return scalar(in, f);
    }

    /** A scalar as the boxed value protobuf's reflection gives (enums as their value descriptor). */
    private static Object scalar(CodedInputStream in, FieldDescriptor f) throws IOException {
      return switch (f.getType()) {
        case INT32 -> in.readInt32();
        case SINT32 -> in.readSInt32();
        case SFIXED32 -> in.readSFixed32();
        case UINT32 -> in.readUInt32();
        case FIXED32 -> in.readFixed32();
        case INT64 -> in.readInt64();
        case SINT64 -> in.readSInt64();
        case SFIXED64 -> in.readSFixed64();
        case UINT64 -> in.readUInt64();
        case FIXED64 -> in.readFixed64();
        case BOOL -> in.readBool();
        case FLOAT -> in.readFloat();
        case DOUBLE -> in.readDouble();
        case STRING -> in.readStringRequireUtf8();
        case BYTES -> in.readBytes();
        case ENUM -> f.getEnumType().findValueByNumberCreatingIfUnknown(in.readEnum());
        case MESSAGE, GROUP -> throw new IllegalStateException("not a scalar: " + f.getFullName());
      };
    }
  }

  /** Writes a read message: members by name, with the reflective path's value rules. */
  private static void write(Parsed m, JsonGenerator g, VectorStripper strip) throws IOException {
    FieldDescriptor[] fields = m.shape().fields;
    Object[] slots = m.slots();
    g.writeStartObject();
    for (int i = 0; i < fields.length; i++) {
      Object v = slots[i];
      if (v == null) {
        continue;
      }
      FieldDescriptor f = fields[i];
      g.writeFieldName(f.getName());
      if (strip != null && strip.alwaysStrippedField(f.getName())) {
        strip.writeFieldMarker(g, f.isRepeated() && !f.isMapField() ? ((List<?>) v).size() : -1);
      } else if (f.isMapField()) {
        writeMap(f, (List<?>) v, g, strip);
      } else if (f.isRepeated()) {
        writeRepeated(f, (List<?>) v, g, strip);
      } else {
        writeValue(f, v, g, strip);
      }
    }
    g.writeEndObject();
  }

  private static void writeValue(FieldDescriptor f, Object v, JsonGenerator g, VectorStripper strip) throws IOException {
    if (v instanceof Parsed p) {
      write(p, g, strip);
    } else {
      ProtoJson.writeScalarCanonical(f, v, g);
    }
  }

  private static void writeRepeated(FieldDescriptor f, List<?> values, JsonGenerator g, VectorStripper strip)
      throws IOException {
    boolean messages = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
    if (strip != null && !messages && values.size() >= strip.minDimension() && ProtoJson.allNumbers(f, values)) {
      strip.writeVectorMarker(g, values.size());
      return;
    }
    g.writeStartArray();
    for (Object v : values) {
      writeValue(f, v, g, strip);
    }
    g.writeEndArray();
  }

  /** A map: entries by key text, a later entry with the same key wins; absent keys and values are their defaults. */
  private static void writeMap(FieldDescriptor f, List<?> entries, JsonGenerator g, VectorStripper strip)
      throws IOException {
    Descriptor entry = f.getMessageType();
    FieldDescriptor key = entry.findFieldByNumber(1);
    FieldDescriptor value = entry.findFieldByNumber(2);
    TreeMap<String, Object> sorted = new TreeMap<>();
    for (Object o : entries) {
      Parsed e = (Parsed) o;
      Object k = slotOf(e, key);
      Object v = slotOf(e, value);
      if (k == null) {
        k = key.getDefaultValue();
      }
      sorted.put(ProtoJson.mapKey(key, k), v == null ? DEFAULT : v);
    }
    g.writeStartObject();
    for (Map.Entry<String, Object> e : sorted.entrySet()) {
      g.writeFieldName(e.getKey());
      Object v = e.getValue();
      if (strip != null && strip.alwaysStrippedField(e.getKey())) {
        strip.writeFieldMarker(g, -1);
      } else if (v == DEFAULT && value.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        g.writeStartObject(); // an absent message value is the empty message
        g.writeEndObject();
      } else {
        writeValue(value, v == DEFAULT ? value.getDefaultValue() : v, g, strip);
      }
    }
    g.writeEndObject();
  }

  private static final Object DEFAULT = new Object();

  private static Object slotOf(Parsed p, FieldDescriptor f) {
    FieldDescriptor[] fields = p.shape().fields;
    for (int i = 0; i < fields.length; i++) {
      if (fields[i] == f) {
        return p.slots()[i];
      }
    }
    return null;
  }
}
