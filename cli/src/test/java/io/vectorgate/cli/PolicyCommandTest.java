package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Drives `vectorgate policy ...` with the real opa binary, the shipped library and the sample organisation. */
class PolicyCommandTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));
  private static final Path LIBRARY = ROOT.resolve("rego-policies/src/main/rego");
  private static final Path ORG = ROOT.resolve("samples/org/data.json");
  private static final Path EXAMPLES = ROOT.resolve("rego-policies/src/test/resources/examples");

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void compileThenEvalGivesTheDocumentedDecision(@TempDir Path tmp) throws Exception {
    Path bundle = tmp.resolve("bundle.tar.gz");
    Run compiled = run("policy", "compile", LIBRARY.toString(), ORG.toString(), "-o", bundle.toString(), "-r", "cli-test");
    assertEquals(0, compiled.code(), compiled.err());
    assertTrue(Files.size(bundle) > 0);
    assertTrue(compiled.out().contains("revision cli-test"), compiled.out());

    Run eval = run("policy", "eval", "--bundle", bundle.toString(), "--input",
        EXAMPLES.resolve("search.input.json").toString());
    assertEquals(0, eval.code(), eval.err());
    ObjectMapper m = new ObjectMapper();
    JsonNode result = m.readTree(eval.out()).get("result");
    JsonNode expected = m.readTree(EXAMPLES.resolve("search.decision.json").toFile());
    assertEquals(expected, result);
    assertEquals("cli-test", m.readTree(eval.out()).get("revision").asText());
    // the contract's names, as in the decision log
    assertTrue(m.readTree(eval.out()).path("decision_id").asText().length() > 8, eval.out());
    assertTrue(!eval.out().contains("decisionId") && !eval.out().contains("evalNanos"), eval.out());
  }

  @Test
  void strictCheckNamesUnusedImportsAndVariablesRelativeToTheRepository(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call().close();
    Path dir = Files.createDirectories(repo.resolve("policies"));
    Files.writeString(dir.resolve("extra.rego"), """
        package vectorgate.extra

        import rego.v1
        import data.unused

        deny contains "x" if {
        	y := 1
        	input.a == 2
        }
        """);
    Files.writeString(dir.resolve("main.rego"), "package vectorgate\n\nimport rego.v1\n\ndecision := {\"allow\": false}\n");
    Run plain = run("policy", "check", dir.toString());
    assertEquals(0, plain.code(), plain.err());
    Run strict = run("policy", "check", "--strict", dir.toString());
    assertEquals(1, strict.code(), strict.out());
    assertTrue(strict.err().contains("policies/extra.rego:4: rego_compile_error: import data.unused unused"), strict.err());
    assertTrue(strict.err().contains("policies/extra.rego:7: rego_compile_error: assigned var y unused"), strict.err());
    assertTrue(!strict.err().contains(tmp.toString()), strict.err());
  }

  /** `policy eval --explain`: the rules that produced a value (repository paths) and OPA's notes or full trace. */
  @Test
  void evalExplainNamesTheProducingRulesAndOpaNotes(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call().close();
    Path dir = Files.createDirectories(repo.resolve("policies"));
    Files.writeString(dir.resolve("main.rego"), """
        package vectorgate

        import rego.v1

        deny contains {"code": "no_x", "message": "x is required"} if {
        	input.y == 1
        	not input.x
        }

        deny contains {"code": "never", "message": "not produced"} if input.z == 3

        decision := {"allow": count(deny) == 0, "reasons": deny}
        """);
    Path input = tmp.resolve("in.json");
    Files.writeString(input, "{\"y\": 1}");
    Run notes = run("policy", "eval", "--source", dir.toString(), "--input", input.toString(), "--explain", "notes");
    assertTrue(notes.out().contains("\"decision_id\""), notes.out() + notes.err());
    assertTrue(notes.err().contains("rules that produced a value:\n  policies/main.rego:5  data.vectorgate.deny"),
        notes.err());
    assertTrue(notes.err().contains("policies/main.rego:12  data.vectorgate.decision"), notes.err());
    assertTrue(!notes.err().contains("main.rego:10"), "the rule that produced nothing is not listed: " + notes.err());
    assertTrue(!notes.err().contains("opa eval --explain=full"), notes.err());
    // each reason with the rules that produced it
    assertTrue(notes.err().contains("reasons:\n  no_x: x is required\n    policies/main.rego:5  data.vectorgate.deny"),
        notes.err());
    assertTrue(!notes.err().contains(tmp.toString()), notes.err());
    Run full = run("policy", "eval", "--source", dir.toString(), "--input", input.toString(), "--explain", "full");
    assertTrue(full.err().contains("opa eval --explain=full:") && full.err().contains("Eval input.y = 1"), full.err());
    assertTrue(full.err().contains("policies/main.rego:6 ") && !full.err().contains(tmp.toString()), full.err());
    assertEquals(2, run("policy", "eval", "--source", dir.toString(), "--input", input.toString(), "--explain", "some")
        .code());
  }

  /** `policy check` of a DSL directory names DSL and Rego errors by repository path, never a prepared folder. */
  @Test
  void checkOfADslDirectoryNamesRepositoryPaths(@TempDir Path tmp) throws Exception {
    Path repo = tmp.resolve("repo");
    org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call().close();
    Path dir = Files.createDirectories(repo.resolve("policies/rules"));
    Files.writeString(dir.resolve("bad.vg"), "policy \"b\" version 1\nallow serch on collection \"x\" for anyone\n");
    Run dsl = run("policy", "check", repo.resolve("policies").toString());
    assertEquals(1, dsl.code());
    assertTrue(dsl.err().contains("policies/rules/bad.vg:2:"), dsl.err());
    Files.writeString(dir.resolve("bad.vg"), "policy \"b\" version 1\n\nallow search on collection \"x\" for anyone\n");
    Files.writeString(dir.resolve("extra.rego"), "package vectorgate.extra\n\nimport rego.v1\n\nx := input.y ++ 1\n");
    Run rego = run("policy", "check", repo.resolve("policies").toString());
    assertEquals(1, rego.code());
    assertTrue(rego.err().contains("policies/rules/extra.rego:5"), rego.err());
    assertTrue(!rego.err().contains(tmp.toString()) && !rego.err().contains("vectorgate-policy"), rego.err());
  }

  @Test
  void fmtChecksAndWritesRego(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("p.rego");
    Files.writeString(f, "package vectorgate.p\nimport rego.v1\nallow if {input.x==1}\n");
    Run check = run("policy", "fmt", "--check", f.toString());
    assertEquals(1, check.code(), check.err());
    assertTrue(check.out().contains("not formatted: ") && check.out().contains("p.rego"), check.out());
    Run write = run("policy", "fmt", "--write", f.toString());
    assertEquals(0, write.code(), write.err());
    assertTrue(Files.readString(f).contains("input.x == 1"), Files.readString(f));
    Run again = run("policy", "fmt", "--check", f.toString());
    assertEquals(0, again.code(), again.out());
    assertEquals("", again.out());
    assertEquals(2, run("policy", "fmt", f.toString()).code(), "neither --check nor --write");
    Files.writeString(f, "package vectorgate.p\nallow if {\n");
    Run broken = run("policy", "fmt", "--check", f.toString());
    assertEquals(1, broken.code());
    assertTrue(broken.err().contains("p.rego:"), broken.err());
  }

  @Test
  void checkReportsFileLineForBrokenPolicy(@TempDir Path tmp) throws Exception {
    Path bad = tmp.resolve("bad.rego");
    Files.writeString(bad, "package vectorgate\n\nallow contains x if {\n  x := http.send({})\n}\n");
    Run r = run("policy", "check", bad.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("bad.rego:4"), r.err());
    assertTrue(r.err().contains("http.send"), r.err());
  }

  @Test
  void evalRefusesNonJsonInputAndFailsClosed(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("input.json");
    Files.writeString(input, "{not json");
    Run r = run("policy", "eval", "--source", LIBRARY.toString(), "--source", ORG.toString(), "--input", input.toString());
    assertEquals(1, r.code(), r.err());
    JsonNode ev = new ObjectMapper().readTree(r.out());
    assertEquals("FAILED", ev.get("status").asText());
    assertEquals("input_invalid", ev.get("reason_code").asText());
  }

  @Test
  void bundleAndSourceAreExclusive() {
    Run r = run("policy", "eval", "--input", "x.json");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("exactly one of --bundle or --source"), r.err());
  }
}
