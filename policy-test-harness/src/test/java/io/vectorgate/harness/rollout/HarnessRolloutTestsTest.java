package io.vectorgate.harness.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.rollout.OpaPolicyTestRunner;
import io.vectorgate.rollout.PolicyTestRunner;
import io.vectorgate.dsl.rego.OpaTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness as the rollout's test stage: discovered through ServiceLoader, traffic tests gate activation. */
class HarnessRolloutTestsTest {
  private static final Path SAMPLE = Path.of(System.getProperty("vectorgate.root", "..")).resolve("samples/harness/policy");

  @Test
  void rolloutDiscoversTheHarnessInsteadOfTheOpaOnlyFallback() {
    List<PolicyTestRunner> runners = PolicyTestRunner.discover(new OpaPolicyTestRunner(OpaTool.fromEnvironment()));
    assertEquals(1, runners.size(), runners.toString());
    assertEquals("harness", runners.get(0).name());
  }

  @Test
  void aPassingPolicyDirectoryPassesWithItsTrafficTests(@TempDir Path tmp) throws IOException {
    Path dir = copy(SAMPLE, tmp.resolve("policy"));
    PolicyTestRunner.Report report = new HarnessRolloutTests().run(
        new PolicyTestRunner.Context("rev-good", dir, dir, null, tmp.resolve("work")));
    assertTrue(report.passed(), report.toString());
    assertTrue(report.cases().stream().anyMatch(c -> c.name().startsWith("smoke.traffic.yaml")
        || c.name().contains("analyst query on docs")), report.toString());
    assertTrue(report.cases().stream().anyMatch(c -> c.name().startsWith("opa")), report.toString());
  }

  @Test
  void aFailingTrafficTestFailsTheStageAndNamesTheCase(@TempDir Path tmp) throws IOException {
    Path dir = copy(SAMPLE, tmp.resolve("policy"));
    // a candidate that no longer masks email: the traffic test expecting the mask must fail
    Path vg = dir.resolve("policy.vg");
    Files.writeString(vg, Files.readString(vg).lines()
        .filter(l -> !l.startsWith("mask email"))
        .reduce("", (a, b) -> a + b + "\n"));
    PolicyTestRunner.Report report = new HarnessRolloutTests().run(
        new PolicyTestRunner.Context("rev-bad", dir, dir, null, tmp.resolve("work")));
    assertFalse(report.passed(), report.toString());
    assertTrue(report.failed().stream().anyMatch(c -> c.name().contains("analyst query on docs is capped and masked")),
        report.failed().toString());
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
    return to;
  }
}
