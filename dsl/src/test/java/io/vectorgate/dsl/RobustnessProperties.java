package io.vectorgate.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.format.Formatter;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random and mutated source never crashes the compiler: it yields Rego or error diagnostics. */
class RobustnessProperties {
  private static final List<String> FRAGMENTS = List.of("policy", "allow", "deny", "on", "collection", "any",
      "action", "for", "when", "unless", "not", "and", "or", "(", ")", "[", "]", "\"", "\"x\"", ",", "=", "==",
      "!=", ">", "<", "-", "99999999999999999999", "12:99", "group", "role", "mask", "filter", "rows", "in",
      "time", "between", "weekday", "require", "approval", "from", "expires", "after", "5x", "cap", "limit",
      "audit", "label", "#", "\n", "\t", "\\", "\u0000", "é", "identity.claims.x", "strip", "vectors", "reason");

  @Provide
  Arbitrary<String> mutatedSources() {
    return Combinators.combine(PolicyArbitraries.policies(), Arbitraries.longs()).as((ast, seed) -> {
      String text = Formatter.format(ast);
      Random r = new Random(seed);
      StringBuilder b = new StringBuilder(text);
      int edits = 1 + r.nextInt(4);
      for (int i = 0; i < edits && b.length() > 0; i++) {
        int at = r.nextInt(b.length());
        switch (r.nextInt(4)) {
          case 0 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(12)));
          case 1 -> b.insert(at, " " + FRAGMENTS.get(r.nextInt(FRAGMENTS.size())) + " ");
          case 2 -> {
            int end = Math.min(b.length(), at + 1 + r.nextInt(30));
            b.insert(r.nextInt(b.length()), b.substring(at, end));
          }
          default -> b.setCharAt(at, (char) (32 + r.nextInt(95)));
        }
      }
      return b.toString();
    });
  }

  @Provide
  Arbitrary<String> tokenSoup() {
    return Arbitraries.of(FRAGMENTS).list().ofMaxSize(60).map(l -> "policy \"p\" version 1\n" + String.join(" ", l));
  }

  @Property(tries = 400)
  void mutatedSourceYieldsOnlyDiagnostics(@ForAll("mutatedSources") String source) {
    assertWellBehaved(source);
  }

  @Property(tries = 300)
  void tokenSoupYieldsOnlyDiagnostics(@ForAll("tokenSoup") String source) {
    assertWellBehaved(source);
  }

  @Property(tries = 300)
  void arbitraryTextYieldsOnlyDiagnostics(@ForAll String source) {
    assertWellBehaved(source);
  }

  /** Whatever mutated source still compiles yields Rego that OPA accepts next to the decision table. */
  @Property(tries = 60)
  void compilingMutantsGiveValidRego(@ForAll("mutatedSources") String source) throws Exception {
    DslCompiler.Compilation c = DslCompiler.compile("fuzz.vg", source);
    if (!c.ok()) {
      return;
    }
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("vg-fuzz");
    try {
      java.nio.file.Files.writeString(dir.resolve("core.rego"), PolicyDirectory.coreRego());
      java.nio.file.Files.writeString(dir.resolve("fuzz.rego"), c.rego());
      io.vectorgate.dsl.rego.OpaTool.Run run = io.vectorgate.dsl.rego.OpaTool.fromEnvironment()
          .checkStrict(List.of(dir));
      assertTrue(run.ok(), () -> "opa rejected the Rego of:\n" + source + "\n" + run.stdout() + run.stderr());
    } finally {
      for (java.nio.file.Path p : List.of(dir.resolve("core.rego"), dir.resolve("fuzz.rego"), dir)) {
        java.nio.file.Files.deleteIfExists(p);
      }
    }
  }

  static void assertWellBehaved(String source) {
    DslCompiler.Compilation c = DslCompiler.compile("fuzz.vg", source);
    if (c.ok()) {
      assertNotNull(c.rego(), "no errors but no Rego");
      assertNotNull(c.ast());
      // what compiles also formats to text that compiles to the same AST
      PolicyFile reparsed = DslCompiler.check("fuzz.vg", Formatter.format(c.ast())).ast();
      assertEquals(c.ast(), reparsed);
    } else {
      assertNull(c.rego(), "errors but Rego was produced");
      assertFalse(c.errors().isEmpty());
      for (Diagnostic d : c.diagnostics()) {
        assertTrue(d.code().matches("VG\\d{3}"), d.code());
        assertTrue(d.span().line() >= 1, () -> "diagnostic without a line: " + d.render());
        assertFalse(d.message().isBlank());
      }
      List<Diagnostic> sorted = c.diagnostics().stream().sorted(Diagnostic.BY_LOCATION).toList();
      assertEquals(sorted, c.diagnostics(), "diagnostics are not sorted by location");
    }
    DslCompiler.Formatted f = DslCompiler.format("fuzz.vg", source);
    assertTrue(f.text() != null || !f.diagnostics().isEmpty());
  }
}
