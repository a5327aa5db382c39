package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.PlaceholderGroup;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rejects messages carrying a field the gateway refuses ({@link RequestFields}: {@code unsupported_field})
 * or anything the 2.6 proto does not define: unknown field numbers (at any
 * depth, including map entries and the messages serialized inside {@code bytes} fields that Milvus
 * decodes: a collection schema and a placeholder group) and unknown enum numbers. A newer client's
 * field (for example {@code skip_rls}) must never pass through a gateway that cannot see it.
 *
 * <p>Runs on every request, so each message type's {@link Shape} (which of its fields can fail the
 * check: refused ones, messages, enums, serialized messages) is worked out once; plain scalar fields
 * cannot fail it and are not read. Fields are checked in field-number order and the first problem is
 * reported, with its path built only then.
 */
final class ProtoGuard {
  /** Deeper nesting than any real Milvus message; guards the recursion. */
  static final int MAX_DEPTH = 64;

  private static final ConcurrentHashMap<Descriptor, Shape> SHAPES = new ConcurrentHashMap<>();

  private ProtoGuard() {}

  /** Throws {@link AdapterException} naming the first unknown field or enum value found. */
  static void check(Message message) {
    walk(message, null, 0);
  }

  /** How a field can fail the check. */
  private enum Kind { REFUSED, MESSAGE, ENUM, EMBEDDED }

  /** The fields of one message type that can fail the check, in field-number order. */
  private record Shape(String type, FieldDescriptor[] fields, Kind[] kinds, Message[] prototypes) {
    static Shape of(Descriptor d) {
      String type = d.getFullName();
      List<FieldDescriptor> fs = new ArrayList<>(d.getFields());
      fs.sort(Comparator.comparingInt(FieldDescriptor::getNumber));
      List<FieldDescriptor> keep = new ArrayList<>();
      List<Kind> kinds = new ArrayList<>();
      List<Message> protos = new ArrayList<>();
      for (FieldDescriptor fd : fs) {
        Kind k = null;
        Message proto = null;
        if (RequestFields.refused(type, fd.getName())) {
          k = Kind.REFUSED;
        } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          k = Kind.MESSAGE;
        } else if (fd.getJavaType() == FieldDescriptor.JavaType.ENUM) {
          k = Kind.ENUM;
        } else if (fd.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING) {
          proto = embedded(fd);
          k = proto == null ? null : Kind.EMBEDDED;
        }
        if (k != null) {
          keep.add(fd);
          kinds.add(k);
          protos.add(proto);
        }
      }
      return new Shape(type, keep.toArray(FieldDescriptor[]::new), kinds.toArray(Kind[]::new),
          protos.toArray(Message[]::new));
    }
  }

  /** The message type serialized in a {@code bytes} field Milvus parses, or null. */
  private static Message embedded(FieldDescriptor fd) {
    String owner = fd.getContainingType().getName();
    if (fd.getName().equals("schema") && owner.equals("CreateCollectionRequest")) {
      return CollectionSchema.getDefaultInstance();
    }
    if (fd.getName().equals("schema") && owner.equals("AddCollectionFieldRequest")) {
      return io.milvus.grpc.FieldSchema.getDefaultInstance();
    }
    return fd.getName().equals("placeholder_group") ? PlaceholderGroup.getDefaultInstance() : null;
  }

  /** Where a value sits, as a chain: rendered (e.g. {@code query_params[0].value}) only for an error. */
  private record Path(Path parent, String name, int index) {
    static Path of(Path parent, FieldDescriptor fd, int index) {
      return new Path(parent, fd.getName(), index);
    }

    static String render(Path p) {
      if (p == null) {
        return "";
      }
      String head = render(p.parent);
      String self = p.index < 0 ? p.name : p.name + "[" + p.index + "]";
      return head.isEmpty() ? self : head + "." + self;
    }
  }

  private static void walk(Message message, Path path, int depth) {
    if (depth > MAX_DEPTH) {
      String where = Path.render(path);
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, where,
          "message nesting deeper than " + MAX_DEPTH + " levels at `" + where + "`");
    }
    Descriptor d = message.getDescriptorForType();
    Shape shape = SHAPES.computeIfAbsent(d, Shape::of);
    if (!message.getUnknownFields().asMap().isEmpty()) {
      int number = message.getUnknownFields().asMap().keySet().iterator().next();
      String at = Path.render(path);
      String where = at.isEmpty() ? "the request" : "`" + at + "`";
      throw new AdapterException(AdapterException.UNKNOWN_FIELD, join(at, "#" + number),
          "unknown field number " + number + " in message " + shape.type() + " at " + where
              + "; the gateway speaks the Milvus 2.6 protocol and refuses fields it cannot inspect");
    }
    FieldDescriptor[] fields = shape.fields();
    for (int f = 0; f < fields.length; f++) {
      FieldDescriptor fd = fields[f];
      Kind kind = shape.kinds()[f];
      if (fd.isRepeated()) {
        int n = message.getRepeatedFieldCount(fd);
        if (n == 0) {
          continue;
        }
        if (kind == Kind.REFUSED) {
          throw refused(shape, fd, Path.of(path, fd, -1));
        }
        for (int i = 0; i < n; i++) {
          checkValue(kind, shape.prototypes()[f], fd, message.getRepeatedField(fd, i), path, i, depth);
        }
      } else if (message.hasField(fd)) {
        if (kind == Kind.REFUSED) {
          throw refused(shape, fd, Path.of(path, fd, -1));
        }
        checkValue(kind, shape.prototypes()[f], fd, message.getField(fd), path, -1, depth);
      }
    }
  }

  private static AdapterException refused(Shape shape, FieldDescriptor fd, Path at) {
    String fieldPath = Path.render(at);
    return new AdapterException(RequestFields.UNSUPPORTED_FIELD, fieldPath,
        "field `" + fieldPath + "` (" + shape.type() + "." + fd.getName() + ") is not supported by the gateway: "
            + RequestFields.entry(shape.type(), fd.getName()).orElseThrow().note());
  }

  private static void checkValue(Kind kind, Message prototype, FieldDescriptor fd, Object value, Path parent, int index,
      int depth) {
    switch (kind) {
      case MESSAGE -> walk((Message) value, Path.of(parent, fd, index), depth + 1);
      case ENUM -> {
        EnumValueDescriptor v = (EnumValueDescriptor) value;
        if (v.getIndex() < 0 || fd.getEnumType().findValueByNumber(v.getNumber()) == null) {
          String path = Path.render(Path.of(parent, fd, index));
          throw new AdapterException(AdapterException.UNKNOWN_ENUM_VALUE, path,
              "unknown value " + v.getNumber() + " for enum " + fd.getEnumType().getFullName() + " at `" + path + "`");
        }
      }
      case EMBEDDED -> checkEmbedded(prototype, (ByteString) value, Path.of(parent, fd, index), depth);
      case REFUSED -> throw new IllegalStateException("refused fields are reported before their values");
    }
  }

  /** A {@code bytes} field whose bytes are themselves a serialized message Milvus parses. */
  private static void checkEmbedded(Message prototype, ByteString bytes, Path path, int depth) {
    if (bytes.isEmpty()) {
      return;
    }
    Message parsed;
    try {
      parsed = prototype.getParserForType().parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      String at = Path.render(path);
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, at,
          "`" + at + "` is not a serialized " + prototype.getDescriptorForType().getFullName(), e);
    }
    walk(parsed, path, depth + 1);
  }

  static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
