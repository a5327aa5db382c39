package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The vector databases the gateway speaks. */
public enum DatabaseKind {
  @JsonProperty("milvus") MILVUS,
  @JsonProperty("chroma") CHROMA,
  @JsonProperty("qdrant") QDRANT,
  @JsonProperty("pinecone") PINECONE
}
