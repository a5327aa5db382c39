package io.vectorgate.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.vectorgate.approvals.Approver;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.rollout.PinRefusedException;
import io.vectorgate.rollout.RolloutController;
import io.vectorgate.rollout.RolloutException;
import io.vectorgate.rollout.RolloutHttpHandler;
import io.vectorgate.rollout.StageFailure;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy routes of the gateway's admin API, OIDC-authenticated:
 *
 * <ul>
 *   <li>{@code GET /v1/policy/status} (reader or operator groups): the rollout status (active
 *       revision, source, last check, pin, last failure with stage, file:line problems and failed
 *       tests, every instance from the shared state, history, counters); with a static policy the
 *       source is {@code static} and only the active revision is known;
 *   <li>{@code POST /v1/policy/pin} {@code {"revision": sha, "reason": ...}} (operator groups);
 *   <li>{@code POST /v1/policy/unpin} {@code {}} (operator groups): follow the branch again;
 *   <li>{@code POST /v1/policy/rollback} {@code {"to": sha?, "reason": ...}} (operator groups).
 * </ul>
 *
 * Pin, unpin and rollback are written to the shared state and checked at once on this instance; the
 * answer carries the check's outcome and the active revision. Other instances follow at their next
 * check. A pin (or rollback {@code to}) of a malformed or unknown revision, or of one that fails a
 * stage, is refused with 400 {@code invalid_revision} (with {@code revision} and {@code stage}) and
 * is not stored. Errors are {@code {"error": code, "message": ...}}: 400, 401, 403, 404, 405, 409 (nothing to
 * roll back, no rollout source), 413, 500.
 */
public final class PolicyAdminHandler implements HttpHandler {
  public static final String PREFIX = "/v1/policy";
  private static final Logger LOG = LoggerFactory.getLogger(PolicyAdminHandler.class);

  private final RolloutController controller;
  private final PolicyEngine engine;
  private final AdminAuthenticator auth;
  private final Set<String> readers;
  private final Set<String> operators;

  /**
   * @param controller the rollout (null: a static policy, status only)
   * @param engine the live engine (its active revision; null when the gateway runs a test double)
   * @param readerGroups may read the status
   * @param operatorGroups may also pin, unpin and roll back
   */
  public PolicyAdminHandler(RolloutController controller, PolicyEngine engine, AdminAuthenticator auth,
      Set<String> readerGroups, Set<String> operatorGroups) {
    this.controller = controller;
    this.engine = engine;
    this.auth = auth;
    this.operators = Set.copyOf(operatorGroups);
    Set<String> r = new HashSet<>(readerGroups);
    r.addAll(operatorGroups);
    this.readers = Set.copyOf(r);
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      try {
        Approver who = AdminHttp.authenticate(ex, auth);
        switch (path) {
          case PREFIX + "/status" -> {
            AdminHttp.requireGroup(who, readers, "reading the policy status");
            AdminHttp.requireMethod(ex, "GET");
            AdminHttp.respond(ex, 200, status());
          }
          case PREFIX + "/pin" -> {
            operate(ex, who);
            JsonNode b = AdminHttp.body(ex, Set.of("revision", "reason"));
            String revision = AdminHttp.text(b, "revision");
            if (revision == null) {
              throw new AdminHttp.Refusal(400, "invalid_request", "`revision` is required (a commit SHA or bundle revision)");
            }
            String reason = AdminHttp.text(b, "reason");
            LOG.info("event=policy_admin action=pin subject={} revision={}", who.subject(), AdminHttp.printable(revision));
            AdminHttp.respond(ex, 200, outcome("pin", rollout().pin(revision, who.subject(), reason == null ? "" : reason)));
          }
          case PREFIX + "/unpin" -> {
            operate(ex, who);
            AdminHttp.body(ex, Set.of());
            LOG.info("event=policy_admin action=unpin subject={}", who.subject());
            AdminHttp.respond(ex, 200, outcome("unpin", rollout().unpin(who.subject())));
          }
          case PREFIX + "/rollback" -> {
            operate(ex, who);
            JsonNode b = AdminHttp.body(ex, Set.of("to", "reason"));
            String to = AdminHttp.text(b, "to");
            String reason = AdminHttp.text(b, "reason");
            LOG.info("event=policy_admin action=rollback subject={} to={}", who.subject(),
                to == null ? "previous_good" : AdminHttp.printable(to));
            RolloutController c = rollout();
            RolloutController.CheckResult r = to == null ? c.rollback(who.subject(), reason)
                : c.pin(to, who.subject(), reason == null || reason.isEmpty() ? "rollback to " + to : reason);
            AdminHttp.respond(ex, 200, outcome("rollback", r));
          }
          default -> throw new AdminHttp.Refusal(404, "not_found", "no such endpoint `" + AdminHttp.printable(path)
              + "`; known: " + PREFIX + "/status, /pin, /unpin, /rollback");
        }
      } catch (AdminHttp.Refusal e) {
        if (e.status == 403) {
          LOG.info("event=policy_admin_forbidden path={} message=\"{}\"", AdminHttp.printable(path), e.getMessage());
        }
        AdminHttp.respond(ex, e.status, AdminHttp.error(e.code, e.getMessage()));
      } catch (PinRefusedException e) {
        ObjectNode o = AdminHttp.error("invalid_revision", e.getMessage());
        o.put("revision", AdminHttp.printable(e.revision())).put("stage", e.failure().stage().wireName());
        AdminHttp.respond(ex, 400, o);
      } catch (IllegalArgumentException e) {
        AdminHttp.respond(ex, 400, AdminHttp.error("invalid_request", e.getMessage()));
      } catch (IllegalStateException e) {
        AdminHttp.respond(ex, 409, AdminHttp.error("conflict", e.getMessage()));
      } catch (RuntimeException e) {
        LOG.error("event=policy_admin_error path={} error={}", AdminHttp.printable(path), e.toString(), e);
        AdminHttp.respond(ex, 500, AdminHttp.error("internal_error", "the policy admin API failed; see the gateway log"));
      }
    }
  }

  private void operate(HttpExchange ex, Approver who) throws AdminHttp.Refusal {
    AdminHttp.requireGroup(who, operators, "changing the active policy");
    AdminHttp.requireMethod(ex, "POST");
  }

  private RolloutController rollout() throws AdminHttp.Refusal {
    if (controller == null) {
      throw new AdminHttp.Refusal(409, "no_policy_source", "the policy is compiled from `policy.rego_dirs`:"
          + " pin and rollback need `policy.source` (git or bundle server)");
    }
    return controller;
  }

  /** The status document (the rollout's, or a minimal one for a static policy). */
  public ObjectNode status() {
    ObjectNode o;
    if (controller != null) {
      o = RolloutHttpHandler.statusJson(controller.status());
    } else {
      o = AdminHttp.JSON.createObjectNode();
      o.put("source", "static");
      o.put("active_revision", activeRevision());
    }
    // the engine deciding for the active revision, and why it is Wasm when the plan engine could not take it
    io.vectorgate.engine.EngineInUse in = engine == null ? null : engine.activeEngine().orElse(null);
    o.put("engine", in == null ? null : in.engine().wireName());
    o.put("engine_fallback", in == null ? null : in.fallback());
    return o;
  }

  private String activeRevision() {
    return engine == null ? null : engine.activeRevision().orElse(null);
  }

  private ObjectNode outcome(String action, RolloutController.CheckResult r) {
    ObjectNode o = AdminHttp.JSON.createObjectNode();
    o.put("action", action);
    if (r instanceof RolloutController.CheckResult.Activated a) {
      o.put("outcome", "activated").put("revision", a.revision()).put("previous", a.previous());
    } else if (r instanceof RolloutController.CheckResult.Unchanged u) {
      o.put("outcome", "unchanged").put("revision", u.revision());
    } else if (r instanceof RolloutController.CheckResult.Failed f) {
      failure(o.put("outcome", "failed"), f.revision(), f.failure());
    } else if (r instanceof RolloutController.CheckResult.KnownBad k) {
      failure(o.put("outcome", "known_bad"), k.revision(), k.failure());
    } else if (r instanceof RolloutController.CheckResult.FellBack b) {
      o.put("outcome", "fell_back").put("revision", b.revision()).put("previous", b.previous())
          .put("broken_revision", b.broken()).put("stage", b.failure().stage().wireName())
          .put("message", b.failure().render());
    } else {
      o.put("outcome", "empty");
    }
    o.put("active_revision", activeRevision());
    return o;
  }

  private static void failure(ObjectNode o, String revision, StageFailure f) {
    o.put("revision", revision);
    o.put("stage", f.stage().wireName());
    o.put("message", f.render());
  }
}
