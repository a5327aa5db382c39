package io.vectorgate.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.format.Formatter;
import io.vectorgate.dsl.parse.PolicyParser;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** parse(format(ast)) equals ast, and formatting is idempotent, for generated ASTs. */
class RoundTripProperties {

  @Provide
  Arbitrary<PolicyFile> policies() {
    return PolicyArbitraries.policies();
  }

  @Property(tries = 300)
  void parseOfFormatIsIdentity(@ForAll("policies") PolicyFile ast) {
    String text = Formatter.format(ast);
    PolicyParser.Result parsed = PolicyParser.parse("rt.vg", text);
    assertNotNull(parsed.ast(), () -> "formatted text does not parse:\n" + text + "\n" + parsed.diagnostics());
    assertEquals(ast, parsed.ast(), () -> "round trip changed the AST of:\n" + text);
    assertEquals(text, Formatter.format(parsed.ast()), "formatting is not idempotent");
  }

  @Property(tries = 200)
  void generatedPoliciesPassTheChecker(@ForAll("policies") PolicyFile ast) {
    String text = Formatter.format(ast);
    DslCompiler.Compilation c = DslCompiler.compile("gen.vg", text);
    assertEquals(true, c.ok(), () -> "checker rejected a generated policy:\n" + text + "\n" + c.report());
    assertNotNull(c.rego());
  }
}
