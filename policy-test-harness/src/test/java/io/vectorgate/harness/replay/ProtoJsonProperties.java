package io.vectorgate.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.milvus.grpc.DescribeCollectionResponse;
import io.milvus.grpc.SearchRequest;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.proxy.adapter.milvus.MilvusRpcs;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ProtoJson#parse} gives what {@link JsonFormat}'s parser gives (the same message, or an
 * exception of the same type and text) on generated Milvus request and response messages printed as the
 * recorder prints them, and on hostile mutations of them; and its fast path does read the canonical
 * payloads (so the agreement is not only the fallback agreeing with itself).
 */
class ProtoJsonProperties {
  static final List<Message> PROTOTYPES = prototypes();

  static List<Message> prototypes() {
    List<Message> out = new ArrayList<>();
    MilvusRpcs.all().values().forEach(r -> {
      out.add(r.requestPrototype());
      out.add(r.responsePrototype());
    });
    out.add(DescribeCollectionResponse.getDefaultInstance());
    return List.copyOf(out);
  }

  @Provide
  Arbitrary<Message> prototype() {
    return Arbitraries.of(PROTOTYPES);
  }

  @Property(tries = 400)
  void canonicalPayloadsTakeTheFastPathAndGiveTheSameMessage(@ForAll("prototype") Message proto, @ForAll long seed,
      @ForAll boolean protoNames) throws Exception {
    Random r = new Random(seed);
    boolean[] fastReadable = {true};
    Message m = random(proto, r, 0, fastReadable);
    JsonNode json = print(m, protoNames);
    assertEquals(m, ProtoJson.parse(json, proto, false));
    assertEquals(m, ProtoJson.parse(json, proto, true));
    Statistics.label("fast path readable").collect(fastReadable[0]);
    Statistics.label("fast path readable").coverage(c -> c.check(true).percentage(p -> p > 30));
    if (fastReadable[0]) {
      Message.Builder b = proto.newBuilderForType();
      assertTrue(ProtoJson.fast((ObjectNode) json, b, false, 0), "fast path gave up on " + json);
      assertEquals(m, b.build());
    }
  }

  @Property(tries = 1500)
  void hostilePayloadsGiveWhatJsonFormatGives(@ForAll("prototype") Message proto, @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 4) int mutations, @ForAll boolean ignoreUnknown) throws Exception {
    Random r = new Random(seed);
    JsonNode json = print(random(proto, r, 0, new boolean[] {true}), r.nextBoolean());
    for (int i = 0; i < mutations; i++) {
      json = mutate(json, r);
    }
    Object expected = reference(json, proto, ignoreUnknown);
    Statistics.label("JsonFormat refuses").collect(expected instanceof String);
    Statistics.label("JsonFormat refuses").coverage(c -> {
      c.check(true).percentage(p -> p > 20);
      c.check(false).percentage(p -> p > 10);
    });
    assertEquals(expected, outcome(json, proto, ignoreUnknown), json.toString());
  }

  @Property(tries = 200)
  void wholeTreesOfTheWrongShapeGiveWhatJsonFormatGives(@ForAll("prototype") Message proto, @ForAll long seed) {
    Random r = new Random(seed);
    JsonNode json = hostile(r);
    assertEquals(reference(json, proto, false), outcome(json, proto, false), json.toString());
  }

  /** Hand-picked cases at the edges of what the fast path reads. */
  @Property(tries = 1)
  void edges() throws Exception {
    SearchRequest proto = SearchRequest.getDefaultInstance();
    for (String s : List.of("{\"nq\": \"9223372036854775807\"}", "{\"nq\": \"9223372036854775808\"}", "{\"nq\": \"-0\"}",
        "{\"nq\": \"007\"}", "{\"nq\": \"+7\"}", "{\"nq\": 1.0}", "{\"nq\": 1e2}", "{\"nq\": \"1e2\"}", "{\"nq\": true}",
        "{\"guaranteeTimestamp\": \"18446744073709551615\"}", "{\"guaranteeTimestamp\": -1}",
        "{\"collectionName\": \"a\", \"collection_name\": \"b\"}", "{\"collectionName\": 5}", "{\"collectionName\": null}",
        "{\"dslType\": \"BoolExprV1\"}", "{\"dslType\": 1}", "{\"dslType\": \"nope\"}", "{\"placeholderGroup\": \"AA==\"}",
        "{\"placeholderGroup\": \"AA\"}", "{\"placeholderGroup\": \"AB==\"}", "{\"placeholderGroup\": \"-_8=\"}",
        "{\"searchParams\": [{\"key\": \"topk\", \"value\": \"10\"}, null]}", "{\"searchParams\": {}}",
        "{\"outputFields\": [\"a\", 1]}", "{\"useDefaultConsistency\": \"true\"}", "{\"unknown\": 1}",
        "{\"exprTemplateValues\": {\"a\": {\"int64Val\": \"3\"}}}", "{\"exprTemplateValues\": {\"a\": null}}",
        "{\"exprTemplateValues\": {\"a\": {\"int64Val\": \"3\", \"boolVal\": true}}}", "[]", "null", "\"x\"", "{}")) {
      JsonNode json = ContractJson.mapper().readTree(s);
      for (boolean ignore : new boolean[] {false, true}) {
        assertEquals(reference(json, proto, ignore), outcome(json, proto, ignore), s);
      }
    }
  }

  static Object outcome(JsonNode json, Message proto, boolean ignoreUnknown) {
    try {
      return ProtoJson.parse(json, proto, ignoreUnknown);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  static Object reference(JsonNode json, Message proto, boolean ignoreUnknown) {
    try {
      Message.Builder b = proto.newBuilderForType();
      (ignoreUnknown ? JsonFormat.parser().ignoringUnknownFields() : JsonFormat.parser()).merge(json.toString(), b);
      return b.build();
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  static JsonNode print(Message m, boolean protoNames) throws Exception {
    JsonFormat.Printer p = JsonFormat.printer().omittingInsignificantWhitespace();
    return ContractJson.mapper().readTree((protoNames ? p.preservingProtoFieldNames() : p).print(m));
  }

  /** A message with random fields set; {@code fastReadable[0]} becomes false where the fast path gives up by design. */
  static Message random(Message proto, Random r, int depth, boolean[] fastReadable) {
    Message.Builder b = proto.newBuilderForType();
    if (proto.getDescriptorForType().getFile().getPackage().equals("google.protobuf")) {
      fastReadable[0] = false;
      return b.build();
    }
    for (FieldDescriptor f : proto.getDescriptorForType().getFields()) {
      if (r.nextInt(3) != 0) {
        continue;
      }
      if (f.isMapField()) {
        FieldDescriptor k = f.getMessageType().findFieldByName("key");
        FieldDescriptor v = f.getMessageType().findFieldByName("value");
        java.util.Set<Object> keys = new java.util.HashSet<>();
        for (int i = r.nextInt(3); i > 0; i--) {
          Message.Builder e = b.newBuilderForField(f);
          Object key = scalar(k, e, r, depth, fastReadable);
          if (!keys.add(key)) {
            continue; // one entry per key, as a map prints
          }
          e.setField(k, key);
          e.setField(v, scalar(v, e, r, depth, fastReadable));
          b.addRepeatedField(f, e.build());
        }
        if (k.getType() != FieldDescriptor.Type.STRING && b.getRepeatedFieldCount(f) > 0) {
          fastReadable[0] = false;
        }
      } else if (f.isRepeated()) {
        for (int i = r.nextInt(4); i > 0; i--) {
          b.addRepeatedField(f, scalar(f, b, r, depth, fastReadable));
        }
      } else {
        b.setField(f, scalar(f, b, r, depth, fastReadable));
      }
    }
    return b.build();
  }

  static Object scalar(FieldDescriptor f, Message.Builder parent, Random r, int depth, boolean[] fastReadable) {
    return switch (f.getType()) {
      case STRING -> List.of("", "docs", "id > 1", "ünïcødé \"q\" \\ \u2028", "vectorgate_stripped", "00").get(r.nextInt(6));
      case BOOL -> r.nextBoolean();
      case INT32, SINT32, SFIXED32 -> List.of(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, r.nextInt()).get(r.nextInt(6));
      case UINT32, FIXED32 -> List.of(0, 7, -1, r.nextInt()).get(r.nextInt(4));
      case INT64, SINT64, SFIXED64 -> List.of(0L, 5L, -5L, Long.MAX_VALUE, Long.MIN_VALUE, r.nextLong()).get(r.nextInt(6));
      case UINT64, FIXED64 -> {
        long v = List.of(0L, 9L, Long.MAX_VALUE, -1L, r.nextLong()).get(r.nextInt(5));
        if (v < 0) {
          fastReadable[0] = false; // above Long.MAX_VALUE unsigned
        }
        yield v;
      }
      case FLOAT -> {
        fastReadable[0] = false;
        yield List.of(0f, 1.5f, -3.25e10f, Float.NaN, Float.MAX_VALUE).get(r.nextInt(5));
      }
      case DOUBLE -> {
        fastReadable[0] = false;
        yield List.of(0d, 0.1, -1e300, Double.POSITIVE_INFINITY).get(r.nextInt(4));
      }
      case BYTES -> {
        byte[] bytes = new byte[r.nextInt(9)];
        r.nextBytes(bytes);
        yield ByteString.copyFrom(bytes);
      }
      case ENUM -> {
        List<EnumValueDescriptor> vs = f.getEnumType().getValues();
        yield vs.get(r.nextInt(vs.size()));
      }
      case MESSAGE, GROUP -> depth >= 3 ? parent.newBuilderForField(f).build()
          : random(parent.newBuilderForField(f).build(), r, depth + 1, fastReadable);
    };
  }

  static final List<JsonNode> HOSTILE = List.of(NullNode.instance, DoubleNode.valueOf(1.0), DoubleNode.valueOf(2.5),
      IntNode.valueOf(-1), LongNode.valueOf(Long.MAX_VALUE), BigIntegerNode.valueOf(BigInteger.ONE.shiftLeft(64)),
      BigIntegerNode.valueOf(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)), TextNode.valueOf("01"),
      TextNode.valueOf("+5"), TextNode.valueOf(" 5"), TextNode.valueOf("abc"), TextNode.valueOf("AAE"),
      TextNode.valueOf("AA=="), TextNode.valueOf("AB=="), TextNode.valueOf("-_8="), TextNode.valueOf("true"),
      TextNode.valueOf("1e3"), TextNode.valueOf("NaN"), TextNode.valueOf("4294967296"), BooleanNode.TRUE,
      IntNode.valueOf(3), JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.arrayNode(),
      JsonNodeFactory.instance.objectNode().put("unknown_field", 1),
      JsonNodeFactory.instance.arrayNode().add(NullNode.instance), JsonNodeFactory.instance.arrayNode().add(1.5));

  static JsonNode hostile(Random r) {
    return HOSTILE.get(r.nextInt(HOSTILE.size())).deepCopy();
  }

  /** One random change somewhere in the tree: a value replaced, a member added (unknown or under its other name). */
  static JsonNode mutate(JsonNode root, Random r) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    if (containers.isEmpty()) {
      return hostile(r);
    }
    JsonNode c = containers.get(r.nextInt(containers.size()));
    if (c instanceof ObjectNode o) {
      List<String> keys = new ArrayList<>();
      o.fieldNames().forEachRemaining(keys::add);
      switch (keys.isEmpty() ? 1 : r.nextInt(4)) {
        case 0, 3 -> o.set(keys.get(r.nextInt(keys.size())), hostile(r));
        case 1 -> o.set(r.nextBoolean() ? "unknownField" : "no_such_field", hostile(r));
        default -> {
          String k = keys.get(r.nextInt(keys.size()));
          String other = k.contains("_") ? camel(k) : snake(k);
          o.set(other, r.nextBoolean() ? o.get(k).deepCopy() : hostile(r));
        }
      }
    } else if (c instanceof ArrayNode a && !a.isEmpty()) {
      a.set(r.nextInt(a.size()), hostile(r));
    } else if (c instanceof ArrayNode a) {
      a.add(hostile(r));
    }
    return root;
  }

  static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      for (JsonNode child : n) {
        collect(child, out);
      }
    }
  }

  static String camel(String s) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : s.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }

  static String snake(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (Character.isUpperCase(c)) {
        b.append('_').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
