package io.vectorgate.proxy.pipeline;

import io.vectorgate.model.Action;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The client-facing text of a policy deny, for every listener. When the refused request is a step
 * the clients take on their own as part of another call (pymilvus and the Milvus Java SDK
 * describe a collection before writing or reading it; chromadb gets a collection by name before
 * any record call), the text names that step and says so, so a user whose {@code insert} fails
 * reads why a {@code describe} was refused.
 */
public final class DenyMessages {
  private DenyMessages() {}

  /** {@code denied by policy (decision <id>): <code>: <message>; ...}. */
  public static String format(Decision d) {
    return prefix(d) + reasons(d);
  }

  /**
   * {@code denied by policy (decision <id>): <step> refused (<why the client made it>): <code>:
   * <message>; ...} when the request is such a step (see {@link #clientStep(PolicyInput)}),
   * otherwise {@link #format(Decision)}.
   */
  public static String format(PolicyInput input, Decision d) {
    String step = input == null ? null : clientStep(input);
    return step == null ? format(d) : prefix(d) + step + ": " + reasons(d);
  }

  /**
   * The step a client takes on its own, as the user reads it, or null when the request is not
   * one: a collection describe over Milvus gRPC ({@code DescribeCollection}), a Chroma get of a
   * collection by name ({@code GET .../collections/{name}}; not by id, fork_count or
   * indexing_status), and a chromadb {@code get_or_create_collection} of an existing collection
   * (which the Chroma adapter decides as that get).
   */
  static String clientStep(PolicyInput input) {
    Operation op = input.operation();
    if (op == null || op.action() != Action.DESCRIBE || op.resource() == null || op.resource().collection() == null
        || input.connection() == null) {
      return null;
    }
    String coll = "`" + op.resource().collection() + "`";
    DatabaseKind kind = input.connection().kind();
    if (kind == DatabaseKind.MILVUS && op.protocol() != null && op.protocol().rpc() != null
        && op.protocol().rpc().endsWith("/DescribeCollection")) {
      return "describe of collection " + coll + " refused (pymilvus and the Milvus Java SDK describe a collection"
          + " on their own before insert, upsert, delete, query and search, so one of those calls fails here)";
    }
    if (kind == DatabaseKind.CHROMA) {
      Map<String, Object> attrs = op.attributes();
      if (attrs != null && Boolean.TRUE.equals(attrs.get("collection_exists"))) {
        return "get_or_create_collection of the existing collection " + coll + " refused (answered as a get of it,"
            + " which needs describe)";
      }
      if (op.protocol() != null && "GET".equals(op.protocol().method()) && op.protocol().path() != null
          && op.protocol().path().endsWith("/collections/" + op.resource().collection())) {
        return "get of collection " + coll + " refused (chromadb gets a collection by name, with get_collection,"
            + " before add, get, query and delete on it)";
      }
    }
    return null;
  }

  private static String prefix(Decision d) {
    return "denied by policy (decision " + (d.decisionId() == null ? "none" : d.decisionId()) + "): ";
  }

  private static String reasons(Decision d) {
    return d.reasons().isEmpty() ? "no_reason: the policy gave no reason"
        : d.reasons().stream().map(DenyMessages::reason).collect(Collectors.joining("; "));
  }

  private static String reason(Reason r) {
    return r.code() + ": " + r.message();
  }
}
