package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What an operation touches. {@code namespace} is Pinecone's namespace (or Milvus's
 * namespace field); {@code partitions} are Milvus partitions. Absent parts are null/empty.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Resource(
    @JsonProperty("database") String database,
    @JsonProperty("collection") String collection,
    @JsonProperty("partitions") List<String> partitions,
    @JsonProperty("namespace") String namespace) {

  public Resource {
    partitions = partitions == null ? List.of() : List.copyOf(partitions);
  }

  public static Resource collection(String database, String collection) {
    return new Resource(database, collection, List.of(), null);
  }
}
