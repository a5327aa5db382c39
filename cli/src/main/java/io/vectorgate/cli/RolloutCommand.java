package io.vectorgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.rollout.JdbcRolloutState;
import io.vectorgate.rollout.RolloutOperations;
import io.vectorgate.rollout.RolloutState;
import java.io.PrintWriter;
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
 * {@code vectorgate policy status|pin|rollback}: the rollout state the gateways share (the
 * {@code policy.source.state} of their config: a PostgreSQL JDBC URL, or a SQLite file for the
 * gateways of one host). A pin or rollback is applied by every gateway at its next check.
 */
public final class RolloutCommand {
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

  static String who(String by) {
    return by != null && !by.isBlank() ? by : System.getProperty("user.name", "cli");
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show the pin, every gateway instance's active revision and last failure, and recent history.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin StateOption store = new StateOption();

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Option(names = "--history", defaultValue = "10", description = "history entries to show (default: ${DEFAULT-VALUE})")
    int history;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
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
              .put("at", i.at().toString()));
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
          out.println("  " + i.instanceId() + "  active " + (i.activeRevision() == null ? "none" : i.activeRevision())
              + "  (heartbeat " + Duration.between(i.at(), now).toSeconds() + "s ago)");
          if (i.failedRevision() != null || i.failedStage() != null) {
            out.println("    last failure: " + i.failedRevision() + " at stage " + i.failedStage());
            if (i.failedMessage() != null) {
              for (String line : i.failedMessage().split("\n")) {
                out.println("      " + line);
              }
            }
          }
        }
        if (distinct > 1) {
          out.println("  (instances run " + distinct + " different revisions: not converged yet)");
        }
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

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (clear == (revision != null)) {
        spec.commandLine().getErr().println("give either REVISION or --clear");
        return 2;
      }
      try (JdbcRolloutState s = store.open()) {
        if (clear) {
          RolloutOperations.unpin(s, who(by), Clock.systemUTC());
          out.println("unpinned: gateways follow the source again at their next check");
        } else {
          RolloutOperations.pin(s, revision, who(by), reason, Clock.systemUTC());
          out.println("pinned " + revision + ": gateways switch at their next check");
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

    @Override
    public Integer call() {
      try (JdbcRolloutState s = store.open()) {
        String target;
        if (to != null) {
          RolloutOperations.pin(s, to, who(by), reason.isEmpty() ? "rollback" : reason, Clock.systemUTC());
          target = to;
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
