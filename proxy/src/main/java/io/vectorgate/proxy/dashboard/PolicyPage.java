package io.vectorgate.proxy.dashboard;

import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.rollout.PinRefusedException;
import io.vectorgate.rollout.Problem;
import io.vectorgate.rollout.RolloutController;
import io.vectorgate.rollout.RolloutState;
import io.vectorgate.rollout.StageFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy rollout for operators: the active revision, the pin, the last check's failure (stage,
 * file:line problems, failing test names), every instance's revision from the shared state, the
 * history; pin, unpin and rollback through the same {@link RolloutController} calls as the policy
 * admin API ({@code /v1/policy/pin|unpin|rollback}), each behind a confirmation page: the forms on
 * the policy page only lead to {@code GET /policy/confirm}, whose form carries {@code confirmed=yes}
 * and the CSRF token; an action POST without {@code confirmed=yes} is refused.
 */
final class PolicyPage {
  static final Set<String> ACTIONS = Set.of("pin", "unpin", "rollback");
  private static final Logger LOG = LoggerFactory.getLogger(PolicyPage.class);
  private static final Set<String> OUTCOMES = Set.of("activated", "unchanged", "fell_back", "empty");
  private static final int MAX_REASON = 500;

  private final RolloutController rollout;
  private final PolicyEngine engine;

  /**
   * @param rollout null: a static policy (status only)
   * @param engine the live engine (null: a test double without revision)
   */
  PolicyPage(RolloutController rollout, PolicyEngine engine) {
    this.rollout = rollout;
    this.engine = engine;
  }

  DashboardHandler.Result view(WebSessions.WebSession s, boolean operator, Map<String, String> q) {
    Html flash = Html.EMPTY;
    if (q.containsKey("done") && q.containsKey("outcome") && ACTIONS.contains(q.get("done"))
        && OUTCOMES.contains(q.get("outcome"))) {
      flash = Pages.notice(q.get("done") + ": " + q.get("outcome").replace('_', ' ')
          + (q.containsKey("revision") ? ", serving " + DashboardHandler.printable(q.get("revision")) : ""), false);
    }
    if (rollout == null) {
      Html body = Html.of("""
          %s<dl class="kv"><dt>Source</dt><dd>static (<code>policy.rego_dirs</code>)</dd>
          <dt>Active revision</dt><dd><code>%s</code></dd></dl>
          <p>Pin, unpin and rollback need <code>policy.source</code> (git or a bundle server).</p>""", flash,
          activeRevision());
      return new DashboardHandler.Result.Page(200, "Policy", body);
    }
    RolloutController.Status st = rollout.status();
    Html pin = st.pin().map(p -> Html.of("<code>%s</code> by %s at %s%s", p.revision(), p.by(), p.at(),
        p.reason().isEmpty() ? "" : ": " + p.reason())).orElse(Html.of("none: following the source's newest revision"));
    List<Html> alerts = new ArrayList<>();
    st.brokenPin().ifPresent(f -> alerts.add(failure("The pinned revision is broken; the branch is followed instead", f)));
    st.brokenHead().ifPresent(f -> alerts.add(failure("The newest revision is broken; an earlier good one serves", f)));
    st.lastFailure().filter(f -> !f.equals(st.brokenHead().orElse(null)) && !f.equals(st.brokenPin().orElse(null)))
        .ifPresent(f -> alerts.add(failure("Last failed check", f)));
    List<Html> instances = new ArrayList<>();
    for (RolloutState.InstanceReport i : st.instances()) {
      instances.add(Html.of("<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
          i.instanceId(), nz(i.activeRevision()), i.activatedAt() == null ? "-" : i.activatedAt().toString(),
          i.failedRevision() == null ? "-"
              : Html.of("<code>%s</code> at %s: %s", i.failedRevision(), nz(i.failedStage()), nz(i.failedMessage())),
          i.source(), i.at()));
    }
    List<Html> history = new ArrayList<>();
    for (RolloutState.HistoryEvent h : st.history()) {
      Html pinLink = operator && h.outcome() == RolloutState.Outcome.ACTIVATED && !h.revision().isEmpty()
          && !h.revision().equals(st.activeRevision())
          ? Html.of(" <a href=\"%s\">Pin…</a>", Pages.url(Pages.BASE + "/policy/confirm",
              ordered("action", "pin", "revision", h.revision())))
          : Html.EMPTY;
      history.add(Html.of("<tr><td>%s</td><td>%s</td><td><code>%s</code>%s</td><td class=\"%s\">%s</td><td>%s</td>"
          + "<td><pre>%s</pre></td></tr>", h.at(), h.instanceId(), h.revision(), pinLink,
          h.outcome() == RolloutState.Outcome.FAILED ? "deny" : "", h.outcome().wireName(), h.stage(), h.message()));
    }
    Html actions = !operator ? Html.of("<p class=\"who\">Only operator groups may pin, unpin or roll back.</p>")
        : Html.of("""
            <section aria-labelledby="change"><h2 id="change">Change the active revision</h2>
            <p>Each action asks for confirmation first; every instance follows at its next check.</p>
            <div class="actions">
            <form method="get" action="%s"><input type="hidden" name="action" value="pin">
            <label for="p-rev">Pin revision</label><input id="p-rev" name="revision" required maxlength="200"
             autocomplete="off" spellcheck="false">
            <label for="p-reason">Reason</label><input id="p-reason" name="reason" maxlength="500">
            <button type="submit">Pin…</button></form>
            %s
            <form method="get" action="%s"><input type="hidden" name="action" value="rollback">
            <label for="r-to">Roll back to (empty: the last good revision before the active one)</label>
            <input id="r-to" name="revision" maxlength="200" autocomplete="off" spellcheck="false">
            <label for="r-reason">Reason</label><input id="r-reason" name="reason" maxlength="500">
            <button type="submit">Roll back…</button></form>
            </div></section>""", Pages.BASE + "/policy/confirm",
            st.pin().isPresent() ? Html.of("""
                <form method="get" action="%s"><input type="hidden" name="action" value="unpin">
                <p>Pinned to <code>%s</code>.</p><button type="submit">Unpin…</button></form>""",
                Pages.BASE + "/policy/confirm", st.pin().get().revision()) : Html.EMPTY,
            Pages.BASE + "/policy/confirm");
    Html body = Html.of("""
        %s
        <dl class="kv"><dt>Active revision</dt><dd><code id="active-revision">%s</code></dd>
        <dt>Pin</dt><dd id="pin">%s</dd>
        <dt>Source</dt><dd>%s</dd><dt>Newest seen</dt><dd><code>%s</code></dd>
        <dt>Last check</dt><dd>%s</dd><dt>This instance</dt><dd>%s</dd></dl>
        %s
        %s
        <section aria-labelledby="instances"><h2 id="instances">Instances</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Instance</th><th scope="col">Active revision</th>
        <th scope="col">Applied</th><th scope="col">Last failure</th><th scope="col">Source</th><th scope="col">Reported</th></tr></thead>
        <tbody>%s</tbody></table></div></section>
        <section aria-labelledby="history"><h2 id="history">History</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Time</th><th scope="col">By</th>
        <th scope="col">Revision</th><th scope="col">Outcome</th><th scope="col">Stage</th><th scope="col">Message</th>
        </tr></thead><tbody>%s</tbody></table></div></section>""", flash, nz(st.activeRevision()), pin, st.source(),
        nz(st.latestSeen()), st.lastCheck() == null ? "never" : st.lastCheck(), st.instanceId(),
        alerts.isEmpty() ? Html.of("<p class=\"notice\" role=\"status\">No failed check is outstanding.</p>")
            : Html.join(alerts), actions,
        instances.isEmpty() ? Html.of("<tr><td colspan=\"6\">No instance reported yet.</td></tr>") : Html.join(instances),
        history.isEmpty() ? Html.of("<tr><td colspan=\"6\">No history yet.</td></tr>") : Html.join(history));
    return new DashboardHandler.Result.Page(200, "Policy", body);
  }

  /** The confirmation page of an action (GET; changes nothing): what will happen, and the form that does it. */
  DashboardHandler.Result confirm(WebSessions.WebSession s, Map<String, String> q) throws DashboardHandler.PageError {
    RolloutController c = rollout();
    String action = q.get("action");
    if (action == null || !ACTIONS.contains(action)) {
      throw new DashboardHandler.PageError(400, "parameter `action` must be pin, unpin or rollback");
    }
    for (String k : q.keySet()) {
      if (!Set.of("action", "revision", "reason").contains(k)) {
        throw new DashboardHandler.PageError(400, "unknown parameter `" + DashboardHandler.printable(k)
            + "`; known: action, revision, reason");
      }
    }
    String revision = blankToNull(q.get("revision"));
    String reason = reason(q.get("reason"));
    if (action.equals("pin") && revision == null) {
      throw new DashboardHandler.PageError(400, "give the revision to pin (a commit SHA or bundle revision)");
    }
    String active = nz(c.status().activeRevision());
    String what = switch (action) {
      case "pin" -> "Pin revision " + revision + " on every instance (replacing " + active + ")?";
      case "unpin" -> "Remove the pin and follow the source's newest revision again on every instance?";
      default -> revision == null ? "Roll back from " + active + " to the last good revision before it, and pin it?"
          : "Roll back to revision " + revision + " and pin it on every instance (replacing " + active + ")?";
    };
    Html hidden = Html.join(
        revision == null ? Html.EMPTY : Html.of("<input type=\"hidden\" name=\"revision\" value=\"%s\">", revision),
        reason == null ? Html.EMPTY : Html.of("<input type=\"hidden\" name=\"reason\" value=\"%s\">", reason));
    Html body = Html.of("""
        <p class="notice" role="alert" id="confirm-question">%s</p>
        <dl class="kv"><dt>Active now</dt><dd><code>%s</code></dd><dt>Reason</dt><dd>%s</dd></dl>
        <p>The new revision is built and checked here first; a revision that fails a stage is refused and nothing
        changes. Other instances follow at their next check.</p>
        <div class="actions"><form method="post" action="%s">%s%s<input type="hidden" name="confirmed" value="yes">
        <button type="submit" id="confirm">Yes, %s</button></form>
        <p><a href="%s">Cancel</a></p></div>""", what, active, reason == null ? "-" : reason,
        Pages.BASE + "/policy/" + action, Pages.csrf(s), hidden, action, Pages.BASE + "/policy");
    return new DashboardHandler.Result.Page(200, "Confirm " + action, body);
  }

  /** POST /policy/{pin|unpin|rollback} from the confirmation page. */
  DashboardHandler.Result act(WebSessions.WebSession s, String action, Map<String, String> form)
      throws DashboardHandler.PageError {
    RolloutController c = rollout();
    if (!"yes".equals(form.get("confirmed"))) {
      throw new DashboardHandler.PageError(400, "confirm the " + action + " on its confirmation page first");
    }
    String revision = blankToNull(form.get("revision"));
    String reason = reason(form.get("reason"));
    String who = s.user().subject();
    RolloutController.CheckResult r;
    try {
      LOG.info("event=dashboard_policy_action subject={} action={} revision={}", who, action,
          revision == null ? "-" : DashboardHandler.printable(revision));
      r = switch (action) {
        case "pin" -> {
          if (revision == null) {
            throw new DashboardHandler.PageError(400, "give the revision to pin");
          }
          yield c.pin(revision, who, reason == null ? "" : reason);
        }
        case "unpin" -> c.unpin(who);
        default -> revision == null ? c.rollback(who, reason)
            : c.pin(revision, who, reason == null ? "rollback to " + revision : reason);
      };
    } catch (PinRefusedException e) {
      throw new DashboardHandler.PageError(400, "refused at stage " + e.failure().stage().wireName() + ": "
          + e.failure().render());
    } catch (IllegalArgumentException e) {
      throw new DashboardHandler.PageError(400, e.getMessage());
    } catch (IllegalStateException e) {
      throw new DashboardHandler.PageError(409, e.getMessage());
    }
    if (r instanceof RolloutController.CheckResult.Failed f) {
      throw new DashboardHandler.PageError(502, action + " was stored, but this instance's check failed at stage "
          + f.failure().stage().wireName() + ": " + f.failure().render());
    }
    if (r instanceof RolloutController.CheckResult.KnownBad k) {
      throw new DashboardHandler.PageError(502, action + " was stored, but its revision failed before at stage "
          + k.failure().stage().wireName() + ": " + k.failure().render());
    }
    String outcome = r instanceof RolloutController.CheckResult.Activated ? "activated"
        : r instanceof RolloutController.CheckResult.Unchanged ? "unchanged"
        : r instanceof RolloutController.CheckResult.FellBack ? "fell_back" : "empty";
    return new DashboardHandler.Result.Redirect(Pages.url(Pages.BASE + "/policy", ordered("done", action, "outcome",
        outcome, "revision", c.engine().activeRevision().orElse(""))));
  }

  private RolloutController rollout() throws DashboardHandler.PageError {
    if (rollout == null) {
      throw new DashboardHandler.PageError(409, "the policy is compiled from `policy.rego_dirs`: pin and rollback"
          + " need `policy.source` (git or bundle server)");
    }
    return rollout;
  }

  private static Html failure(String title, RolloutController.LastFailure f) {
    StageFailure sf = f.failure();
    List<Html> problems = new ArrayList<>();
    for (Problem p : sf.problems()) {
      problems.add(Html.of("<li><code>%s</code>%s</li>", p.file().isEmpty() ? "-" : p.file()
          + (p.line() > 0 ? ":" + p.line() + (p.column() > 0 ? ":" + p.column() : "") : ""), ": " + p.message()));
    }
    List<Html> tests = new ArrayList<>();
    sf.failedTests().forEach(t -> tests.add(Html.of("<li><code>%s</code></li>", t)));
    return Html.of("""
        <div class="notice error failure" role="alert"><h2>%s</h2>
        <dl class="kv"><dt>Revision</dt><dd><code>%s</code></dd><dt>Stage</dt><dd class="stage">%s</dd>
        <dt>Message</dt><dd>%s</dd><dt>At</dt><dd>%s</dd>%s%s</dl></div>""", title, nz(f.revision()),
        sf.stage().wireName(), sf.message(), f.at(),
        problems.isEmpty() ? Html.EMPTY : Html.of("<dt>Problems</dt><dd><ul class=\"problems\">%s</ul></dd>",
            Html.join(problems)),
        tests.isEmpty() ? Html.EMPTY : Html.of("<dt>Failing tests</dt><dd><ul class=\"tests\">%s</ul></dd>",
            Html.join(tests)));
  }

  private String activeRevision() {
    return engine == null ? "-" : engine.activeRevision().orElse("-");
  }

  private static String reason(String r) throws DashboardHandler.PageError {
    String v = blankToNull(r);
    if (v != null && v.length() > MAX_REASON) {
      throw new DashboardHandler.PageError(400, "the reason is longer than " + MAX_REASON + " characters");
    }
    return v;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static String nz(String s) {
    return s == null ? "-" : s;
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
