package io.vectorgate.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.dsl.rego.OpaTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden files: every {@code golden/*.vg} compiles to exactly its {@code .rego} (after
 * {@code opa fmt}); the generator's own output is already {@code opa fmt}-clean; all golden
 * modules together with the decision table pass {@code opa check --strict}. Regenerate with
 * {@code -Dvectorgate.golden.update=true} and review the diff.
 */
class GoldenTest {
  static final Path GOLDEN = Path.of(System.getProperty("vectorgate.root"), "dsl/src/test/resources/golden");
  private static final boolean UPDATE = Boolean.getBoolean("vectorgate.golden.update");

  static List<Path> sources() throws IOException {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      return s.filter(p -> p.toString().endsWith(".vg")).sorted().toList();
    }
  }

  @TestFactory
  List<DynamicTest> eachConstructCompilesToItsGoldenRego() throws IOException {
    OpaTool opa = OpaTool.fromEnvironment();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path vg : sources()) {
      tests.add(DynamicTest.dynamicTest(vg.getFileName().toString(), () -> {
        DslCompiler.Compilation c = DslCompiler.compile(vg.getFileName().toString(),
            Files.readString(vg, StandardCharsets.UTF_8));
        assertTrue(c.ok(), c::report);
        String formatted = opa.fmt(c.rego());
        Path golden = Path.of(vg.toString().replaceAll("\\.vg$", ".rego"));
        if (UPDATE) {
          Files.writeString(golden, formatted, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), formatted, "golden " + golden.getFileName());
        assertEquals(formatted, c.rego(), "generated Rego is not opa fmt-clean");
      }));
    }
    assertTrue(tests.size() >= 8, "golden files are missing");
    return tests;
  }

  @Test
  void goldenModulesPassStrictCheckWithTheDecisionTable(@TempDir Path tmp) throws Exception {
    Path dir = tmp;
    Files.writeString(dir.resolve("core.rego"), PolicyDirectory.coreRego(), StandardCharsets.UTF_8);
    for (Path vg : sources()) {
      Path rego = Path.of(vg.toString().replaceAll("\\.vg$", ".rego"));
      Files.copy(rego, dir.resolve(rego.getFileName()));
    }
    OpaTool.Run run = OpaTool.fromEnvironment().checkStrict(List.of(dir));
    assertTrue(run.ok(), () -> run.stdout() + run.stderr());
  }
}
