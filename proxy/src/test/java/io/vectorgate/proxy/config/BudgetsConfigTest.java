package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code budgets:} section: defaults, resolution of the password file, errors naming the key. */
class BudgetsConfigTest {
  @TempDir
  Path dir;

  private GatewayConfig parse(String budgets) throws Exception {
    return MinimalConfig.parse(dir, budgets);
  }

  @Test
  void absentOrDefaultIsInMemory() throws Exception {
    assertNull(parse("").budgets());
    BudgetsConfig b = parse("budgets: {}\n").budgets();
    assertFalse(b.shared());
    assertEquals(10L, b.flushUnits());
    assertEquals(200L, b.flushIntervalMs());
    assertEquals(4, b.poolSize());
  }

  @Test
  void postgresWithEverySettingAndThePasswordFileResolved() throws Exception {
    BudgetsConfig b = parse("""
        budgets:
          store: postgres
          postgres: {url: "jdbc:postgresql://127.0.0.1:5432/vg", user: vg, password: {file: pw}}
          flush_units: 1
          flush_interval_ms: 50
          pool_size: 8
        """).budgets();
    assertTrue(b.shared());
    assertEquals("jdbc:postgresql://127.0.0.1:5432/vg", b.postgres().url());
    assertEquals(dir.resolve("pw"), b.postgres().password().file());
    assertEquals(1L, b.flushUnits());
    assertEquals(50L, b.flushIntervalMs());
    assertEquals(8, b.poolSize());
  }

  @Test
  void badValuesNameTheirKey() {
    String[][] cases = {
        {"budgets: {store: redis}", "budgets.store"},
        {"budgets: {store: postgres}", "budgets.postgres.url"},
        {"budgets: {store: postgres, postgres: {url: \"jdbc:sqlite:x\"}}", "budgets.postgres.url"},
        {"budgets: {postgres: {url: \"jdbc:postgresql://h/db\"}}", "budgets.postgres"},
        {"budgets: {flush_units: 0}", "budgets.flush_units"},
        {"budgets: {flush_units: 1000001}", "budgets.flush_units"},
        {"budgets: {flush_interval_ms: 5}", "budgets.flush_interval_ms"},
        {"budgets: {pool_size: 65}", "budgets.pool_size"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(c[0] + "\n"), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
