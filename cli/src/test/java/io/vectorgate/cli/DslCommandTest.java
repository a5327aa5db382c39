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

/** `vectorgate dsl ...` and policy directories that mix .vg and .rego, with the real opa. */
class DslCommandTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void checkReportsErrorsWithLocationAndCode(@TempDir Path tmp) throws Exception {
    Path bad = tmp.resolve("bad.vg");
    Files.writeString(bad, "policy \"p\" version 1\nallow serch on collection \"docs\" for nobody\n");
    Run r = run("dsl", "check", bad.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("bad.vg:2:"), r.err());
    assertTrue(r.err().contains("VG"), r.err());
  }

  @Test
  void sampleOrganisationPolicyChecksAndCompilesToRego() {
    Path vg = ROOT.resolve("samples/org/policy.vg");
    Run check = run("dsl", "check", vg.toString());
    assertEquals(0, check.code(), check.err());
    Run compile = run("dsl", "compile", vg.toString());
    assertEquals(0, compile.code(), compile.err());
    assertTrue(compile.out().contains("package vectorgate"), compile.out());
  }

  @Test
  void mixedDirectoryCompilesAndDecides(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policy"));
    Files.writeString(dir.resolve("access.vg"), String.join("\n",
        "policy \"mixed\" version 1",
        "role analyst = group \"analysts\"",
        "allow search on collection \"docs\" for analyst",
        ""));
    Files.writeString(dir.resolve("extra.rego"), String.join("\n",
        "package vectorgate",
        "",
        "deny contains {\"code\": \"night_freeze\", \"message\": \"frozen\"} if input.context.request_id == \"req-freeze\"",
        ""));
    Path input = tmp.resolve("input.json");
    Files.writeString(input, Files.readString(ROOT.resolve("rego-policies/src/test/resources/examples/search.input.json")));
    Run r = run("policy", "eval", "--source", dir.toString(), "--input", input.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode result = new ObjectMapper().readTree(r.out()).get("result");
    assertTrue(result.get("allow").asBoolean(), r.out());

    // the .rego file of the same directory is part of the bundle: its deny fires for this request id
    Files.writeString(input, Files.readString(input).replace("\"req-0001\"", "\"req-freeze\""));
    Run frozen = run("policy", "eval", "--source", dir.toString(), "--input", input.toString());
    assertEquals(0, frozen.code(), frozen.err());
    JsonNode denied = new ObjectMapper().readTree(frozen.out()).get("result");
    assertEquals(false, denied.get("allow").asBoolean(), frozen.out());
    assertEquals("night_freeze", denied.get("reasons").get(0).get("code").asText(), frozen.out());
  }
}
