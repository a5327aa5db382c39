package io.vectorgate.rego;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.Evaluation;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library as the gateway runs it: the packaged classpath modules plus samples/org/data.json,
 * compiled by the engine's PolicyCompiler (real opa build, engine capabilities; Wasm module and plan)
 * and evaluated by PolicyEngine on each engine: the plan engine (the default) and the Wasm engine
 * (opa-java-wasm, Java host builtins). Every documented example must yield exactly the documented
 * decision on both, and every decision must be schema-valid.
 */
class EngineExamplesTest {
  private static final ObjectMapper MAPPER = ContractJson.mapper();
  private static final Map<EngineConfig.Engine, PolicyEngine> ENGINES = new java.util.EnumMap<>(EngineConfig.Engine.class);

  @TempDir
  static Path work;

  /** Every documented example on every engine. */
  static java.util.stream.Stream<Arguments> examples() {
    return Examples.all().stream().flatMap(ex -> java.util.Arrays.stream(EngineConfig.Engine.values())
        .map(e -> Arguments.of(ex, e)));
  }

  @BeforeAll
  static void compileAndStart() throws Exception {
    Path lib = work.resolve("lib");
    for (Map.Entry<String, String> m : RegoLibrary.sources().entrySet()) {
      Path f = lib.resolve(m.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, m.getValue());
    }
    Path data = work.resolve("org").resolve("data.json");
    Files.createDirectories(data.getParent());
    Files.copy(Examples.SAMPLE_DATA, data);
    PolicyBundle bundle = PolicyCompiler.create()
        .compile(PolicyCompiler.CompileRequest.of(lib, data).withRevision("docs-examples"))
        .orThrow();
    assertTrue(bundle.plan().isPresent(), "the library runs on the plan engine without a fallback: "
        + bundle.planDiagnostics());
    for (EngineConfig.Engine e : EngineConfig.Engine.values()) {
      ENGINES.put(e, PolicyEngine.start(EngineConfig.builder().engine(e).poolSize(1).build(), bundle));
    }
  }

  @AfterAll
  static void stop() {
    ENGINES.values().forEach(PolicyEngine::close);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("examples")
  void rawResultIsTheDocumentedDecision(Examples.Example ex, EngineConfig.Engine which) throws IOException {
    Evaluation ev = ENGINES.get(which).evaluate(Files.readString(ex.inputFile()));
    assertTrue(ev.defined(), ex.name() + ": " + ev.status() + " " + ev.reasonCode() + " " + ev.message());
    assertEquals(ex.decision(), ev.result(), ex.name());
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("examples")
  void decideOnTheRecordsYieldsTheDocumentedDecision(Examples.Example ex, EngineConfig.Engine which) throws IOException {
    PolicyInput input = MAPPER.treeToValue(ex.input(), PolicyInput.class);
    Decision decided = ENGINES.get(which).decide(input);
    assertEquals("docs-examples", decided.revision());
    assertFalse(decided.decisionId() == null || decided.decisionId().isBlank(), "engine sets a decision id");
    Decision documented = MAPPER.treeToValue(ex.decision(), Decision.class);
    assertEquals(documented, decided.withIdentity(null, null), ex.name());
    JsonNode json = MAPPER.valueToTree(decided);
    assertEquals(Set.of(), Examples.errors(Examples.DECISION_SCHEMA, json), ex.name() + " decision JSON");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(EngineConfig.Engine.class)
  void inputWithoutContractFieldIsDenied(EngineConfig.Engine which) throws IOException {
    JsonNode input = Examples.read(Examples.EXAMPLES.resolve("search.input.json"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) input).remove("contract");
    Evaluation ev = ENGINES.get(which).evaluate(MAPPER.writeValueAsString(input));
    assertTrue(ev.defined());
    assertFalse(ev.result().get("allow").asBoolean());
    assertEquals("contract_mismatch", ev.result().at("/reasons/0/code").asText());
  }
}
