package io.vectorgate.rego;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decision table must type-check (opa check --strict) whatever subset of obligation kinds the
 * contributors emit: a DSL-generated policy may emit only masks, or no obligations at all.
 */
class CoreContributorTypeCheckTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "{\"kind\": \"mask\", \"code\": \"c\", \"message\": \"m\", \"field\": \"email\", \"method\": \"hash\"}",
      "{\"kind\": \"strip_vectors\", \"code\": \"c\", \"message\": \"m\"}",
      "{\"kind\": \"row_filter\", \"code\": \"c\", \"message\": \"m\", \"field\": \"t\", \"op\": \"eq\", \"value\": \"a\"}",
      "{\"kind\": \"limit_cap\", \"code\": \"c\", \"message\": \"m\", \"max\": 5}",
      "{\"kind\": \"approval\", \"code\": \"c\", \"message\": \"m\", \"approver_groups\": [\"g\"]}",
      "{\"kind\": \"audit\", \"code\": \"c\", \"message\": \"m\", \"labels\": {\"k\": \"v\"}}",
      "NONE"})
  void coreTypeChecksWithOnlyThisObligationKind(String element) throws Exception {
    Files.writeString(dir.resolve("core.rego"), RegoLibrary.read("vectorgate/core.rego"));
    String contributor = "package vectorgate\n\nimport rego.v1\n\n"
        + "allow contains {\"code\": \"a\", \"message\": \"m\"} if input.operation.action == \"search\"\n";
    if (!element.equals("NONE")) {
      contributor += "\nobligation contains " + element + " if input.operation.action == \"search\"\n";
    }
    Files.writeString(dir.resolve("contributor.rego"), contributor);
    Process p = new ProcessBuilder(Examples.OPA.toString(), "check", "--strict", dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("opa check timed out");
    }
    assertEquals(0, p.exitValue(), "opa check failed for a contributor emitting " + element + ":\n" + out);
  }
}
