package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpaCliTest {
  @TempDir Path tmp;

  @Test
  void locatesTheConfiguredBinaryAndRunsIt() {
    assertEquals(Path.of(System.getProperty("vectorgate.opa")), OpaCli.locate());
    OpaCli.Result r = OpaCli.discover().run(null, List.of("version"));
    assertTrue(r.ok());
    assertTrue(r.stdout().contains("Version: 1.22.3"), r.stdout());
  }

  @Test
  void aMissingBinaryIsAClearError() {
    OpaCli.OpaCliException e = assertThrows(OpaCli.OpaCliException.class,
        () -> new OpaCli(tmp.resolve("no-opa"), Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("no-opa"), e.getMessage());
  }

  @Test
  void aRunThatDoesNotFinishIsStoppedAtTheTimeout() throws Exception {
    Path script = tmp.resolve("slow-opa");
    Files.writeString(script, "#!/bin/sh\nexec sleep 30\n");
    assertTrue(script.toFile().setExecutable(true));
    OpaCli slow = new OpaCli(script, Duration.ofMillis(300));
    long t0 = System.nanoTime();
    OpaCli.OpaCliException e = assertThrows(OpaCli.OpaCliException.class, () -> slow.run(null, List.of("build")));
    assertTrue(e.getMessage().contains("did not finish"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "the process is killed, not awaited");
  }

  @Test
  void stderrAndTheExitCodeComeBack() {
    OpaCli.Result r = TestPolicies.opa().run(null, List.of("eval", "--format", "json", "this is not rego ("));
    assertTrue(!r.ok());
    assertTrue(r.stderr().contains("rego_parse_error") || r.stdout().contains("rego_parse_error"), r.stderr());
  }
}
