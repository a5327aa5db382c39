package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request normalized across databases.
 *
 * <ul>
 *   <li>{@code filter}: the filter exactly as the client sent it: a string for Milvus
 *       ({@code expr}/{@code dsl}), a JSON object (Map) for Chroma {@code where}, Qdrant and
 *       Pinecone; null when the request has none.
 *   <li>{@code limit}/{@code offset}: top_k / limit / n_results and offset, null when absent.
 *   <li>{@code outputFields}: the fields the client asked to receive, with wildcards expanded
 *       where the gateway knows the schema.
 *   <li>{@code vectorsRequested}: whether the response would carry embeddings.
 *   <li>{@code paging}: the request is a page of an iterator / scroll / list cursor.
 *   <li>{@code attributes}: action-specific extra facts (e.g. {@code new_name} of a rename,
 *       {@code index_name}, {@code target_collection} of a lookup), never security-relevant
 *       on their own.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Operation(
    @JsonProperty("action") Action action,
    @JsonProperty("resource") Resource resource,
    @JsonProperty("filter") Object filter,
    @JsonProperty("limit") Long limit,
    @JsonProperty("offset") Long offset,
    @JsonProperty("output_fields") List<String> outputFields,
    @JsonProperty("vectors_requested") boolean vectorsRequested,
    @JsonProperty("paging") boolean paging,
    @JsonProperty("counts") Counts counts,
    @JsonProperty("attributes") Map<String, Object> attributes,
    @JsonProperty("protocol") ProtocolFacts protocol) {

  public Operation {
    Objects.requireNonNull(action, "action");
    resource = resource == null ? new Resource(null, null, List.of(), null) : resource;
    outputFields = outputFields == null ? List.of() : List.copyOf(outputFields);
    counts = counts == null ? Counts.NONE : counts;
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  public static Builder builder(Action action) {
    return new Builder(action);
  }

  /** Builder for adapters, which fill an operation field by field. */
  public static final class Builder {
    private Action action;
    private Resource resource;
    private Object filter;
    private Long limit;
    private Long offset;
    private List<String> outputFields;
    private boolean vectorsRequested;
    private boolean paging;
    private Counts counts;
    private Map<String, Object> attributes;
    private ProtocolFacts protocol;

    private Builder(Action action) {
      this.action = action;
    }

    public Builder action(Action v) { this.action = v; return this; }
    public Builder resource(Resource v) { this.resource = v; return this; }
    public Builder filter(Object v) { this.filter = v; return this; }
    public Builder limit(Long v) { this.limit = v; return this; }
    public Builder offset(Long v) { this.offset = v; return this; }
    public Builder outputFields(List<String> v) { this.outputFields = v; return this; }
    public Builder vectorsRequested(boolean v) { this.vectorsRequested = v; return this; }
    public Builder paging(boolean v) { this.paging = v; return this; }
    public Builder counts(Counts v) { this.counts = v; return this; }
    public Builder attributes(Map<String, Object> v) { this.attributes = v; return this; }
    public Builder protocol(ProtocolFacts v) { this.protocol = v; return this; }

    public Operation build() {
      return new Operation(action, resource, filter, limit, offset, outputFields, vectorsRequested,
          paging, counts, attributes, protocol);
    }
  }
}
