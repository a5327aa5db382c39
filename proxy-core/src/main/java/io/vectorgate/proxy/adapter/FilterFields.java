package io.vectorgate.proxy.adapter;

import io.vectorgate.model.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The fields a client filter references, reported as {@code operation.attributes.filter_fields}:
 * objects {@code {"field", "path"}} in the shape of the PII configuration (a payload / metadata
 * key, and keys inside it when the filter reaches into a JSON value), de-duplicated and sorted by
 * field, then path. The library denies a non-reader whose filter touches a PII field
 * ({@code pii_filter}). Shared by every adapter; the gateway's own row filter is never added here. More than {@link #MAX_FIELDS} distinct references is refused.
 */
public final class FilterFields {
  /** The operation attribute. */
  public static final String ATTRIBUTE = "filter_fields";
  /** Most distinct field references one request may carry. */
  public static final int MAX_FIELDS = 1024;

  private final TreeSet<Ref> refs = new TreeSet<>();

  /** One reference: a top-level field and the keys below it (empty: the whole field). */
  public record Ref(String field, List<String> path) implements Comparable<Ref> {
    public Ref {
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
    }

    @Override
    public int compareTo(Ref o) {
      int c = field.compareTo(o.field);
      if (c != 0) {
        return c;
      }
      for (int i = 0; i < Math.min(path.size(), o.path.size()); i++) {
        c = path.get(i).compareTo(o.path.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(path.size(), o.path.size());
    }

    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("field", field);
      m.put("path", path);
      return m;
    }
  }

  /**
   * Adds a reference; {@code at} names where in the request it was found (for the error when the
   * request references too many fields).
   */
  public FilterFields add(String field, List<String> path, String at) {
    refs.add(new Ref(field, path));
    if (refs.size() > MAX_FIELDS) {
      throw new AdapterException(AdapterException.MALFORMED_REQUEST, at, "the request's filters reference more than "
          + MAX_FIELDS + " distinct fields");
    }
    return this;
  }

  /** Adds every reference of {@code more} (see {@link #add}). */
  public FilterFields addAll(java.util.Collection<Ref> more, String at) {
    for (Ref r : more) {
      add(r.field(), r.path(), at);
    }
    return this;
  }

  public boolean isEmpty() {
    return refs.isEmpty();
  }

  /** The references in order. */
  public List<Ref> refs() {
    return List.copyOf(refs);
  }

  /** The attribute value: {@code [{"field": f, "path": [..]}, ...]}, sorted. */
  public List<Map<String, Object>> toAttribute() {
    List<Map<String, Object>> out = new ArrayList<>(refs.size());
    refs.forEach(r -> out.add(r.toMap()));
    return out;
  }

  /** {@code op} with {@code attributes.filter_fields} set (unchanged when there are none). */
  public Operation attachTo(Operation op) {
    if (refs.isEmpty()) {
      return op;
    }
    Map<String, Object> attrs = new LinkedHashMap<>(op.attributes());
    attrs.put(ATTRIBUTE, toAttribute());
    return new Operation(op.action(), op.resource(), op.filter(), op.limit(), op.offset(), op.outputFields(),
        op.vectorsRequested(), op.paging(), op.counts(), attrs, op.protocol());
  }
}
