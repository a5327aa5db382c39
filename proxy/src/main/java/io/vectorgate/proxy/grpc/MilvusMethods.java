package io.vectorgate.proxy.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.milvus.grpc.MilvusProto;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every method of {@code milvus.proto.milvus.MilvusService}, built from the protobuf descriptor
 * shipped in io.milvus:milvus-sdk-java, with marshallers for the SDK's generated message classes
 * (found by reflection from the descriptor's Java names). No generated gRPC stubs are used.
 */
public final class MilvusMethods {
  /** The fully qualified service name. */
  public static final String SERVICE = "milvus.proto.milvus.MilvusService";

  private static final Map<String, MethodDescriptor<Message, Message>> BY_FULL_NAME = build();

  private MilvusMethods() {}

  /** The method with this full name ({@code milvus.proto.milvus.MilvusService/Search}), or null. */
  public static MethodDescriptor<Message, Message> byFullName(String fullName) {
    return BY_FULL_NAME.get(fullName);
  }

  /** The method with this short name ({@code Search}), or null. */
  public static MethodDescriptor<Message, Message> byName(String rpc) {
    return BY_FULL_NAME.get(SERVICE + "/" + rpc);
  }

  /** All methods by full name. */
  public static Map<String, MethodDescriptor<Message, Message>> all() {
    return BY_FULL_NAME;
  }

  private static Map<String, MethodDescriptor<Message, Message>> build() {
    Descriptors.ServiceDescriptor service = MilvusProto.getDescriptor().findServiceByName("MilvusService");
    if (service == null) {
      throw new IllegalStateException("MilvusService not found in the milvus-sdk-java descriptor");
    }
    Map<String, MethodDescriptor<Message, Message>> out = new LinkedHashMap<>();
    for (Descriptors.MethodDescriptor m : service.getMethods()) {
      MethodDescriptor.MethodType type;
      if (m.isClientStreaming() && m.isServerStreaming()) {
        type = MethodDescriptor.MethodType.BIDI_STREAMING;
      } else if (m.isClientStreaming()) {
        type = MethodDescriptor.MethodType.CLIENT_STREAMING;
      } else if (m.isServerStreaming()) {
        type = MethodDescriptor.MethodType.SERVER_STREAMING;
      } else {
        type = MethodDescriptor.MethodType.UNARY;
      }
      String full = MethodDescriptor.generateFullMethodName(service.getFullName(), m.getName());
      out.put(full, MethodDescriptor.<Message, Message>newBuilder()
          .setType(type)
          .setFullMethodName(full)
          .setRequestMarshaller(ProtoUtils.marshaller(defaultInstance(m.getInputType())))
          .setResponseMarshaller(ProtoUtils.marshaller(defaultInstance(m.getOutputType())))
          .build());
    }
    return Collections.unmodifiableMap(out);
  }

  /** The generated class's default instance for a message type, e.g. io.milvus.grpc.SearchRequest. */
  static Message defaultInstance(Descriptors.Descriptor type) {
    String className = javaClassName(type);
    try {
      Class<?> cls = Class.forName(className, true, MilvusMethods.class.getClassLoader());
      return (Message) cls.getMethod("getDefaultInstance").invoke(null);
    } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("no generated class " + className + " for " + type.getFullName(), e);
    }
  }

  private static String javaClassName(Descriptors.Descriptor type) {
    Descriptors.FileDescriptor file = type.getFile();
    String pkg = file.getOptions().hasJavaPackage() ? file.getOptions().getJavaPackage() : file.getPackage();
    StringBuilder nested = new StringBuilder(type.getName());
    for (Descriptors.Descriptor p = type.getContainingType(); p != null; p = p.getContainingType()) {
      nested.insert(0, p.getName() + "$");
    }
    if (file.getOptions().getJavaMultipleFiles()) {
      return pkg + "." + nested;
    }
    String outer = file.getOptions().hasJavaOuterClassname() ? file.getOptions().getJavaOuterClassname()
        : defaultOuterClassName(file);
    return pkg + "." + outer + "$" + nested;
  }

  /** protoc's default outer class name: the file's base name in CamelCase, plus OuterClass on a clash. */
  static String defaultOuterClassName(Descriptors.FileDescriptor file) {
    String base = file.getName();
    base = base.substring(base.lastIndexOf('/') + 1);
    if (base.endsWith(".proto")) {
      base = base.substring(0, base.length() - ".proto".length());
    }
    StringBuilder sb = new StringBuilder();
    boolean upper = true;
    for (char c : base.toCharArray()) {
      if (!Character.isLetterOrDigit(c)) {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = Character.isDigit(c);
      }
    }
    String name = sb.toString();
    boolean clash = file.getMessageTypes().stream().anyMatch(m -> m.getName().equals(name))
        || file.getEnumTypes().stream().anyMatch(e -> e.getName().equals(name))
        || file.getServices().stream().anyMatch(x -> x.getName().equals(name));
    return clash ? name + "OuterClass" : name;
  }
}
