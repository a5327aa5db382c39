package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code limits:} section: defaults and bounds, errors naming the key. */
class LimitsConfigTest {
  @TempDir
  Path dir;

  private GatewayConfig parse(String limits) throws Exception {
    return MinimalConfig.parse(dir, limits);
  }

  @Test
  void ioThreadsDefaultToOnePerCoreAndAreBounded() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(cores, parse("").limits().ioThreads());
    assertEquals(3, parse("limits: {io_threads: 3}\n").limits().ioThreads());
    for (String bad : new String[] {"0", "-1", "257"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse("limits: {io_threads: " + bad + "}\n"));
      assertTrue(e.getMessage().contains("limits.io_threads") && e.getMessage().contains("between 1 and 256"),
          e.getMessage());
    }
  }

  @Test
  void workerThreadsAreBounded() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("limits: {worker_threads: 0}\n"));
    assertTrue(e.getMessage().contains("limits.worker_threads"), e.getMessage());
  }
}
