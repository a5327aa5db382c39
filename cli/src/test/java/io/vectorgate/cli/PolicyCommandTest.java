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
    assertEquals("input_invalid", ev.get("reasonCode").asText());
  }

  @Test
  void bundleAndSourceAreExclusive() {
    Run r = run("policy", "eval", "--input", "x.json");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("exactly one of --bundle or --source"), r.err());
  }
}
