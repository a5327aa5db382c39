package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.PlaceholderGroup;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.grpc.MilvusMethods;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ProtoGuard} (field shapes worked out once per type, scalars skipped) reports exactly what
 * the tree-walking {@link ProtoGuardOracle} reports (same code, same field path) on random requests
 * of every MilvusService method: random fields at every depth, refused fields, unknown enum numbers,
 * unknown field numbers in nested messages, map entries and serialized schemas / placeholder groups,
 * and bytes that do not parse.
 */
class ProtoGuardProperties {
  private static final List<Message> REQUESTS = MilvusMethods.all().values().stream()
      .map(m -> ((io.grpc.MethodDescriptor.PrototypeMarshaller<?>) m.getRequestMarshaller()).getMessagePrototype())
      .map(Message.class::cast).toList();

  @Provide
  Arbitrary<Message> requests() {
    return Arbitraries.integers().between(0, REQUESTS.size() - 1).flatMap(i ->
        Arbitraries.longs().map(seed -> random(REQUESTS.get(i), new Random(seed))));
  }

  @Property(tries = 3000)
  void fastGuardAgreesWithTheOracle(@ForAll("requests") Message request) {
    String expected = outcome(() -> ProtoGuardOracle.check(request));
    assertEquals(expected, outcome(() -> ProtoGuard.check(request)), request.getDescriptorForType().getFullName());
    Statistics.collect(expected.split(" ")[0]);
    // the generator must reach every kind of refusal, not only clean requests
    Statistics.coverage(c -> {
      for (String kind : List.of("pass", "unknown_field", "unsupported_field", "unknown_enum_value", "malformed_request")) {
        c.check(kind).count(n -> n >= 3);
      }
    });
  }

  private static String outcome(Runnable check) {
    try {
      check.run();
      return "pass";
    } catch (AdapterException e) {
      return e.code() + " @ " + e.field() + ": " + e.getMessage();
    }
  }

  /** A random message of {@code prototype}'s type, round-tripped through bytes like a real request. */
  static Message random(Message prototype, Random r) {
    Message built = build(prototype.newBuilderForType(), r, 0);
    try {
      return prototype.getParserForType().parseFrom(built.toByteString());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static Message build(Message.Builder b, Random r, int depth) {
    Descriptor d = b.getDescriptorForType();
    for (FieldDescriptor fd : d.getFields()) {
      if (r.nextInt(100) >= (depth == 0 ? 45 : 30)) {
        continue;
      }
      int n = fd.isRepeated() ? 1 + r.nextInt(2) : 1;
      for (int i = 0; i < n; i++) {
        Object v = value(b, fd, r, depth);
        if (v == null) {
          continue;
        }
        if (fd.isRepeated()) {
          b.addRepeatedField(fd, v);
        } else {
          b.setField(fd, v);
        }
      }
    }
    if (r.nextInt(100) < (depth == 0 ? 6 : 4)) {
      int number = 900 + r.nextInt(100);
      b.setUnknownFields(UnknownFieldSet.newBuilder().addField(number,
          UnknownFieldSet.Field.newBuilder().addVarint(r.nextInt(5)).build()).build());
    }
    return b.build();
  }

  private static Object value(Message.Builder b, FieldDescriptor fd, Random r, int depth) {
    return switch (fd.getJavaType()) {
      case MESSAGE -> depth >= 4 ? null : build(b.newBuilderForField(fd), r, depth + 1);
      case ENUM -> r.nextInt(10) == 0 ? fd.getEnumType().findValueByNumberCreatingIfUnknown(1000 + r.nextInt(5))
          : fd.getEnumType().getValues().get(r.nextInt(fd.getEnumType().getValues().size()));
      case BYTE_STRING -> bytes(fd, r, depth);
      case STRING -> r.nextBoolean() ? "" : "s" + r.nextInt(100);
      case BOOLEAN -> r.nextBoolean();
      case INT -> r.nextInt(3) == 0 ? 0 : r.nextInt(1000);
      case LONG -> r.nextInt(3) == 0 ? 0L : (long) r.nextInt(1000);
      case FLOAT -> (float) r.nextInt(10);
      case DOUBLE -> (double) r.nextInt(10);
    };
  }

  /** For fields Milvus parses as messages: a random schema / placeholder group, or bytes that do not parse. */
  private static ByteString bytes(FieldDescriptor fd, Random r, int depth) {
    boolean schema = fd.getName().equals("schema");
    boolean placeholders = fd.getName().equals("placeholder_group");
    if ((schema || placeholders) && r.nextBoolean()) {
      Message.Builder inner = placeholders ? PlaceholderGroup.newBuilder()
          : fd.getContainingType().getName().equals("AddCollectionFieldRequest")
              ? io.milvus.grpc.FieldSchema.newBuilder() : CollectionSchema.newBuilder();
      return build(inner, r, Math.max(depth, 2)).toByteString();
    }
    if (schema || placeholders) {
      // bytes that are no message at all (random short bytes often do parse): the guard must refuse them
      return ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, (byte) r.nextInt(256)});
    }
    byte[] raw = new byte[r.nextInt(4)];
    r.nextBytes(raw);
    return ByteString.copyFrom(raw);
  }
}
