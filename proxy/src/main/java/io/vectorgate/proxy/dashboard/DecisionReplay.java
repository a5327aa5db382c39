package io.vectorgate.proxy.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.DecisionLogger;
import io.vectorgate.engine.EngineMetrics;
import io.vectorgate.engine.PolicyActivationException;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * "What would the current policy decide?": each recorded request of a session is decided again by
 * the gateway's active policy revision and compared with the recorded decision.
 *
 * <p>The recorded request already holds the policy input's parts as the gateway built them
 * (identity, connection, the decoded operation), so nothing is decoded again; the context is the
 * recorded time, client address and request id, and usage counters are zero because the recorder
 * does not store them (a budget-dependent rule can differ for that reason alone). Requests the
 * gateway refused before the policy (authentication, decode) have no operation and are listed as
 * not replayed. The active bundle is loaded into a private engine without decision log or
 * metrics, so a replay neither writes decision log lines nor counts as traffic.
 */
final class DecisionReplay {
  private static final ObjectMapper JSON = ContractJson.mapper();

  /** One request: the recorded and the current decision, or why it was not replayed. */
  record Row(ObjectNode entry, Decision recorded, Decision now, List<String> changes, String notReplayed) {}

  /** A session's replay on {@code revision}. */
  record Result(String revision, List<Row> rows) {
    long changed() {
      return rows.stream().filter(r -> r.now() != null && !r.changes().isEmpty()).count();
    }
  }

  private final PolicyEngine live;
  private PolicyEngine replica;
  private String replicaRevision;

  DecisionReplay(PolicyEngine live) {
    this.live = Objects.requireNonNull(live, "live");
  }

  /** Replays the {@code request} entries of {@code entries} in order. */
  Result replay(List<ObjectNode> entries) throws DashboardHandler.PageError {
    List<PolicyInput> inputs = new ArrayList<>();
    List<Row> pending = new ArrayList<>();
    for (ObjectNode e : entries) {
      if (!"request".equals(e.path("kind").asText())) {
        continue;
      }
      Decision recorded;
      try {
        recorded = recordedDecision(e);
      } catch (NotReplayable x) {
        pending.add(new Row(e, null, null, List.of(), x.getMessage()));
        inputs.add(null);
        continue;
      }
      PolicyInput input;
      try {
        input = inputOf(e, recorded);
      } catch (NotReplayable x) {
        pending.add(new Row(e, recorded, null, List.of(), x.getMessage()));
        inputs.add(null);
        continue;
      }
      inputs.add(input);
      pending.add(new Row(e, recorded, null, List.of(), null));
    }
    synchronized (this) {
      PolicyEngine engine = replica();
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        Row r = pending.get(i);
        if (inputs.get(i) == null) {
          rows.add(r);
          continue;
        }
        Decision now = engine.decide(inputs.get(i));
        rows.add(new Row(r.entry(), r.recorded(), now, changes(r.recorded(), now), null));
      }
      return new Result(replicaRevision, rows);
    }
  }

  /** Why a recorded request cannot be decided again; the message is shown. */
  static final class NotReplayable extends Exception {
    private static final long serialVersionUID = 1L;

    NotReplayable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The policy input of a recorded request as the gateway built it (identity, connection, decoded
   * operation; the recorded time, client address and request id; usage zero).
   */
  static PolicyInput inputOf(ObjectNode e, Decision recorded) throws NotReplayable {
    if (!e.hasNonNull("operation") || !e.hasNonNull("identity") || !e.hasNonNull("connection") || recorded == null) {
      throw new NotReplayable("refused before the policy was asked"
          + (recorded == null || recorded.reasons().isEmpty() ? "" : " (" + recorded.reasons().get(0).code() + ")"));
    }
    try {
      Instant time = Instant.parse(e.path("time").asText());
      long nanos = Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
      return PolicyInput.of(read(e.get("identity"), Identity.class), read(e.get("connection"), Connection.class),
          read(e.get("operation"), Operation.class), new RequestContext(time.toString(), nanos,
              e.path("client").path("address").asText(null), e.path("request_id").asText(null), Usage.NONE));
    } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e2) {
      throw new NotReplayable("not replayable: " + e2.getMessage());
    }
  }

  /** The recorded decision of a request entry (null when none); {@link NotReplayable} when it does not fit the contract. */
  static Decision recordedDecision(ObjectNode e) throws NotReplayable {
    try {
      return e.hasNonNull("decision") ? read(e.get("decision"), Decision.class) : null;
    } catch (IllegalArgumentException e2) {
      throw new NotReplayable("not replayable: " + e2.getMessage());
    }
  }

  /** What differs between the recorded and the current decision (empty: the same). */
  static List<String> changes(Decision recorded, Decision now) {
    List<String> out = new ArrayList<>();
    if (recorded.allow() != now.allow()) {
      out.add(now.allow() ? "now allowed" : "now denied");
    }
    if (!codes(recorded).equals(codes(now))) {
      out.add("reasons changed");
    }
    if (!Objects.equals(empty(recorded.obligations()), empty(now.obligations()))) {
      out.add("obligations changed");
    }
    return out;
  }

  private static TreeSet<String> codes(Decision d) {
    TreeSet<String> out = new TreeSet<>();
    for (Reason r : d.reasons()) {
      out.add(r.code());
    }
    return out;
  }

  private static Obligations empty(Obligations o) {
    return o == null ? Obligations.NONE : o;
  }

  /** A private engine on the live engine's active bundle (rebuilt when the revision changed). */
  private PolicyEngine replica() throws DashboardHandler.PageError {
    PolicyBundle bundle = live.activeBundle().orElseThrow(() -> new DashboardHandler.PageError(503,
        "no policy is active on this gateway"));
    String revision = live.activeRevision().orElse("");
    if (replica != null && revision.equals(replicaRevision)) {
      return replica;
    }
    if (replica != null) {
      replica.close();
      replica = null;
    }
    try {
      replica = PolicyEngine.start(live.config().toBuilder().poolSize(1).noWarmup()
          .decisionLogger(DecisionLogger.NONE).metrics(EngineMetrics.NONE).shadowRate(0).build(), bundle);
    } catch (PolicyActivationException e) {
      throw new DashboardHandler.PageError(500, "the active policy could not be loaded for the replay: "
          + e.getMessage());
    }
    replicaRevision = revision;
    return replica;
  }

  /** The recorded JSON as a contract type; an {@link IllegalArgumentException} naming the type when it does not fit. */
  private static <T> T read(JsonNode n, Class<T> type) {
    try {
      return JSON.treeToValue(n, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the recorded " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT)
          + " does not have the contract's shape: " + e.getOriginalMessage(), e);
    }
  }
}
