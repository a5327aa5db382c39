package io.vectorgate.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.rego.OpaTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy directory mixing .rego and .vg files becomes one Rego tree with the decision table. */
class PolicyDirectoryTest {
  @TempDir
  Path tmp;

  @Test
  void mixesRegoAndDslIntoOneDecision() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("reads.vg"), """
        policy "reads" version 1
        allow search on collection "kb_*" for anyone reason "kb_read"
        mask email on collection "kb_*" unless group "pii"
        """);
    Files.createDirectories(src.resolve("team"));
    Files.writeString(src.resolve("team/quota.rego"), """
        package vectorgate

        import rego.v1

        deny contains {"code": "hand_written", "message": "written in Rego"} if input.operation.limit > 500
        """);
    Files.writeString(src.resolve("team/quota_test.rego"), "package vectorgate\n\nthis is not rego\n");
    Files.createDirectories(src.resolve(".git"));
    Files.writeString(src.resolve(".git/x.rego"), "not rego either");
    Path out = tmp.resolve("out");
    PolicyDirectory.Prepared p = PolicyDirectory.prepare(src, out, OpaTool.fromEnvironment());
    assertTrue(p.ok(), () -> p.diagnostics().toString());
    assertEquals(new TreeSet<>(List.of(out.resolve("reads.vg.rego"), out.resolve("team/quota.rego"),
        out.resolve("vectorgate/core.rego"))), new TreeSet<>(p.regoFiles()));

    String small = input(10);
    String big = input(900);
    OpaTool.Run run = OpaTool.fromEnvironment().run(List.of("eval", "--format", "json", "-d", out.toString(),
        "[d | some c in [" + small + ", " + big + "]; d := data.vectorgate.decision with input as c]"),
        null);
    assertTrue(run.ok(), () -> run.stdout() + run.stderr());
    JsonNode both = ReferenceInterpreter.JSON.readTree(run.stdout()).at("/result/0/expressions/0/value");
    assertTrue(both.get(0).get("allow").booleanValue(), () -> run.stdout());
    assertEquals("email", both.get(0).at("/obligations/mask/0/field").textValue());
    assertEquals("kb_read", both.get(0).at("/reasons/0/code").textValue().equals("fields_masked")
        ? both.get(0).at("/reasons/1/code").textValue() : both.get(0).at("/reasons/0/code").textValue());
    assertFalse(both.get(1).get("allow").booleanValue());
    assertEquals("hand_written", both.get(1).at("/reasons/0/code").textValue());
  }

  @Test
  void reportsErrorsWithRelativePathsAndClashingPolicyNames() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createDirectories(src.resolve("a"));
    Files.writeString(src.resolve("a/one.vg"), "policy \"Team A\" version 1\nallow serch on any collection\n");
    Files.writeString(src.resolve("two.vg"), "policy \"team-a\" version 1\nallow search on any collection\n");
    PolicyDirectory.Prepared p = PolicyDirectory.prepare(src, tmp.resolve("out"), OpaTool.fromEnvironment());
    assertFalse(p.ok());
    List<String> where = p.diagnostics().stream().map(d -> d.code() + "@" + d.span().location()).toList();
    assertEquals(List.of("VG101@a/one.vg:2:7", "VG202@two.vg:1:1"), where, p.diagnostics().toString());
    assertTrue(p.diagnostics().get(1).message().contains("clashes"), p.diagnostics().get(1).message());
    assertTrue(p.diagnostics().stream().allMatch(Diagnostic::isError));
  }

  @Test
  void mainChecksCompilesAndFormats() throws Exception {
    Path f = tmp.resolve("p.vg");
    Files.writeString(f, "policy \"p\" version 1\nallow   search on any collection  # ok\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(0, DslMain.run(List.of("check", f.toString()), o, e), err::toString);
    assertEquals(0, DslMain.run(List.of("compile", f.toString()), o, e), err::toString);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("allow contains {\"code\": \"allowed\""), out::toString);
    assertEquals(0, DslMain.run(List.of("fmt", "--write", f.toString()), o, e), err::toString);
    assertEquals("policy \"p\" version 1\n\n# ok\nallow search on any collection for anyone\n", Files.readString(f),
        "a comment at the end of a statement's line goes above that statement");
    Files.writeString(f, "policy \"p\" version 1\nallow serch on any collection\n");
    err.reset();
    assertEquals(1, DslMain.run(List.of("check", f.toString()), o, e));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("p.vg:2:7: error VG101: unknown action `serch`"),
        err::toString);
    assertEquals(2, DslMain.run(List.of("frobnicate", f.toString()), o, e));
    assertEquals(2, DslMain.run(List.of("check"), o, e));
  }

  private static String input(int limit) {
    return "{\"contract\": \"vectorgate/v1\", \"identity\": {\"subject\": \"u\", \"groups\": []},"
        + " \"operation\": {\"action\": \"search\", \"resource\": {\"collection\": \"kb_1\"}, \"limit\": " + limit
        + "}}";
  }
}
