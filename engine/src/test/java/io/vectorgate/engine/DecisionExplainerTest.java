package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real opa on the shipped library and the sample organisation: each reason and obligation traced to its rule. */
class DecisionExplainerTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));
  private static final Path LIBRARY = ROOT.resolve("rego-policies/src/main/rego");
  private static final Path ORG = ROOT.resolve("samples/org/data.json");
  private static final Path EXAMPLES = ROOT.resolve("rego-policies/src/test/resources/examples");
  private static final List<DecisionExplainer.Source> SOURCES = List.of(
      new DecisionExplainer.Source(LIBRARY, "rego-policies/src/main/rego"),
      new DecisionExplainer.Source(ORG, "samples/org/data.json"));

  private static DecisionExplainer.Explanation explain(String example) throws Exception {
    return DecisionExplainer.create(Duration.ofSeconds(60)).explain(new DecisionExplainer.Request(SOURCES,
        Files.readString(EXAMPLES.resolve(example + ".input.json")), "data.vectorgate.decision", false));
  }

  /** The line of the first line of {@code file} (under the library) that starts with {@code head}. */
  private static String at(String file, String head) throws Exception {
    List<String> lines = Files.readAllLines(LIBRARY.resolve(file));
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(head)) {
        return "rego-policies/src/main/rego/" + file + ":" + (i + 1);
      }
    }
    throw new AssertionError(head + " not in " + file);
  }

  private static List<String> rules(DecisionExplainer.Traced t) {
    return t.rules().stream().map(n -> n.location() + " " + n.rule()).toList();
  }

  private static DecisionExplainer.Traced reason(DecisionExplainer.Explanation e, String code) {
    return e.reasons().stream().filter(r -> r.code().equals(code)).findFirst()
        .orElseThrow(() -> new AssertionError(code + " not among " + e.reasons()));
  }

  @Test
  void anAllowedSearchTracesEachReasonAndObligationToItsRule() throws Exception {
    DecisionExplainer.Explanation e = explain("search");
    JsonNode expected = ContractJson.mapper().readTree(EXAMPLES.resolve("search.decision.json").toFile());
    assertEquals(expected, e.result(), "opa's result is the documented decision");
    assertEquals(4, e.reasons().size(), e.reasons().toString());
    // the library's rule first, then the decision table's contributor that passes it on
    assertEquals(List.of(at("vectorgate/library/roles.rego", "allow contains {\"code\": \"role_grant\"")
            + " data.vectorgate.library.allow", at("vectorgate/library.rego", "allow contains a if")
            + " data.vectorgate.allow"), rules(reason(e, "role_grant")));
    DecisionExplainer.Traced filter = reason(e, "tenant_row_filter");
    assertEquals(at("vectorgate/library/tenancy.rego", "obligation contains {") + " data.vectorgate.library.obligation",
        rules(filter).get(0));
    assertEquals("rows of docs are limited to tenant acme (tenant_id)", filter.rules().get(0).value().path("message")
        .asText(), "the value the rule produced");
    assertEquals(at("vectorgate/library/exfiltration.rego", "obligation contains {") + " data.vectorgate.library.obligation",
        rules(reason(e, "role_limit_cap")).get(0));
    // obligations: each element of the contract's obligation set, with its rules
    assertEquals(List.of("collection_audit", "role_limit_cap", "tenant_row_filter"),
        e.obligations().stream().map(DecisionExplainer.Traced::code).sorted().toList());
    DecisionExplainer.Traced rowFilter = e.obligations().stream().filter(o -> o.code().equals("tenant_row_filter"))
        .findFirst().orElseThrow();
    assertEquals("row_filter", rowFilter.element().path("kind").asText());
    assertEquals("acme", rowFilter.element().path("value").asText());
    assertTrue(rules(rowFilter).get(0).startsWith(at("vectorgate/library/tenancy.rego", "obligation contains {")),
        rules(rowFilter).toString());
    // no note names a temporary or absolute folder; a rule that produced nothing is not there
    assertTrue(e.notes().stream().allMatch(n -> n.file().startsWith("rego-policies/src/main/rego/")), e.notes().toString());
    String unused = at("vectorgate/library/tenancy.rego", "deny contains {\"code\": \"tenant_claim_missing\"");
    assertTrue(e.notes().stream().noneMatch(n -> n.location().equals(unused)), e.notes().toString());
    assertEquals(null, e.trace());
  }

  @Test
  void aDenyIsTracedToTheDenyRuleAndTheDefaultDenyToTheDecisionTable() throws Exception {
    DecisionExplainer.Explanation e = explain("tenant-claim-missing");
    assertEquals(false, e.result().path("allow").asBoolean(true));
    assertEquals(at("vectorgate/library/tenancy.rego", "deny contains {\"code\": \"tenant_claim_missing\"")
        + " data.vectorgate.library.deny", rules(reason(e, "tenant_claim_missing")).get(0));
    assertEquals("docs is multi-tenant and mallory carries no tenant claim",
        reason(e, "tenant_claim_missing").rules().get(0).value().path("message").asText());
    assertTrue(e.obligations().isEmpty(), e.obligations().toString());

    DecisionExplainer.Explanation none = DecisionExplainer.create(Duration.ofSeconds(60)).explain(
        new DecisionExplainer.Request(SOURCES, "{\"contract\": \"vectorgate/v1\", \"identity\": {\"subject\": \"x\","
            + " \"groups\": []}, \"operation\": {\"action\": \"search\", \"resource\": {\"collection\": \"nowhere\"}}}",
            "data.vectorgate.decision", false));
    // no rule produced no_allow_rule as an element: the decision table's reasons rule holds it
    assertEquals(List.of(at("vectorgate/core.rego", "reasons := [{\"code\": \"no_allow_rule\"")
        + " data.vectorgate.reasons"), rules(reason(none, "no_allow_rule")));
  }

  @Test
  void theFullTraceNamesTheSourcesAsShown(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(dir.resolve("main.rego"), """
        package vectorgate

        import rego.v1

        deny contains {"code": "no_x", "message": "x is required"} if {
        	input.y == 1
        	not input.x
        }

        decision := {"allow": count(deny) == 0, "reasons": deny}
        """);
    DecisionExplainer.Explanation e = DecisionExplainer.create(Duration.ofSeconds(60)).explain(new DecisionExplainer.Request(
        List.of(new DecisionExplainer.Source(dir, "policies")), "{\"y\": 1}", "data.vectorgate.decision", true));
    assertEquals(List.of("policies/main.rego:5 data.vectorgate.deny"), rules(reason(e, "no_x")));
    assertNotNull(e.trace());
    assertTrue(e.trace().contains("policies/main.rego:6") && e.trace().contains("Eval input.y = 1"), e.trace());
    assertTrue(!e.trace().contains(tmp.toString()), e.trace());
  }

  @Test
  void opaErrorsAndMissingSourcesAreClearMessagesNamingTheShownFile(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(dir.resolve("bad.rego"), "package vectorgate\n\nimport rego.v1\n\ndecision := 1 +\n");
    DecisionExplainer x = DecisionExplainer.create(Duration.ofSeconds(60));
    DecisionExplainer.ExplainException bad = assertThrows(DecisionExplainer.ExplainException.class, () -> x.explain(
        new DecisionExplainer.Request(List.of(new DecisionExplainer.Source(dir, "policies")), "{}",
            "data.vectorgate.decision", false)));
    assertTrue(bad.getMessage().contains("policies/bad.rego:") && !bad.getMessage().contains(tmp.toString()),
        bad.getMessage());
    DecisionExplainer.ExplainException gone = assertThrows(DecisionExplainer.ExplainException.class, () -> x.explain(
        new DecisionExplainer.Request(List.of(new DecisionExplainer.Source(tmp.resolve("nope"), "nope")), "{}",
            "data.vectorgate.decision", false)));
    assertTrue(gone.getMessage().contains("`nope` is not available"), gone.getMessage());
  }
}
