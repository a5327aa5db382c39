package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes Java values (the model records in an entry: identity, operation, decision, ...) straight
 * to a generator in the canonical form, without building a tree first. The result is the bytes
 * {@code RecordFormat.writeCanonical(mapper().valueToTree(value))} gives, which is how entries were
 * encoded before: bean properties and map keys sorted by name, every JSON tree inside written
 * canonically, {@code float} and {@code BigDecimal} written as the {@code double} the tree held.
 * A map with a key that is not a string takes the tree path (the tree's key order is that of the
 * keys' text). The property test {@code StreamingEncoderProperties} holds it to the tree encoder.
 */
final class CanonicalValues {
  private static final ObjectWriter WRITER;

  static {
    SimpleModule m = new SimpleModule("vectorgate-canonical");
    m.addSerializer(JsonNode.class, new StdSerializer<>(JsonNode.class) {
      @Override
      public void serialize(JsonNode n, JsonGenerator g, SerializerProvider p) throws IOException {
        RecordFormat.writeCanonical(n, g, null);
      }
    });
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Map<?, ?>> mapClass = (Class) Map.class;
    m.addSerializer(mapClass, new SortedMapSerializer(mapClass));
    StdSerializer<Float> asDouble = new StdSerializer<>(Float.class) {
      @Override
      public void serialize(Float f, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeNumber(f.doubleValue());
      }
    };
    m.addSerializer(Float.class, asDouble);
    m.addSerializer(Float.TYPE, asDouble);
    m.addSerializer(BigDecimal.class, new StdSerializer<>(BigDecimal.class) {
      @Override
      public void serialize(BigDecimal d, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeNumber(d.doubleValue());
      }
    });
    WRITER = JsonMapper.builder()
        .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
        .disable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
        .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
        .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
        .addModule(m)
        .addModule(new BlackbirdModule())
        .build()
        .writer();
  }

  private CanonicalValues() {}

  /** Writes the members of one object; Java values go through {@link Values} (one serialization for all). */
  @FunctionalInterface
  interface Members {
    void write(Values values) throws IOException;
  }

  /** Writes one member holding a Java value canonically; nothing when the value is null. */
  @FunctionalInterface
  interface Values {
    void write(String name, Object value) throws IOException;
  }

  /**
   * Calls {@code members} inside one serialization on {@code g}: the values it writes share one
   * serializer provider (one per entry, not one per value).
   */
  static void writeObject(JsonGenerator g, Members members) throws IOException {
    WRITER.writeValue(g, new MembersSerializable(members));
  }

  /** Adapts {@link Members} to Jackson's serialization: the provider writes the values. */
  private record MembersSerializable(Members members) implements JsonSerializable {
    @Override
    public void serialize(JsonGenerator g, SerializerProvider p) throws IOException {
      members.write((name, value) -> {
        if (value != null) {
          g.writeFieldName(name);
          p.defaultSerializeValue(value, g);
        }
      });
    }

    @Override
    public void serializeWithType(JsonGenerator g, SerializerProvider p, TypeSerializer t) throws IOException {
      serialize(g, p);
    }
  }

  /** Map entries sorted by key; values through the canonical serializers. */
  private static final class SortedMapSerializer extends StdSerializer<Map<?, ?>> {
    SortedMapSerializer(Class<Map<?, ?>> t) {
      super(t);
    }

    @Override
    public void serialize(Map<?, ?> map, JsonGenerator g, SerializerProvider p) throws IOException {
      @SuppressWarnings("unchecked")
      Map.Entry<Object, Object>[] entries = map.entrySet().toArray(new Map.Entry[0]);
      for (Map.Entry<Object, Object> e : entries) {
        if (!(e.getKey() instanceof String)) {
          RecordFormat.writeCanonical(RecordFormat.mapper().valueToTree(map), g, null);
          return;
        }
      }
      Arrays.sort(entries, (a, b) -> ((String) a.getKey()).compareTo((String) b.getKey()));
      g.writeStartObject();
      for (Map.Entry<Object, Object> e : entries) {
        g.writeFieldName((String) e.getKey());
        p.defaultSerializeValue(e.getValue(), g);
      }
      g.writeEndObject();
    }

    @Override
    public boolean isEmpty(SerializerProvider p, Map<?, ?> value) {
      return value.isEmpty();
    }
  }
}
