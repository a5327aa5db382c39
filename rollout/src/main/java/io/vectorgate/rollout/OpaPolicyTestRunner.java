package io.vectorgate.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.engine.ContractJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Rego unit tests of a policy directory ({@code *_test.rego}, outside hidden directories) run
 * by the real {@code opa test --format=json} against the prepared tree (DSL compiled, decision
 * table, data files). A {@code todo_} (skipped) test counts as failed: every test must assert.
 */
public final class OpaPolicyTestRunner implements PolicyTestRunner {
  private final OpaTool opa;

  public OpaPolicyTestRunner(OpaTool opa) {
    this.opa = opa;
  }

  @Override
  public String name() {
    return "opa";
  }

  @Override
  public Report run(Context ctx) {
    List<Path> tests;
    try (Stream<Path> walk = Files.walk(ctx.policyDir())) {
      tests = walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith("_test.rego"))
          .filter(p -> !hidden(ctx.policyDir().relativize(p)))
          .sorted().toList();
    } catch (IOException e) {
      return new Report(List.of(), List.of(Problem.of("cannot list the tests: " + e.getMessage())));
    }
    if (tests.isEmpty()) {
      return new Report(List.of(), List.of());
    }
    List<TestCase> cases = new ArrayList<>();
    try {
      Path testDir = Files.createTempDirectory(ctx.workDir(), "opa-tests-");
      for (Path t : tests) {
        Path target = testDir.resolve(ctx.policyDir().relativize(t).toString());
        Files.createDirectories(target.getParent());
        Files.copy(t, target);
      }
      OpaTool.Run run = opa.run(List.of("test", "--format=json", ctx.preparedDir().toString(), testDir.toString()), null);
      JsonNode results = null;
      try {
        results = ContractJson.mapper().readTree(run.stdout());
      } catch (IOException e) {
        // not JSON: opa failed before running tests (parse or compile error); reported below
        results = null;
      }
      if (results == null || !results.isArray()) {
        String text = (run.stderr().isBlank() ? run.stdout() : run.stderr())
            .replace(testDir.toString() + "/", "").replace(ctx.preparedDir().toString() + "/", "");
        return new Report(List.of(), parseErrors(text, run.exitCode()));
      }
      for (JsonNode r : results) {
        String file = r.path("location").path("file").asText("")
            .replace(testDir.toString() + "/", "").replace(ctx.preparedDir().toString() + "/", "");
        String loc = file + ":" + r.path("location").path("row").asInt();
        String name = r.path("package").asText() + "." + r.path("name").asText();
        List<String> msgs = new ArrayList<>();
        boolean ok = true;
        if (r.has("error")) {
          ok = false;
          msgs.add(r.get("error").path("message").asText(r.get("error").toString()));
        } else if (r.path("fail").asBoolean(false)) {
          ok = false;
          msgs.add("test rule is not true");
        } else if (r.path("skip").asBoolean(false)) {
          ok = false;
          msgs.add("skipped (todo_ test): every test must assert behaviour");
        }
        cases.add(new TestCase(name, loc, ok, msgs));
      }
      return new Report(cases, List.of());
    } catch (IOException e) {
      return new Report(cases, List.of(Problem.of("cannot stage the Rego tests: " + e.getMessage())));
    } catch (OpaTool.OpaException e) {
      return new Report(cases, List.of(Problem.of("cannot run opa test: " + e.getMessage())));
    }
  }

  /** {@code file:line: code: message} lines of opa's text errors, else the whole text. */
  static List<Problem> parseErrors(String text, int exit) {
    List<Problem> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*([^\\s:][^:\\n]*):(\\d+): (.+)$").matcher(text);
    while (m.find()) {
      out.add(new Problem(m.group(1), Integer.parseInt(m.group(2)), 0, m.group(3).trim()));
    }
    if (out.isEmpty()) {
      out.add(Problem.of("opa test failed (exit " + exit + "): " + text.strip()));
    }
    return out;
  }

  static boolean hidden(Path rel) {
    for (Path part : rel) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
