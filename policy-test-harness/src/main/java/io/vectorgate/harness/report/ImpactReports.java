package io.vectorgate.harness.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.harness.impact.Change;
import io.vectorgate.harness.impact.ChangeKind;
import io.vectorgate.harness.impact.ImpactGroup;
import io.vectorgate.harness.impact.ImpactReport;
import io.vectorgate.harness.replay.ReplayError;
import io.vectorgate.harness.traffic.CaseResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders an {@link ImpactReport}: terminal text, JSON, JUnit XML, HTML with a chart of decision changes. */
public final class ImpactReports {
  private static final String[] SERIES = {"newly denied", "newly allowed", "obligations changed", "reasons changed"};
  private static final String[] COLORS = {"#c62828", "#2e7d32", "#ef6c00", "#6d6d6d"};

  private ImpactReports() {}

  private static String example(Change c) {
    return c.source().id() + " (" + (c.source().identity().subject() == null ? "anonymous" : c.source().identity().subject())
        + "): " + summary(c);
  }

  /** {@code allow -> deny [codes]}; the aspects only where they are not already the reason codes shown. */
  private static String summary(Change c) {
    boolean flip = c.kind() == ChangeKind.NEWLY_DENIED || c.kind() == ChangeKind.NEWLY_ALLOWED;
    return (c.before().allow() ? "allow" : "deny " + c.before().reasonCodes()) + " -> "
        + (c.after().allow() ? "allow" : "deny " + c.after().reasonCodes())
        + (flip || c.aspects().isEmpty() ? "" : " " + c.aspects())
        + (c.effects().isEmpty() ? "" : " => " + c.effects().stream().map(Object::toString)
            .collect(java.util.stream.Collectors.joining("; ")));
  }

  public static String terminal(ImpactReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("baseline:  ").append(r.baseline()).append(" (").append(r.baselineRevision()).append(")\n");
    sb.append("candidate: ").append(r.candidate()).append(" (").append(r.candidateRevision()).append(")\n");
    sb.append("traffic:   ").append(r.traffic()).append(": ").append(r.requests()).append(" requests, ")
        .append(r.decided()).append(" re-decided, ").append(r.unchanged()).append(" unchanged, ")
        .append(r.refusedAsRecorded()).append(" refused by the adapter as recorded, ").append(r.errors().size())
        .append(" errors").append(r.unreplayable().isEmpty() ? "" : ", " + r.unreplayable().size() + " unreplayable ("
            + r.unreplayableMode().wireName() + ")").append("\n\n");
    for (ChangeKind k : ChangeKind.values()) {
      sb.append(String.format("%-20s %d%n", k.wireName(), r.counts().get(k)));
    }
    if (!r.groups().isEmpty()) {
      sb.append('\n');
      for (ImpactGroup g : r.groups()) {
        sb.append(String.format("%s %-19s %5d  action=%s collection=%s group=%s%s%n", g.expected() ? "  intended  " : "UNEXPECTED  ",
            g.kind().wireName(), g.count(), g.action(), g.collection(), g.group(),
            g.aspects().isEmpty() ? "" : " " + g.aspects()));
        for (Change c : g.examples()) {
          sb.append("      e.g. ").append(example(c)).append('\n');
        }
      }
    }
    if (!r.errors().isEmpty()) {
      sb.append("\nerrors (requests the adapter could not rebuild):\n");
      r.errors().stream().limit(20).forEach(e -> sb.append("  ").append(e).append('\n'));
      if (r.errors().size() > 20) {
        sb.append("  … ").append(r.errors().size() - 20).append(" more\n");
      }
    }
    if (!r.unreplayable().isEmpty() && r.unreplayableMode() == io.vectorgate.rollout.ImpactExpectationsFile.Unreplayable.COUNT) {
      sb.append("\nunreplayable (counted, not failing: `unreplayable: count`):\n");
      r.unreplayable().stream().limit(20).forEach(e -> sb.append("  ").append(e).append('\n'));
      if (r.unreplayable().size() > 20) {
        sb.append("  … ").append(r.unreplayable().size() - 20).append(" more\n");
      }
    }
    if (!r.drift().isEmpty()) {
      sb.append("\ndrift: ").append(r.drift().size()).append(" request(s) rebuilt differently from what was recorded, e.g.\n");
      r.drift().entrySet().stream().limit(5).forEach(e -> sb.append("  ").append(e.getKey()).append(": ")
          .append(e.getValue().get(0)).append(e.getValue().size() > 1 ? " (+" + (e.getValue().size() - 1) + ")" : "").append('\n'));
    }
    r.notObserved().forEach(n -> sb.append("\nNOT OBSERVED ").append(n));
    if (!r.notObserved().isEmpty()) {
      sb.append('\n');
    }
    sb.append(String.format("%n%s: %d unexpected change(s), %d intended change(s) not observed, %d error(s) in %.1f s%n",
        r.passed() ? "PASS" : "FAIL", r.unexpectedChanges(), r.notObserved().size(), r.errors().size(),
        r.elapsedNanos() / 1e9));
    return sb.toString();
  }

  /** {@code effects: [{kind, detail}]} of an obligations change (absent for other kinds). */
  private static void effects(ObjectNode o, Change c) {
    if (!c.effects().isEmpty()) {
      ArrayNode a = o.putArray("effects");
      c.effects().forEach(e -> a.addObject().put("kind", e.kind().wireName()).put("detail", e.detail()));
    }
  }

  public static String json(ImpactReport r) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("passed", r.passed());
    root.putObject("baseline").put("source", r.baseline()).put("revision", r.baselineRevision());
    root.putObject("candidate").put("source", r.candidate()).put("revision", r.candidateRevision());
    root.put("traffic", r.traffic());
    root.put("requests", r.requests());
    root.put("decided", r.decided());
    root.put("unchanged", r.unchanged());
    root.put("refused_as_recorded", r.refusedAsRecorded());
    root.put("unexpected_changes", r.unexpectedChanges());
    ObjectNode counts = root.putObject("counts");
    r.counts().forEach((k, v) -> counts.put(k.wireName(), v));
    ArrayNode groups = root.putArray("groups");
    for (ImpactGroup g : r.groups()) {
      ObjectNode o = groups.addObject();
      o.put("change", g.kind().wireName());
      o.put("action", g.action());
      o.put("collection", g.collection());
      o.put("group", g.group());
      o.put("count", g.count());
      o.put("expected", g.expected());
      if (!g.intendedBy().isEmpty()) {
        o.put("intended_by", g.intendedBy());
      }
      ArrayNode a = o.putArray("aspects");
      g.aspects().forEach(a::add);
      ArrayNode ex = o.putArray("examples");
      for (Change c : g.examples()) {
        ObjectNode e = ex.addObject();
        e.put("record", c.source().id());
        e.put("subject", c.source().identity().subject());
        e.set("before", ContractJson.mapper().valueToTree(c.before()));
        e.set("after", ContractJson.mapper().valueToTree(c.after()));
        effects(e, c);
      }
    }
    ArrayNode changed = root.putArray("changed_records");
    r.changes().forEach(c -> effects(changed.addObject().put("record", c.source().id()).put("change", c.kind().wireName()), c));
    ArrayNode errors = root.putArray("errors");
    for (ReplayError e : r.errors()) {
      errors.addObject().put("record", e.recordId()).put("location", e.location()).put("code", e.code())
          .put("field", e.field()).put("message", e.message());
    }
    ObjectNode drift = root.putObject("drift");
    r.drift().forEach((id, ds) -> {
      ArrayNode a = drift.putArray(id);
      ds.forEach(d -> a.addObject().put("pointer", d.pointer())
          .put("recorded", d.recorded() == null ? null : d.recorded().toString())
          .put("rebuilt", d.rebuilt() == null ? null : d.rebuilt().toString())
          .put("explanation", d.explanation()));
    });
    root.put("unreplayable_mode", r.unreplayableMode().wireName());
    ArrayNode unrep = root.putArray("unreplayable");
    for (ReplayError e : r.unreplayable()) {
      unrep.addObject().put("record", e.recordId()).put("location", e.location()).put("code", e.code())
          .put("message", e.message());
    }
    ArrayNode no = root.putArray("not_observed");
    r.notObserved().forEach(no::add);
    root.put("elapsed_ms", r.elapsedNanos() / 1_000_000);
    return root.toPrettyString() + "\n";
  }

  /** As test cases: one per change group (failed when unexpected), per error, per intended change not observed. */
  public static List<CaseResult> cases(ImpactReport r) {
    List<CaseResult> out = new ArrayList<>();
    for (ImpactGroup g : r.groups()) {
      String name = g.kind().wireName() + " " + g.action() + " " + g.collection() + " " + g.group();
      List<String> details = new ArrayList<>();
      details.add(g.count() + " request(s)" + (g.expected() ? ", intended by " + g.intendedBy() : ", not declared as intended"));
      g.examples().forEach(c -> details.add("e.g. " + example(c)));
      out.add(new CaseResult("impact.changes", name, g.examples().get(0).source().location(),
          g.expected() ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, g.expected() ? List.of() : details, null,
          List.of(), 0));
    }
    for (ReplayError e : r.errors()) {
      out.add(new CaseResult("impact.errors", e.recordId(), e.location(), CaseResult.Status.ERROR, List.of(e.toString()),
          null, List.of(), 0));
    }
    for (String n : r.notObserved()) {
      out.add(new CaseResult("impact.intended", n.substring(0, Math.max(0, n.indexOf(": "))), n, CaseResult.Status.FAILED,
          List.of(n), null, List.of(), 0));
    }
    if (out.isEmpty()) {
      out.add(new CaseResult("impact.changes", "no decision changes", r.traffic(), CaseResult.Status.PASSED, List.of(), null,
          List.of(), 0));
    }
    return out;
  }

  public static String junitXml(ImpactReport r) {
    return TestReports.junitXml("vectorgate impact", cases(r), r.elapsedNanos());
  }

  public static String html(ImpactReport r) {
    StringBuilder sb = new StringBuilder();
    Html.head(sb, "vectorgate impact");
    sb.append("<h1>Policy impact</h1>\n<table>\n<tr><th>baseline</th><td>").append(Xml.esc(r.baseline())).append(" (")
        .append(Xml.esc(r.baselineRevision())).append(")</td></tr>\n<tr><th>candidate</th><td>")
        .append(Xml.esc(r.candidate())).append(" (").append(Xml.esc(r.candidateRevision())).append(")</td></tr>\n")
        .append("<tr><th>traffic</th><td>").append(Xml.esc(r.traffic())).append(": ").append(r.requests())
        .append(" requests, ").append(r.decided()).append(" re-decided, ").append(r.unchanged()).append(" unchanged, ")
        .append(r.errors().size()).append(" errors</td></tr>\n</table>\n");
    sb.append("<p class=\"").append(r.passed() ? "ok" : "bad").append("\">").append(r.passed() ? "PASS" : "FAIL")
        .append(": ").append(r.unexpectedChanges()).append(" unexpected change(s), ").append(r.notObserved().size())
        .append(" intended change(s) not observed, ").append(r.errors().size()).append(" error(s)</p>\n");
    sb.append("<h2>Decision changes by action</h2>\n");
    Map<String, long[]> byAction = new LinkedHashMap<>();
    for (ImpactGroup g : r.groups()) {
      long[] v = byAction.computeIfAbsent(g.action(), k -> new long[ChangeKind.values().length]);
      v[g.kind().ordinal()] += g.count();
    }
    if (byAction.isEmpty()) {
      sb.append("<p>No decision changes.</p>\n");
    } else {
      sb.append(Html.stackedBars(byAction, SERIES, COLORS));
    }
    sb.append("<h2>Changes</h2>\n<table><tr><th></th><th>change</th><th>count</th><th>action</th><th>collection</th>")
        .append("<th>identity group</th><th>what changed</th><th>examples</th></tr>\n");
    for (ImpactGroup g : r.groups()) {
      sb.append("<tr class=\"").append(g.expected() ? "ok" : "bad").append("\"><td>")
          .append(g.expected() ? "intended" : "UNEXPECTED").append("</td><td>").append(g.kind().wireName())
          .append("</td><td>").append(g.count()).append("</td><td>").append(Xml.esc(g.action())).append("</td><td>")
          .append(Xml.esc(g.collection())).append("</td><td>").append(Xml.esc(g.group())).append("</td><td>")
          .append(Xml.esc(String.join(", ", g.aspects()))).append("</td><td><pre>")
          .append(Xml.esc(String.join("\n", g.examples().stream().map(ImpactReports::example).toList())))
          .append("</pre></td></tr>\n");
    }
    sb.append("</table>\n");
    if (!r.errors().isEmpty()) {
      sb.append("<h2>Errors</h2>\n<pre>").append(Xml.esc(String.join("\n", r.errors().stream().map(Object::toString).toList())))
          .append("</pre>\n");
    }
    if (!r.notObserved().isEmpty()) {
      sb.append("<h2>Intended but not observed</h2>\n<pre>").append(Xml.esc(String.join("\n", r.notObserved()))).append("</pre>\n");
    }
    if (!r.drift().isEmpty()) {
      sb.append("<h2>Drift (recorded vs rebuilt operation)</h2>\n<pre>");
      r.drift().entrySet().stream().limit(50).forEach(e -> sb.append(Xml.esc(e.getKey() + ": "
          + String.join("; ", e.getValue().stream().map(Object::toString).toList()))).append('\n'));
      sb.append("</pre>\n");
    }
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }
}
