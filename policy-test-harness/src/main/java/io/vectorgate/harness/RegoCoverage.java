package io.vectorgate.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.harness.traffic.CaseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Rego line coverage of a policy directory's own modules by its Rego unit tests, measured by
 * {@code opa test --coverage} on the prepared policy (the Rego generated from a {@code .vg} file is
 * counted as {@code x.vg.rego}; test files and the shipped library are not counted). One
 * {@code coverage} case: failed below the threshold, with every file's percentage and its
 * uncovered lines.
 */
final class RegoCoverage {
  private RegoCoverage() {}

  static CaseResult measure(Path source, Path prepared, OpaTool opa, Path workDir, RepoPaths paths, boolean testsPassed,
      Double threshold) {
    String where = paths.show(source);
    if (!testsPassed) {
      return new CaseResult("coverage", "rego line coverage", where, CaseResult.Status.ERROR,
          List.of("not measured: opa test reports coverage only when every Rego test passes"), null, List.of(), 0);
    }
    List<Path> tests = PolicyTestRunner.find(source, p -> p.getFileName().toString().endsWith("_test.rego"));
    try {
      Path testDir = Files.createTempDirectory(workDir, "coverage-");
      paths.alias(testDir, source);
      for (Path t : tests) {
        Path target = testDir.resolve(source.relativize(t).toString());
        Files.createDirectories(target.getParent());
        Files.copy(t, target);
      }
      OpaTool.Run run = opa.run(List.of("test", "--coverage", prepared.toString(), testDir.toString()), null);
      JsonNode files = ContractJson.mapper().readTree(run.stdout()).path("files");
      long covered = 0;
      long notCovered = 0;
      List<String> lines = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Path file = Path.of(e.getKey());
        Path abs = file.isAbsolute() ? file : prepared.resolve(e.getKey());
        if (e.getKey().endsWith("_test.rego") || abs.startsWith(testDir.toAbsolutePath())
            || !Files.exists(source.resolve(prepared.toAbsolutePath().relativize(abs.toAbsolutePath()).toString()
                .replaceAll("\\.vg\\.rego$", ".vg")))) {
          continue; // a test, or not the directory's own module (the shipped library, the decision table)
        }
        long c = e.getValue().path("covered_lines").asLong();
        long n = e.getValue().path("not_covered_lines").asLong();
        covered += c;
        notCovered += n;
        TreeSet<Integer> uncovered = new TreeSet<>();
        e.getValue().path("not_covered").forEach(r -> {
          for (int l = r.path("start").path("row").asInt(); l <= r.path("end").path("row").asInt(); l++) {
            uncovered.add(l);
          }
        });
        lines.add(String.format(Locale.ROOT, "%s: %.1f%% (%d of %d lines)%s", paths.show(abs), percent(c, n), c, c + n,
            uncovered.isEmpty() ? "" : ", not covered: " + ranges(uncovered)));
      }
      double total = percent(covered, notCovered);
      String summary = String.format(Locale.ROOT, "rego line coverage %.1f%%%s", total,
          threshold == null ? "" : String.format(Locale.ROOT, " (threshold %.1f%%)", threshold));
      List<String> msgs = new ArrayList<>();
      msgs.add(summary);
      lines.stream().sorted().forEach(msgs::add);
      boolean ok = threshold == null || total + 1e-9 >= threshold;
      return new CaseResult("coverage", summary, where, ok ? CaseResult.Status.PASSED : CaseResult.Status.FAILED,
          ok ? List.of() : msgs.subList(1, msgs.size()), null, List.of(), 0);
    } catch (IOException e) {
      return new CaseResult("coverage", "rego line coverage", where, CaseResult.Status.ERROR,
          List.of("cannot read opa's coverage report: " + e.getMessage()), null, List.of(), 0);
    } catch (OpaTool.OpaException e) {
      return new CaseResult("coverage", "rego line coverage", where, CaseResult.Status.ERROR,
          List.of("cannot run opa test --coverage: " + e.getMessage()), null, List.of(), 0);
    }
  }

  private static double percent(long covered, long notCovered) {
    return covered + notCovered == 0 ? 100.0 : 100.0 * covered / (covered + notCovered);
  }

  /** {@code 3-5, 9}. */
  static String ranges(TreeSet<Integer> lines) {
    StringBuilder sb = new StringBuilder();
    Integer start = null;
    Integer prev = null;
    for (int l : lines) {
      if (prev != null && l == prev + 1) {
        prev = l;
        continue;
      }
      if (start != null) {
        sb.append(sb.isEmpty() ? "" : ", ").append(start.equals(prev) ? start : start + "-" + prev);
      }
      start = l;
      prev = l;
    }
    if (start != null) {
      sb.append(sb.isEmpty() ? "" : ", ").append(start.equals(prev) ? start : start + "-" + prev);
    }
    return sb.toString();
  }
}
