package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.PlaceholderGroup;
import java.util.Random;

/**
 * Random protobuf messages of any Milvus type, for properties: random fields at every depth (up to
 * 4), scalars across their range (extremes, negatives, NaN and infinities, -0.0, non-ASCII text),
 * unknown enum numbers, unknown field numbers in nested messages, map entries, and serialized
 * schemas / placeholder groups or bytes that do not parse in the fields Milvus parses.
 */
public final class RandomMessages {
  private static final String[] STRINGS = {"", "s", "tenant_id == \"acme\"", "ä\u0000\"x", "日本", "\uD83D\uDE00"};
  private static final float[] FLOATS = {0f, -0f, 1.5f, -3e-8f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN,
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 7f};
  private static final double[] DOUBLES = {0d, -0d, 0.1d, -1e300d, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN,
      Double.NEGATIVE_INFINITY, 42d};

  private RandomMessages() {}

  /** A random message of {@code prototype}'s type, round-tripped through bytes like a real request. */
  public static Message random(Message prototype, Random r) {
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
      case STRING -> STRINGS[r.nextInt(STRINGS.length)] + (r.nextBoolean() ? "" : r.nextInt(100));
      case BOOLEAN -> r.nextBoolean();
      case INT -> switch (r.nextInt(6)) {
        case 0 -> 0;
        case 1 -> r.nextInt();
        case 2 -> r.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        default -> r.nextInt(1000) - 100;
      };
      case LONG -> switch (r.nextInt(6)) {
        case 0 -> 0L;
        case 1 -> r.nextLong();
        case 2 -> r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
        default -> (long) r.nextInt(1000) - 100;
      };
      case FLOAT -> FLOATS[r.nextInt(FLOATS.length)] * (r.nextBoolean() ? 1 : r.nextFloat());
      case DOUBLE -> DOUBLES[r.nextInt(DOUBLES.length)] * (r.nextBoolean() ? 1 : r.nextDouble());
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
