package io.vectorgate.proxy.adapter.qdrant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.util.List;
import java.util.Objects;

/**
 * Applies field masks to a JSON payload in place, keeping its structure: keys stay, arrays keep
 * their length, scalars keep their JSON type where {@link ValueMasker} can (strings are masked as
 * strings, integers as integers, floats become 0.0, booleans false); objects and other values at a
 * masked position become the masked JSON text. {@code drop} removes the key.
 */
public final class PayloadMasker {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final ValueMasker masker;

  public PayloadMasker(ValueMasker masker) {
    this.masker = Objects.requireNonNull(masker, "masker");
  }

  /** Masks {@code payload} (an object; anything else is left alone) in place. */
  public void apply(JsonNode payload, List<FieldMask> masks) {
    if (!(payload instanceof ObjectNode object) || masks.isEmpty()) {
      return;
    }
    for (FieldMask m : masks) {
      JsonNode v = object.get(m.field());
      if (v == null) {
        continue;
      }
      if (m.path().isEmpty()) {
        if (m.method() == MaskMethod.DROP) {
          object.remove(m.field());
        } else {
          object.set(m.field(), maskValue(v, m.method()));
        }
      } else {
        maskPath(v, m.path(), 0, m.method());
      }
    }
  }

  private void maskPath(JsonNode node, List<String> path, int depth, MaskMethod method) {
    if (node instanceof ArrayNode array) {
      for (JsonNode e : array) {
        maskPath(e, path, depth, method);
      }
      return;
    }
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    String key = path.get(depth);
    JsonNode child = object.get(key);
    if (child == null) {
      return;
    }
    if (depth == path.size() - 1) {
      if (method == MaskMethod.DROP) {
        object.remove(key);
      } else {
        object.set(key, maskValue(child, method));
      }
      return;
    }
    maskPath(child, path, depth + 1, method);
  }

  /** Masks one value keeping its type (arrays element by element); {@code drop} is not a value method. */
  public JsonNode maskValue(JsonNode v, MaskMethod method) {
    if (v.isNull()) {
      return v;
    }
    if (v.isArray()) {
      ArrayNode out = F.arrayNode(v.size());
      v.forEach(e -> out.add(maskValue(e, method)));
      return out;
    }
    if (v.isTextual()) {
      return F.textNode(masker.maskString(v.textValue(), method));
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return F.numberNode(masker.maskLong(v.longValue(), method));
    }
    if (v.isNumber()) {
      return F.numberNode(masker.maskDouble(v.doubleValue(), method));
    }
    if (v.isBoolean()) {
      return F.booleanNode(masker.maskBool(v.booleanValue(), method));
    }
    return masker.maskJsonValue(v, method);
  }
}
