package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCompilerTest {
  @TempDir Path tmp;

  private Path write(String name, String content) throws IOException {
    Path f = tmp.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
    return f;
  }

  @Test
  void compilesPolicyAndDataIntoAWasmBundle() {
    CompileResult r = TestPolicies.compiler().compile(
        PolicyCompiler.CompileRequest.of(TestPolicies.dir("acme")).withRevision("rev-7"));
    assertTrue(r.succeeded(), () -> r.diagnostics().toString());
    PolicyBundle b = r.orThrow();
    assertEquals("rev-7", b.revision());
    assertEquals(List.of("vectorgate/decision"), b.manifestEntrypoints());
    assertTrue(b.dataJson().contains("\"group_roles\""));
    assertEquals(0, b.wasm()[0]);
    assertEquals('a', b.wasm()[1]);
  }

  @Test
  void revisionIsDerivedFromTheSourcesWhenNotGiven() throws IOException {
    write("p/policy.rego", "package vectorgate\nimport rego.v1\ndecision := {\"allow\": data.x.on}\n");
    write("p/data.json", "{\"x\": {\"on\": true}}");
    String r1 = TestPolicies.compiler().compile(tmp.resolve("p")).orThrow().revision();
    String r2 = TestPolicies.compiler().compile(tmp.resolve("p")).orThrow().revision();
    write("p/data.json", "{\"x\": {\"on\": false}}");
    String r3 = TestPolicies.compiler().compile(tmp.resolve("p")).orThrow().revision();
    assertTrue(r1.startsWith("sha256:"), r1);
    assertEquals(r1, r2);
    assertNotEquals(r1, r3);
  }

  @Test
  void dataYamlAndNestedDataFilesAreMerged() throws IOException {
    write("p/policy.rego", "package vectorgate\nimport rego.v1\ndecision := {\"allow\": data.limits.max > 3, \"k\": data.team.name}\n");
    write("p/data.yaml", "limits:\n  max: 5\n");
    write("p/team/data.json", "{\"name\": \"blue\"}");
    PolicyBundle b = TestPolicies.compiler().compile(tmp.resolve("p")).orThrow();
    assertTrue(b.dataJson().contains("\"max\":5"), b.dataJson());
    assertTrue(b.dataJson().contains("\"team\":{\"name\":\"blue\"}"), b.dataJson());
  }

  @Test
  void parseErrorIsAStructuredDiagnostic() throws IOException {
    write("bad/policy.rego", "package vectorgate\nimport rego.v1\n\ndecision := {\"allow\": }\n");
    CompileResult r = TestPolicies.compiler().compile(tmp.resolve("bad"));
    assertFalse(r.succeeded());
    Diagnostic d = r.diagnostics().get(0);
    assertTrue(d.file().endsWith("policy.rego"), d.toString());
    assertEquals(4, d.line());
    assertTrue(d.column() > 0, d.toString());
    assertEquals("rego_parse_error", d.code());
    assertFalse(d.message().isBlank());
    CompileResult.PolicyCompileException e = assertThrows(CompileResult.PolicyCompileException.class, r::orThrow);
    assertTrue(e.getMessage().contains("policy.rego:4:"), e.getMessage());
  }

  @Test
  void unsupportedBuiltinFailsAtCompileTimeNamingTheBuiltinAndItsLine() throws IOException {
    write("net/policy.rego", String.join("\n",
        "package vectorgate",
        "import rego.v1",
        "",
        "decision := {\"allow\": ok}",
        "",
        "ok if {",
        "  resp := http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1:1/\"})",
        "  resp.status_code == 200",
        "}",
        ""));
    CompileResult r = TestPolicies.compiler().compile(tmp.resolve("net"));
    assertFalse(r.succeeded());
    assertEquals(1, r.diagnostics().size(), r.diagnostics().toString());
    Diagnostic d = r.diagnostics().get(0);
    assertTrue(d.file().endsWith("policy.rego"), d.toString());
    assertEquals(7, d.line());
    assertEquals("rego_type_error", d.code());
    assertTrue(d.message().contains("`http.send`"), d.message());
    assertTrue(d.message().contains("not supported"), d.message());
  }

  @Test
  void anUnknownFunctionKeepsOpasMessage() throws IOException {
    write("typo/policy.rego", "package vectorgate\nimport rego.v1\ndecision := {\"allow\": cout([1]) == 1}\n");
    Diagnostic d = TestPolicies.compiler().compile(tmp.resolve("typo")).diagnostics().get(0);
    assertEquals(3, d.line());
    assertEquals("undefined function cout", d.message());
  }

  @Test
  void malformedDataIsReportedWithItsFile() throws IOException {
    write("data/policy.rego", "package vectorgate\nimport rego.v1\ndecision := {\"allow\": true}\n");
    write("data/roles/data.json", "{\"a\": ");
    CompileResult r = TestPolicies.compiler().compile(tmp.resolve("data"));
    assertFalse(r.succeeded());
    Diagnostic d = r.diagnostics().get(0);
    assertTrue(d.file() != null && d.file().endsWith("data.json"), d.toString());
  }

  @Test
  void missingEntrypointIsADiagnostic() {
    CompileResult r = TestPolicies.compiler().compile(
        PolicyCompiler.CompileRequest.of(TestPolicies.dir("acme")).withEntrypoints("vectorgate/nope"));
    assertFalse(r.succeeded());
    assertTrue(r.diagnostics().get(0).message().contains("vectorgate/nope"), r.diagnostics().toString());
  }

  @Test
  void missingSourceIsADiagnostic() {
    CompileResult r = TestPolicies.compiler().compile(tmp.resolve("nowhere"));
    assertEquals("source_missing", r.diagnostics().get(0).code());
  }

  @Test
  void textErrorsFromOpaBuildAreParsed() {
    PolicyCompiler c = TestPolicies.compiler();
    List<Diagnostic> ds = c.parseTextErrors(String.join("\n",
        "error: load error: 3 errors occurred during loading:",
        "src/a.rego:5: rego_parse_error: unexpected } token",
        "\t}",
        "\t^",
        "src/sub/data.json: unexpected EOF",
        "error: entrypoint \"t/nope\" does not refer to a rule or policy decision"));
    assertEquals(3, ds.size(), ds.toString());
    assertEquals(new Diagnostic("src/a.rego", 5, 0, "rego_parse_error", "unexpected } token"), ds.get(0));
    assertEquals(new Diagnostic("src/sub/data.json", 0, 0, "opa_load_error", "unexpected EOF"), ds.get(1));
    assertEquals("opa_build_error", ds.get(2).code());
    assertTrue(ds.get(2).message().startsWith("entrypoint \"t/nope\""));
  }

  @Test
  void diagnosticsSortByLocation() {
    CompileResult r = CompileResult.failure(List.of(
        new Diagnostic("b.rego", 1, 1, "x", "m"),
        new Diagnostic("a.rego", 9, 1, "x", "m"),
        new Diagnostic("a.rego", 2, 5, "x", "m")));
    assertEquals(List.of("a.rego:2:5", "a.rego:9:1", "b.rego:1:1"),
        r.diagnostics().stream().map(d -> d.file() + ":" + d.line() + ":" + d.column()).toList());
  }
}
