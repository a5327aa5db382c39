package io.vectorgate.harness.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.harness.PolicyTestRunner;
import io.vectorgate.harness.RepoPaths;
import io.vectorgate.harness.traffic.CaseResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link PolicyTestRunner.TestRun}: terminal text, JUnit XML, JSON, HTML. */
public final class TestReports {
  private TestReports() {}

  static Map<String, List<CaseResult>> bySuite(List<CaseResult> results) {
    Map<String, List<CaseResult>> m = new LinkedHashMap<>();
    for (CaseResult r : results) {
      m.computeIfAbsent(r.suite(), k -> new java.util.ArrayList<>()).add(r);
    }
    return m;
  }

  public static String terminal(PolicyTestRunner.TestRun run) {
    StringBuilder sb = new StringBuilder();
    for (CaseResult r : run.results()) {
      if (r.passed() && r.suite().equals("coverage")) {
        sb.append("COVERAGE  ").append(r.name()).append('\n');
      }
      if (!r.passed()) {
        sb.append(r.status().name()).append("  ").append(r.suite()).append(" / ").append(r.name()).append("  (")
            .append(r.location()).append(")\n");
        r.failures().forEach(f -> sb.append("    ").append(f.replace("\n", "\n    ")).append('\n'));
      }
      if (!r.drift().isEmpty()) {
        sb.append("DRIFT ").append(r.suite()).append(" / ").append(r.name()).append(": ")
            .append(r.drift().size()).append(" difference(s) between recorded and rebuilt operation\n");
        r.drift().forEach(d -> sb.append("    ").append(d).append('\n'));
      }
    }
    bySuite(run.results()).forEach((suite, rs) -> sb.append(String.format("%-28s %4d passed %4d failed %4d errors%n", suite,
        rs.stream().filter(CaseResult::passed).count(),
        rs.stream().filter(r -> r.status() == CaseResult.Status.FAILED).count(),
        rs.stream().filter(r -> r.status() == CaseResult.Status.ERROR).count())));
    sb.append(String.format("%s: %d passed, %d failed, %d errors in %.1f s%n", run.passed() ? "PASS" : "FAIL",
        run.count(CaseResult.Status.PASSED), run.count(CaseResult.Status.FAILED), run.count(CaseResult.Status.ERROR),
        run.elapsedNanos() / 1e9));
    return sb.toString();
  }

  public static String junitXml(PolicyTestRunner.TestRun run) {
    return junitXml("vectorgate test " + shownDir(run), run.results(), run.elapsedNanos());
  }

  /** The policy directory as the repository names it. */
  static String shownDir(PolicyTestRunner.TestRun run) {
    return RepoPaths.of(run.policyDir()).show(run.policyDir());
  }

  /**
   * JUnit XML ({@code testsuites}/{@code testsuite}/{@code testcase}), one suite per group of cases;
   * a case's {@code file} is the file alone (relative to the repository root) and {@code line} its line.
   */
  public static String junitXml(String name, List<CaseResult> results, long elapsedNanos) {
    StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    long failures = results.stream().filter(r -> r.status() == CaseResult.Status.FAILED).count();
    long errors = results.stream().filter(r -> r.status() == CaseResult.Status.ERROR).count();
    sb.append(String.format(Locale.ROOT, "<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">%n",
        Xml.esc(name), results.size(), failures, errors, elapsedNanos / 1e9));
    bySuite(results).forEach((suite, rs) -> {
      sb.append(String.format(Locale.ROOT, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\">%n",
          Xml.esc(suite), rs.size(), rs.stream().filter(r -> r.status() == CaseResult.Status.FAILED).count(),
          rs.stream().filter(r -> r.status() == CaseResult.Status.ERROR).count()));
      for (CaseResult r : rs) {
        int line = RepoPaths.lineOf(r.location());
        sb.append(String.format(Locale.ROOT, "    <testcase classname=\"%s\" name=\"%s\" file=\"%s\"%s time=\"%.6f\"",
            Xml.esc(suite), Xml.esc(r.name()), Xml.esc(RepoPaths.fileOf(r.location())),
            line > 0 ? " line=\"" + line + "\"" : "", r.nanos() / 1e9));
        if (r.passed() && r.drift().isEmpty()) {
          sb.append("/>\n");
          continue;
        }
        sb.append(">\n");
        if (!r.passed()) {
          String tag = r.status() == CaseResult.Status.ERROR ? "error" : "failure";
          String msg = r.failures().isEmpty() ? r.status().name() : r.failures().get(0);
          sb.append("      <").append(tag).append(" message=\"").append(Xml.esc(msg)).append("\">")
              .append(Xml.esc(r.location() + "\n" + String.join("\n", r.failures()))).append("</").append(tag).append(">\n");
        }
        if (!r.drift().isEmpty()) {
          sb.append("      <system-out>").append(Xml.esc("drift between recorded and rebuilt operation:\n"
              + String.join("\n", r.drift().stream().map(Object::toString).toList()))).append("</system-out>\n");
        }
        sb.append("    </testcase>\n");
      }
      sb.append("  </testsuite>\n");
    });
    sb.append("</testsuites>\n");
    return sb.toString();
  }

  public static String json(PolicyTestRunner.TestRun run) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("policy_dir", shownDir(run));
    root.put("revision", run.revision());
    root.put("passed", run.passed());
    ObjectNode counts = root.putObject("counts");
    for (CaseResult.Status s : CaseResult.Status.values()) {
      counts.put(s.name().toLowerCase(Locale.ROOT), run.count(s));
    }
    root.put("elapsed_ms", run.elapsedNanos() / 1_000_000);
    ArrayNode cases = root.putArray("cases");
    for (CaseResult r : run.results()) {
      ObjectNode c = cases.addObject();
      c.put("suite", r.suite());
      c.put("name", r.name());
      c.put("location", r.location());
      c.put("status", r.status().name().toLowerCase(Locale.ROOT));
      ArrayNode f = c.putArray("failures");
      r.failures().forEach(f::add);
      if (r.decision() != null) {
        c.set("decision", ContractJson.mapper().valueToTree(r.decision()));
      }
      if (!r.drift().isEmpty()) {
        c.set("drift", ContractJson.mapper().valueToTree(r.drift().stream().map(Object::toString).toList()));
      }
    }
    return root.toPrettyString() + "\n";
  }

  public static String html(PolicyTestRunner.TestRun run) {
    StringBuilder sb = new StringBuilder();
    Html.head(sb, "vectorgate test " + shownDir(run));
    sb.append("<h1>Policy tests: ").append(Xml.esc(shownDir(run))).append("</h1>\n");
    sb.append("<p class=\"").append(run.passed() ? "ok" : "bad").append("\">").append(run.passed() ? "PASS" : "FAIL")
        .append(": ").append(run.count(CaseResult.Status.PASSED)).append(" passed, ")
        .append(run.count(CaseResult.Status.FAILED)).append(" failed, ").append(run.count(CaseResult.Status.ERROR))
        .append(" errors. Revision ").append(Xml.esc(run.revision() == null ? "-" : run.revision())).append("</p>\n");
    Map<String, long[]> bars = new LinkedHashMap<>();
    bySuite(run.results()).forEach((s, rs) -> bars.put(s, new long[] {
        rs.stream().filter(CaseResult::passed).count(),
        rs.stream().filter(r -> !r.passed()).count()}));
    sb.append(Html.stackedBars(bars, new String[] {"passed", "failed/error"}, new String[] {"#2e7d32", "#c62828"}));
    sb.append("<table><tr><th>suite</th><th>case</th><th>status</th><th>location</th><th>details</th></tr>\n");
    for (CaseResult r : run.results()) {
      sb.append("<tr class=\"").append(r.passed() ? "ok" : "bad").append("\"><td>").append(Xml.esc(r.suite()))
          .append("</td><td>").append(Xml.esc(r.name())).append("</td><td>").append(r.status().name())
          .append("</td><td>").append(Xml.esc(r.location())).append("</td><td><pre>")
          .append(Xml.esc(String.join("\n", r.failures())));
      if (!r.drift().isEmpty()) {
        sb.append(Xml.esc("\ndrift:\n" + String.join("\n", r.drift().stream().map(Object::toString).toList())));
      }
      sb.append("</pre></td></tr>\n");
    }
    sb.append("</table>\n</body>\n</html>\n");
    return sb.toString();
  }
}
