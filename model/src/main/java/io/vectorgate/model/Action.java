package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

/** The closed set of normalized actions. Anything an adapter cannot classify is {@link #UNKNOWN}. */
public enum Action {
  @JsonProperty("search") SEARCH,
  @JsonProperty("query") QUERY,
  @JsonProperty("get") GET,
  @JsonProperty("count") COUNT,
  @JsonProperty("insert") INSERT,
  @JsonProperty("upsert") UPSERT,
  @JsonProperty("update") UPDATE,
  @JsonProperty("delete") DELETE,
  @JsonProperty("delete_all") DELETE_ALL,
  @JsonProperty("create_collection") CREATE_COLLECTION,
  @JsonProperty("drop_collection") DROP_COLLECTION,
  @JsonProperty("truncate_collection") TRUNCATE_COLLECTION,
  @JsonProperty("rename_collection") RENAME_COLLECTION,
  @JsonProperty("alter_collection") ALTER_COLLECTION,
  @JsonProperty("create_index") CREATE_INDEX,
  @JsonProperty("drop_index") DROP_INDEX,
  @JsonProperty("describe") DESCRIBE,
  @JsonProperty("list") LIST,
  @JsonProperty("snapshot") SNAPSHOT,
  @JsonProperty("export") EXPORT,
  @JsonProperty("import") IMPORT,
  @JsonProperty("admin") ADMIN,
  @JsonProperty("unknown") UNKNOWN;

  /** The wire name, e.g. {@code delete_all}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses a wire name; unknown names map to {@link #UNKNOWN} rather than failing. */
  public static Action fromWireName(String name) {
    for (Action a : values()) {
      if (a.wireName().equals(name)) {
        return a;
      }
    }
    return UNKNOWN;
  }
}
