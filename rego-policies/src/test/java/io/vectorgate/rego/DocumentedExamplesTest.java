package io.vectorgate.rego;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example docs/contract.md shows: the files are schema-valid, the doc shows them verbatim,
 * and the library (evaluated by the real opa, topdown) decides exactly what is documented.
 */
class DocumentedExamplesTest {
  static List<Examples.Example> examples() {
    return Examples.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void inputAndDecisionAreSchemaValid(Examples.Example ex) {
    assertEquals(Set.of(), Examples.errors(Examples.INPUT_SCHEMA, ex.input()), ex.name() + " input");
    assertTrue(Files.isRegularFile(ex.decisionFile()), "missing " + ex.decisionFile());
    assertEquals(Set.of(), Examples.errors(Examples.DECISION_SCHEMA, ex.decision()), ex.name() + " decision");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void opaDecidesWhatIsDocumented(Examples.Example ex) {
    JsonNode actual = OpaEval.decision(ex.inputFile(), Examples.SAMPLE_DATA);
    assertEquals(ex.decision(), actual, ex.name());
    assertEquals(Set.of(), Examples.errors(Examples.DECISION_SCHEMA, actual), ex.name() + " (library output)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void contractDocShowsTheExampleFilesVerbatim(Examples.Example ex) throws IOException {
    String doc = Files.readString(Examples.CONTRACT_DOC);
    String input = Files.readString(ex.inputFile()).strip();
    String decision = Files.readString(ex.decisionFile()).strip();
    assertTrue(doc.contains("```json\n" + input + "\n```"), "docs/contract.md does not show " + ex.inputFile().getFileName());
    assertTrue(doc.contains("```json\n" + decision + "\n```"), "docs/contract.md does not show " + ex.decisionFile().getFileName());
  }

  @Test
  void everyActionHasAnExampleNamedAfterIt() {
    Set<String> actions = new TreeSet<>();
    Examples.INPUT_SCHEMA.getSchemaNode().at("/$defs/action/enum").forEach(a -> actions.add(a.asText()));
    assertEquals(23, actions.size());
    Set<String> names = examples().stream().map(Examples.Example::name).collect(Collectors.toSet());
    for (String a : actions) {
      assertTrue(names.contains(a), "no example for action " + a);
      assertEquals(a, Examples.read(Examples.EXAMPLES.resolve(a + ".input.json")).at("/operation/action").asText());
    }
  }

  @Test
  void everyObligationKindIsExemplified() {
    Set<String> seen = new TreeSet<>();
    for (Examples.Example ex : examples()) {
      JsonNode o = ex.decision().get("obligations");
      if (o.get("mask").size() > 0) seen.add("mask");
      if (o.get("strip_vectors").asBoolean()) seen.add("strip_vectors");
      if (o.get("row_filter").size() > 0) seen.add("row_filter");
      o.fieldNames().forEachRemaining(f -> {
        if (Set.of("limit_cap", "approval", "audit").contains(f)) seen.add(f);
      });
    }
    assertEquals(new TreeSet<>(List.of("approval", "audit", "limit_cap", "mask", "row_filter", "strip_vectors")), seen);
  }
}
