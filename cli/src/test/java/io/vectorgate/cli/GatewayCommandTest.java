package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `vectorgate gateway --check` validates a real config from the distribution's class path. */
class GatewayCommandTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));

  @Test
  void checksTheDemoConfiguration() {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try (PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      code = VectorgateCli.run("gateway", "--config", ROOT.resolve("samples/milvus-demo/gateway.yaml").toString(), "--check");
    } finally {
      System.setOut(saved);
    }
    assertEquals(0, code);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("config ok"), out.toString(StandardCharsets.UTF_8));
  }
}
