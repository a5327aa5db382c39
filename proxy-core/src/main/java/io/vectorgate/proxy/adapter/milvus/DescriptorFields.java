package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A message type's fields by name, worked out once per type. {@link Descriptor#findFieldByName}
 * builds the field's full name and looks it up in the file's symbol pool on every call, which is
 * measurable on the request path (issue 16).
 */
final class DescriptorFields {
  private static final ConcurrentHashMap<Descriptor, Map<String, FieldDescriptor>> BY_TYPE = new ConcurrentHashMap<>();

  private DescriptorFields() {}

  /** The field {@code name} of {@code type}, or null, as {@link Descriptor#findFieldByName}. */
  static FieldDescriptor named(Descriptor type, String name) {
    return BY_TYPE.computeIfAbsent(type, DescriptorFields::index).get(name);
  }

  private static Map<String, FieldDescriptor> index(Descriptor type) {
    Map<String, FieldDescriptor> m = new HashMap<>();
    for (FieldDescriptor fd : type.getFields()) {
      m.put(fd.getName(), fd);
    }
    return Map.copyOf(m);
  }
}
