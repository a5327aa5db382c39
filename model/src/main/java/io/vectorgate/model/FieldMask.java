package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * Mask one response field. {@code field} is the column / metadata / payload key; {@code path}
 * names keys inside a JSON value of that field (e.g. field {@code profile}, path
 * {@code ["contact","email"]}); empty path = the whole field. For Milvus dynamic fields the
 * field is the dynamic key itself.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record FieldMask(
    @JsonProperty("field") String field,
    @JsonProperty("path") List<String> path,
    @JsonProperty("method") MaskMethod method) {
  public FieldMask {
    Objects.requireNonNull(field, "field");
    path = path == null ? List.of() : List.copyOf(path);
    method = method == null ? MaskMethod.REDACT : method;
  }
}
