package io.vectorgate.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * What a policy is asked about: who ({@link Identity}), through which configured database
 * ({@link Connection}), to do what ({@link Operation}), and under which circumstances
 * ({@link RequestContext}). Serialized as the policy's {@code input}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyInput(
    @JsonProperty("contract") String contract,
    @JsonProperty("identity") Identity identity,
    @JsonProperty("connection") Connection connection,
    @JsonProperty("operation") Operation operation,
    @JsonProperty("context") RequestContext context) {

  /** The contract version this input follows; bump on any incompatible change. */
  public static final String CONTRACT = "vectorgate/v1";

  public PolicyInput {
    contract = contract == null ? CONTRACT : contract;
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(context, "context");
  }

  public static PolicyInput of(Identity identity, Connection connection, Operation operation, RequestContext context) {
    return new PolicyInput(CONTRACT, identity, connection, operation, context);
  }
}
