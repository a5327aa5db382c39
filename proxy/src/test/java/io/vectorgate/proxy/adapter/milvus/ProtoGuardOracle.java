package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.PlaceholderGroup;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.List;
import java.util.Map;

/** The first, tree-walking implementation of {@link ProtoGuard}, kept as the oracle its fast path must agree with.
 * Rejects messages carrying a field the gateway refuses ({@link RequestFields}: {@code unsupported_field})
 * or anything the 2.6 proto does not define: unknown field numbers (at any
 * depth, including map entries and the messages serialized inside {@code bytes} fields that Milvus
 * decodes: a collection schema and a placeholder group) and unknown enum numbers. A newer client's
 * field (for example {@code skip_rls}) must never pass through a gateway that cannot see it.
 */
final class ProtoGuardOracle {
  /** Deeper nesting than any real Milvus message; guards the recursion. */
  static final int MAX_DEPTH = 64;

  private ProtoGuardOracle() {}

  /** Throws {@link AdapterException} naming the first unknown field or enum value found. */
  static void check(Message message) {
    walk(message, "", 0);
  }

  private static void walk(Message message, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path,
          "message nesting deeper than " + MAX_DEPTH + " levels at `" + path + "`");
    }
    String type = message.getDescriptorForType().getFullName();
    if (!message.getUnknownFields().asMap().isEmpty()) {
      int number = message.getUnknownFields().asMap().keySet().iterator().next();
      String where = path.isEmpty() ? "the request" : "`" + path + "`";
      throw new AdapterException(AdapterException.UNKNOWN_FIELD, join(path, "#" + number),
          "unknown field number " + number + " in message " + type + " at " + where
              + "; the gateway speaks the Milvus 2.6 protocol and refuses fields it cannot inspect");
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor fd = e.getKey();
      String fieldPath = join(path, fd.getName());
      if (RequestFields.refused(type, fd.getName())) {
        throw new AdapterException(RequestFields.UNSUPPORTED_FIELD, fieldPath,
            "field `" + fieldPath + "` (" + type + "." + fd.getName() + ") is not supported by the gateway: "
                + RequestFields.entry(type, fd.getName()).orElseThrow().note());
      }
      if (fd.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        for (int i = 0; i < values.size(); i++) {
          checkValue(fd, values.get(i), fieldPath + "[" + i + "]", depth);
        }
      } else {
        checkValue(fd, e.getValue(), fieldPath, depth);
      }
    }
  }

  private static void checkValue(FieldDescriptor fd, Object value, String path, int depth) {
    switch (fd.getJavaType()) {
      case MESSAGE -> walk((Message) value, path, depth + 1);
      case ENUM -> {
        EnumValueDescriptor v = (EnumValueDescriptor) value;
        if (v.getIndex() < 0 || fd.getEnumType().findValueByNumber(v.getNumber()) == null) {
          throw new AdapterException(AdapterException.UNKNOWN_ENUM_VALUE, path,
              "unknown value " + v.getNumber() + " for enum " + fd.getEnumType().getFullName() + " at `" + path + "`");
        }
      }
      case BYTE_STRING -> checkEmbedded(fd, (ByteString) value, path, depth);
      default -> { }
    }
  }

  /** Fields whose bytes are themselves a serialized message Milvus parses. */
  private static void checkEmbedded(FieldDescriptor fd, ByteString bytes, String path, int depth) {
    if (bytes.isEmpty()) {
      return;
    }
    String owner = fd.getContainingType().getName();
    Message prototype = null;
    if (fd.getName().equals("schema") && (owner.equals("CreateCollectionRequest") || owner.equals("AddCollectionFieldRequest"))) {
      prototype = owner.equals("CreateCollectionRequest")
          ? CollectionSchema.getDefaultInstance()
          : io.milvus.grpc.FieldSchema.getDefaultInstance();
    } else if (fd.getName().equals("placeholder_group")) {
      prototype = PlaceholderGroup.getDefaultInstance();
    }
    if (prototype == null) {
      return;
    }
    Message parsed;
    try {
      parsed = prototype.getParserForType().parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, path,
          "`" + path + "` is not a serialized " + prototype.getDescriptorForType().getFullName(), e);
    }
    walk(parsed, path, depth + 1);
  }

  static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
