package io.vectorgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.rollout.JdbcRolloutState;
import io.vectorgate.rollout.Problem;
import io.vectorgate.rollout.RolloutOperations;
import io.vectorgate.rollout.RolloutState;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vectorgate policy status|pin|rollback}, two ways:
 *
 * <ul>
 *   <li>through a gateway's admin API ({@code --gateway http://127.0.0.1:9190 --token <OIDC token>},
 *       env {@code VECTORGATE_GATEWAY}/{@code VECTORGATE_TOKEN}): the gateway checks the caller's
 *       groups ({@code admin.reader_groups}/{@code operator_groups}), applies a pin or rollback at
 *       once and answers with the outcome;
 *   <li>directly on the rollout state the gateways share ({@code --state}, the
 *       {@code policy.source.state} of their config: a PostgreSQL JDBC URL, or a SQLite file for the
 *       gateways of one host): every gateway applies a pin or rollback at its next check.
 * </ul>
 *
 * {@code --state} on the command line wins; otherwise a configured gateway is used.
 */
public final class RolloutCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RolloutCommand() {}

  /** The store option shared by the three commands. */
  static final class StateOption {
    @Option(names = "--state", paramLabel = "URL|FILE", defaultValue = "${env:VECTORGATE_ROLLOUT_STATE}",
        description = "rollout state: jdbc:postgresql://… URL or SQLite file (default: $VECTORGATE_ROLLOUT_STATE)")
    String state;

    JdbcRolloutState open() {
      if (state == null || state.isBlank()) {
        throw new IllegalArgumentException("no rollout state given: use --state or set VECTORGATE_ROLLOUT_STATE");
      }
      return JdbcRolloutState.open(state);
    }
  }

  /** True when the admin API is to be used: a gateway is configured and --state was not given explicitly. */
  static boolean viaGateway(CommandSpec spec, AdminApiOptions g) {
    boolean explicitState = spec.commandLine().getParseResult().hasMatchedOption("--state");
    return !explicitState && g.gateway != null && !g.gateway.isBlank();
  }

  /** A refusal of the admin API: HTTP status, error code and message. */
  static final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** Calls the gateway's {@code /v1/policy} routes with a bearer token; returns the JSON answer. */
  static JsonNode api(AdminApiOptions g, String method, String route, ObjectNode body)
      throws java.io.IOException, InterruptedException, ApiError {
    return g.call(method, "/v1/policy/" + route, method.equals("POST") ? body.toString() : null);
  }

  @FunctionalInterface
  interface ApiCall {
    int run() throws java.io.IOException, InterruptedException, ApiError;
  }

  static int callApi(CommandSpec spec, AdminApiOptions g, ApiCall body) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return body.run();
    } catch (ApiError e) {
      err.println("vectorgate: refused (HTTP " + e.status + ", " + e.code + "): " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("vectorgate: " + e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      err.println(AdminApiOptions.unreachable("the admin API", g.gateway, e));
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("vectorgate: interrupted");
      return 2;
    }
  }

  /** One line for a pin/unpin/rollback answer of the admin API; exit code 1 when the revision did not activate. */
  static int printOutcome(PrintWriter out, PrintWriter err, JsonNode r) {
    String outcome = r.path("outcome").asText();
    if (outcome.equals("failed") || outcome.equals("known_bad")) {
      err.println("vectorgate: " + r.path("action").asText() + " recorded, but revision " + r.path("revision").asText()
          + " did not activate (stage " + r.path("stage").asText() + "); active: " + r.path("active_revision").asText());
      err.println("  " + r.path("message").asText().replace("\n", "\n  "));
      return 1;
    }
    if (outcome.equals("fell_back")) {
      err.println("vectorgate: " + r.path("action").asText() + " recorded; the branch head "
          + r.path("broken_revision").asText() + " fails at stage " + r.path("stage").asText()
          + ", so the newest good revision " + r.path("revision").asText() + " was activated");
      err.println("  " + r.path("message").asText().replace("\n", "\n  "));
    }
    out.println(r.path("action").asText() + ": " + outcome + "; active revision " + r.path("active_revision").asText()
        + " (other gateways follow at their next check)");
    return 0;
  }

  /**
   * One instance of the shared state: the revision it applied, when, and how old its heartbeat is
   * (an instance that stopped reporting shows an old heartbeat).
   */
  static String instanceLine(String instance, String active, Instant activatedAt, Instant heartbeat, Instant now) {
    return instance + "  active " + (active == null ? "none" : active)
        + (activatedAt == null ? "" : "  applied " + activatedAt)
        + (heartbeat == null ? "" : "  (heartbeat " + Duration.between(heartbeat, now).toSeconds() + "s ago)");
  }

  private static void convergence(PrintWriter out, long distinctRevisions) {
    if (distinctRevisions > 1) {
      out.println("  (instances run " + distinctRevisions + " different revisions: not converged yet)");
    }
  }

  /** The admin API's status document as text. */
  static void printStatus(PrintWriter out, JsonNode s) {
    out.println("instance: " + s.path("instance").asText("-") + "  source: " + s.path("source").asText());
    out.println("active: " + s.path("active_revision").asText("none"));
    JsonNode pin = s.path("pin");
    out.println("pin: " + (pin.isObject() ? pin.path("revision").asText() + " (by " + pin.path("by").asText() + ")"
        : "none (following the source)"));
    failure(out, "last failure", s.path("last_failure"));
    failure(out, "broken head (another revision serves)", s.path("broken_head"));
    failure(out, "broken pin (ignored: the branch is followed)", s.path("broken_pin"));
    if (s.has("instances")) {
      out.println("instances:");
      Instant now = Instant.now();
      java.util.Set<String> revisions = new java.util.HashSet<>();
      for (JsonNode i : s.path("instances")) {
        String active = i.path("active_revision").isTextual() ? i.path("active_revision").asText() : null;
        revisions.add(String.valueOf(active));
        out.println("  " + instanceLine(i.path("instance").asText(), active,
            i.path("activated_at").isTextual() ? Instant.parse(i.path("activated_at").asText()) : null,
            i.path("at").isTextual() ? Instant.parse(i.path("at").asText()) : null, now)
            + (i.path("failed_stage").isTextual() ? "  last failure at stage " + i.path("failed_stage").asText() : ""));
      }
      convergence(out, revisions.size());
    }
    if (s.has("history")) {
      out.println("history (newest first):");
      for (JsonNode e : s.path("history")) {
        out.println("  " + e.path("at").asText() + "  " + e.path("outcome").asText() + "  " + e.path("revision").asText()
            + (e.path("stage").asText().isEmpty() ? "" : "  stage " + e.path("stage").asText())
            + "  by " + e.path("by").asText());
      }
    }
  }

  /**
   * The direct form cannot ask the repository whether a revision exists or builds; it warns when the
   * shared history never saw it activated (a gateway that cannot build a pin reports it as
   * {@code broken_pin} and keeps following the branch).
   */
  static void warnIfNeverActivated(CommandSpec spec, RolloutState s, String revision) {
    boolean seen = s.history(10_000).stream().anyMatch(e -> e.outcome() == RolloutState.Outcome.ACTIVATED
        && e.revision().equals(revision));
    if (!seen) {
      spec.commandLine().getErr().println("vectorgate: warning: " + revision + " was never activated by a gateway "
          + "sharing this state; a gateway that cannot build it reports `broken_pin` and keeps following the branch "
          + "(pin through --gateway to have it checked first)");
    }
  }

  /** A failure object of the status: revision, stage, message, each problem as file:line:column, failed tests. */
  private static void failure(PrintWriter out, String title, JsonNode f) {
    if (!f.isObject()) {
      return;
    }
    out.println(title + ": " + f.path("revision").asText() + " at stage " + f.path("stage").asText() + " ("
        + f.path("at").asText() + ")");
    out.println("  " + f.path("message").asText());
    for (JsonNode p : f.path("problems")) {
      out.println("  " + new Problem(p.path("file").asText(""), p.path("line").asInt(), p.path("column").asInt(),
          p.path("message").asText()).render());
    }
    for (JsonNode t : f.path("failed_tests")) {
      out.println("  failed test: " + t.asText());
    }
  }

  static String who(String by) {
    return by != null && !by.isBlank() ? by : System.getProperty("user.name", "cli");
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show the pin, every gateway instance's active revision and last failure, and recent history.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin StateOption store = new StateOption();
    @picocli.CommandLine.Mixin AdminApiOptions gw = new AdminApiOptions();

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Option(names = "--history", defaultValue = "10", description = "history entries to show (default: ${DEFAULT-VALUE})")
    int history;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (viaGateway(spec, gw)) {
        return callApi(spec, gw, () -> {
          JsonNode s = api(gw, "GET", "status", null);
          if (json) {
            out.println(s.toPrettyString());
          } else {
            printStatus(out, s);
          }
          return 0;
        });
      }
      try (JdbcRolloutState s = store.open()) {
        var pin = s.pin();
        List<RolloutState.InstanceReport> instances = s.instances();
        List<RolloutState.HistoryEvent> events = s.history(Math.max(0, Math.min(history, 1000)));
        if (json) {
          ObjectMapper m = new ObjectMapper();
          ObjectNode o = m.createObjectNode();
          pin.ifPresentOrElse(p -> o.set("pin", m.createObjectNode().put("revision", p.revision()).put("by", p.by())
              .put("reason", p.reason()).put("at", p.at().toString())), () -> o.putNull("pin"));
          ArrayNode inst = o.putArray("instances");
          instances.forEach(i -> inst.addObject().put("instance", i.instanceId()).put("source", i.source())
              .put("active_revision", i.activeRevision()).put("failed_revision", i.failedRevision())
              .put("failed_stage", i.failedStage()).put("failed_message", i.failedMessage())
              .put("at", i.at().toString())
              .put("activated_at", i.activatedAt() == null ? null : i.activatedAt().toString()));
          ArrayNode h = o.putArray("history");
          events.forEach(e -> h.addObject().put("at", e.at().toString()).put("by", e.instanceId())
              .put("revision", e.revision()).put("outcome", e.outcome().wireName()).put("stage", e.stage())
              .put("message", e.message()));
          out.println(o.toPrettyString());
          return 0;
        }
        out.println("pin: " + pin.map(p -> p.revision() + " (by " + p.by() + ", " + p.at()
            + (p.reason().isEmpty() ? "" : ": " + p.reason()) + ")").orElse("none (following the source)"));
        out.println("instances:");
        if (instances.isEmpty()) {
          out.println("  none reported yet");
        }
        Instant now = Instant.now();
        long distinct = instances.stream().map(RolloutState.InstanceReport::activeRevision).distinct().count();
        for (RolloutState.InstanceReport i : instances) {
          out.println("  " + instanceLine(i.instanceId(), i.activeRevision(), i.activatedAt(), i.at(), now));
          if (i.failedRevision() != null || i.failedStage() != null) {
            out.println("    last failure: " + i.failedRevision() + " at stage " + i.failedStage());
            if (i.failedMessage() != null) {
              for (String line : i.failedMessage().split("\n")) {
                out.println("      " + line);
              }
            }
          }
        }
        convergence(out, distinct);
        out.println("history (newest first):");
        for (RolloutState.HistoryEvent e : events) {
          out.println("  " + e.at() + "  " + e.outcome().wireName() + "  " + e.revision()
              + (e.stage().isEmpty() ? "" : "  stage " + e.stage()) + "  by " + e.instanceId()
              + (e.message().isEmpty() ? "" : "  " + e.message().split("\n")[0]));
        }
        return 0;
      }
    }
  }

  @Command(name = "pin", mixinStandardHelpOptions = true,
      description = "Pin every gateway to REVISION (a commit id or bundle revision), or --clear to follow the source again.")
  static final class Pin implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin StateOption store = new StateOption();

    @Parameters(arity = "0..1", paramLabel = "REVISION", description = "the revision to run")
    String revision;

    @Option(names = "--clear", description = "remove the pin")
    boolean clear;

    @Option(names = "--by", description = "who pins (default: the OS user)")
    String by;

    @Option(names = "--reason", defaultValue = "", description = "why (kept in the history)")
    String reason;

    @picocli.CommandLine.Mixin AdminApiOptions gw = new AdminApiOptions();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (clear == (revision != null)) {
        spec.commandLine().getErr().println("give either REVISION or --clear");
        return 2;
      }
      if (viaGateway(spec, gw)) {
        return callApi(spec, gw, () -> {
          ObjectNode b = JSON.createObjectNode();
          if (!clear) {
            b.put("revision", revision).put("reason", reason);
          }
          return printOutcome(out, spec.commandLine().getErr(), api(gw, "POST", clear ? "unpin" : "pin", b));
        });
      }
      try (JdbcRolloutState s = store.open()) {
        if (clear) {
          RolloutOperations.unpin(s, who(by), Clock.systemUTC());
          out.println("unpinned: gateways follow the source again at their next check");
        } else {
          RolloutOperations.pin(s, revision, who(by), reason, Clock.systemUTC());
          out.println("pinned " + revision + ": gateways switch at their next check");
          warnIfNeverActivated(spec, s, revision);
        }
        return 0;
      }
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Pin every gateway to the last good revision before the current one (or --to REVISION).")
  static final class Rollback implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin StateOption store = new StateOption();

    @Option(names = "--to", paramLabel = "REVISION", description = "roll back to this revision")
    String to;

    @Option(names = "--by", description = "who rolls back (default: the OS user)")
    String by;

    @Option(names = "--reason", defaultValue = "", description = "why (kept in the history)")
    String reason;

    @picocli.CommandLine.Mixin AdminApiOptions gw = new AdminApiOptions();

    @Override
    public Integer call() {
      if (viaGateway(spec, gw)) {
        return callApi(spec, gw, () -> {
          ObjectNode b = JSON.createObjectNode().put("reason", reason);
          if (to != null) {
            b.put("to", to);
          }
          return printOutcome(spec.commandLine().getOut(), spec.commandLine().getErr(), api(gw, "POST", "rollback", b));
        });
      }
      try (JdbcRolloutState s = store.open()) {
        String target;
        if (to != null) {
          RolloutOperations.pin(s, to, who(by), reason.isEmpty() ? "rollback" : reason, Clock.systemUTC());
          target = to;
          warnIfNeverActivated(spec, s, to);
        } else {
          try {
            target = RolloutOperations.rollback(s, null, who(by), reason, Clock.systemUTC());
          } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("vectorgate: " + e.getMessage());
            return 1;
          }
        }
        spec.commandLine().getOut().println("rolled back to " + target + " (pinned): gateways switch at their next check; "
            + "`vectorgate policy pin --clear` follows the source again");
        return 0;
      }
    }
  }
}
