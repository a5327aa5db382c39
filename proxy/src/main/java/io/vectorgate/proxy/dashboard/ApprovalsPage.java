package io.vectorgate.proxy.dashboard;

import io.vectorgate.approvals.Approval;
import io.vectorgate.approvals.ApprovalException;
import io.vectorgate.approvals.ApprovalRules;
import io.vectorgate.approvals.ApprovalService;
import io.vectorgate.approvals.ApprovalStatus;
import io.vectorgate.approvals.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approvals inbox (pending requests the user may see, with approve / reject forms) and history,
 * answered through the same {@link ApprovalService} as the admin API: visibility is
 * {@link ApprovalRules#maySee}, and self-approval, non-approvers, double votes and expired requests
 * are refused by the service exactly as there.
 */
final class ApprovalsPage {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalsPage.class);
  private static final int PENDING_LIMIT = 200;
  private static final int HISTORY_LIMIT = 50;

  private final ApprovalService service;
  private final Set<String> readAllGroups;

  ApprovalsPage(ApprovalService service, Set<String> readAllGroups) {
    this.service = service;
    this.readAllGroups = Set.copyOf(readAllGroups);
  }

  DashboardHandler.Result inbox(WebSessions.WebSession s, Map<String, String> q) {
    Instant now = Instant.now();
    List<Html> pending = new ArrayList<>();
    for (Approval a : service.list(ApprovalStatus.PENDING, PENDING_LIMIT)) {
      if (a.statusAt(now) == ApprovalStatus.PENDING && ApprovalRules.maySee(a, s.user(), readAllGroups)) {
        pending.add(card(a, s, now));
      }
    }
    List<Html> history = new ArrayList<>();
    for (Approval a : service.list(null, HISTORY_LIMIT + PENDING_LIMIT)) {
      if (a.statusAt(now) != ApprovalStatus.PENDING && ApprovalRules.maySee(a, s.user(), readAllGroups)
          && history.size() < HISTORY_LIMIT) {
        history.add(historyRow(a, now));
      }
    }
    Html flash = Html.EMPTY;
    if (q.containsKey("done")) {
      flash = Pages.notice("Your answer to " + q.get("done") + " was recorded.", false);
    }
    Html body = Html.of("""
        %s
        <section aria-labelledby="inbox"><h2 id="inbox">Pending (%s)</h2>%s</section>
        <section aria-labelledby="history"><h2 id="history">History</h2>
        <div class="table-wrap"><table><thead><tr><th scope="col">Request</th><th scope="col">Requested by</th>
        <th scope="col">Status</th><th scope="col">Answers</th><th scope="col">Resolved</th></tr></thead>
        <tbody>%s</tbody></table></div></section>""", flash, pending.size(),
        pending.isEmpty() ? Html.of("<p>Nothing is waiting for an answer.</p>") : Html.join(pending),
        history.isEmpty() ? Html.of("<tr><td colspan=\"5\">No answered requests yet.</td></tr>") : Html.join(history));
    return new DashboardHandler.Result.Page(200, "Approvals", body);
  }

  DashboardHandler.Result answer(WebSessions.WebSession s, String id, boolean approve, Map<String, String> form)
      throws DashboardHandler.PageError {
    try {
      Approval before = service.find(id).orElse(null);
      if (before == null || !ApprovalRules.maySee(before, s.user(), readAllGroups)) {
        throw new DashboardHandler.PageError(404, "no approval `" + DashboardHandler.printable(id) + "` visible to you");
      }
      if (approve) {
        service.approve(id, s.user(), blankToNull(form.get("comment")), 1);
      } else {
        service.reject(id, s.user(), blankToNull(form.get("reason")));
      }
      LOG.info("event=dashboard_approval_answered subject={} approval={} answer={}", s.user().subject(), id,
          approve ? "approve" : "reject");
      return new DashboardHandler.Result.Redirect(Pages.url(Pages.BASE + "/approvals", Map.of("done", id)));
    } catch (ApprovalException e) {
      throw new DashboardHandler.PageError(e.code().httpStatus(), e.getMessage());
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private Html card(Approval a, WebSessions.WebSession s, Instant now) {
    var sum = a.summary();
    boolean mayAnswer = ApprovalRules.holdsApproverGroup(a, s.user()) && !a.requester().subject().equals(s.user().subject())
        && a.votes().stream().noneMatch(v -> v.approver().equals(s.user().subject()));
    String why = a.requester().subject().equals(s.user().subject()) ? "You requested this; someone else must answer it."
        : !ApprovalRules.holdsApproverGroup(a, s.user()) ? "You are in none of its approver groups."
        : "You already answered.";
    Html forms = mayAnswer ? Html.of("""
        <div class="actions">
        <form method="post" action="%s">%s<label for="c-%s">Comment (optional)</label>
        <textarea id="c-%s" name="comment" maxlength="2000"></textarea>
        <button type="submit" class="approve">Approve</button></form>
        <form method="post" action="%s">%s<label for="r-%s">Reason (required)</label>
        <textarea id="r-%s" name="reason" maxlength="2000" required></textarea>
        <button type="submit" class="reject">Reject</button></form>
        </div>""", Pages.BASE + "/approvals/" + Pages.enc(a.id()) + "/approve", Pages.csrf(s), a.id(), a.id(),
        Pages.BASE + "/approvals/" + Pages.enc(a.id()) + "/reject", Pages.csrf(s), a.id(), a.id())
        : Html.of("<p class=\"who\">%s</p>", why);
    String counts = sum.counts().isEmpty() ? "" : sum.counts().toString();
    return Html.of("""
        <article class="card" aria-labelledby="h-%s"><h3 id="h-%s">%s on %s</h3>
        <dl class="kv">
        <dt>Summary</dt><dd>%s</dd>
        <dt>Operation</dt><dd><code>%s</code> (%s)</dd>
        <dt>Collection</dt><dd><code>%s</code>%s</dd>
        <dt>Filter</dt><dd><pre>%s</pre></dd>
        %s
        <dt>Requested by</dt><dd>%s (groups %s%s) from %s</dd>
        <dt>Why held</dt><dd>%s</dd>
        <dt>Progress</dt><dd>%s of %s approvals%s</dd>
        <dt>Time left</dt><dd>%s (expires %s)</dd>
        <dt>Approver groups</dt><dd>%s</dd>
        <dt>Id</dt><dd><code>%s</code></dd>
        </dl>%s</article>""", a.id(), a.id(), sum.action(), sum.collection() == null ? "-" : sum.collection(),
        sum.text(), sum.method(), sum.action(), sum.collection() == null ? "-" : sum.collection(),
        sum.database() == null ? "" : Html.of(" in database <code>%s</code>", sum.database()),
        sum.filter() == null ? "(none: every row)" : sum.filter(),
        counts.isEmpty() ? Html.EMPTY : Html.of("<dt>Counts</dt><dd>%s</dd>", counts),
        a.requester().subject(), String.join(", ", a.requester().groups()),
        a.requester().tenant() == null ? "" : ", tenant " + a.requester().tenant(),
        a.clientAddress() == null ? "unknown address" : a.clientAddress(), a.reason() == null ? "-" : a.reason(),
        a.approvals().size(), a.minApprovals(), votes(a.votes()), left(Duration.between(now, a.expiresAt())),
        a.expiresAt(), String.join(", ", a.approverGroups()), a.id(), forms);
  }

  private static Html votes(List<Vote> votes) {
    if (votes.isEmpty()) {
      return Html.EMPTY;
    }
    List<Html> parts = new ArrayList<>();
    for (Vote v : votes) {
      parts.add(Html.of("<li>%s %s%s</li>", v.approver(), v.approve() ? "approved" : "rejected",
          v.comment() == null ? "" : ": " + v.comment()));
    }
    return Html.of("<ul>%s</ul>", Html.join(parts));
  }

  private static Html historyRow(Approval a, Instant now) {
    var sum = a.summary();
    List<Html> answers = new ArrayList<>();
    for (Vote v : a.votes()) {
      answers.add(Html.of("<div>%s: %s%s</div>", v.approver(), v.approve() ? "approved" : "rejected",
          v.comment() == null ? "" : " (" + v.comment() + ")"));
    }
    return Html.of("<tr><td>%s<br><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", sum.text(),
        a.id(), a.requester().subject(), a.statusAt(now).wire(), Html.join(answers),
        a.resolvedAt() == null ? a.expiresAt() : a.resolvedAt());
  }

  static String left(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return "expired";
    }
    long s = d.getSeconds();
    return s >= 3600 ? (s / 3600) + " h " + (s % 3600 / 60) + " min" : s >= 60 ? (s / 60) + " min " + (s % 60) + " s"
        : s + " s";
  }
}
