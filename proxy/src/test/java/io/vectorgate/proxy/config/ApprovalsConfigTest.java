package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code approvals:} section: defaults, path resolution, and errors naming the key. */
class ApprovalsConfigTest {
  @TempDir
  Path dir;

  private GatewayConfig parse(String approvals) throws Exception {
    return MinimalConfig.parse(dir, approvals);
  }

  @Test
  void defaultsAndRelativeSqlitePath() throws Exception {
    assertNull(parse("").approvals());
    ApprovalsConfig a = parse("approvals: {store: {sqlite: state/approvals.db}, admin: {address: \"127.0.0.1:0\"}}\n")
        .approvals();
    assertEquals(dir.resolve("state/approvals.db"), a.store().sqlite());
    assertEquals("hold", a.mode());
    assertEquals(900L, a.maxWaitSeconds());
    assertEquals(200L, a.pollIntervalMillis());
    assertEquals(5L, a.grantBelowDeadlineSeconds());
  }

  @Test
  void maxHeldCallsDefaultsToHalfTheWorkersAndMustLeaveOneFree() throws Exception {
    String store = "approvals: {store: {sqlite: a.db}, admin: {address: \"127.0.0.1:0\"}";
    ApprovalsConfig unset = parse(store + "}\n").approvals();
    assertNull(unset.maxHeldCalls());
    assertEquals(8, unset.maxHeldCalls(16));
    assertEquals(2, unset.maxHeldCalls(4));
    assertEquals(0, unset.maxHeldCalls(1));
    ApprovalsConfig three = parse(store + ", max_held_calls: 3}\n").approvals();
    assertEquals(3, three.maxHeldCalls(4));
    ConfigException all = assertThrows(ConfigException.class, () -> three.maxHeldCalls(3));
    assertTrue(all.getMessage().contains("approvals.max_held_calls") && all.getMessage().contains("worker_threads"),
        all.getMessage());
    assertEquals(0, parse(store + ", max_held_calls: 0}\n").approvals().maxHeldCalls(4));
  }

  @Test
  void badValuesNameTheirKey() {
    String[][] cases = {
        {"approvals: {admin: {address: \"127.0.0.1:0\"}}", "approvals.store"},
        {"approvals: {store: {sqlite: a.db, postgres: \"jdbc:postgresql://x/y\"}, admin: {address: \"127.0.0.1:0\"}}", "approvals.store"},
        {"approvals: {store: {postgres: \"mysql://x\"}, admin: {address: \"127.0.0.1:0\"}}", "approvals.store.postgres"},
        {"approvals: {store: {sqlite: a.db}, mode: later, admin: {address: \"127.0.0.1:0\"}}", "approvals.mode"},
        {"approvals: {store: {sqlite: a.db}}", "approvals.admin.address"},
        {"approvals: {store: {sqlite: a.db}, admin: {address: nowhere}}", "approvals.admin.address"},
        {"approvals: {store: {sqlite: a.db}, max_wait_seconds: 0, admin: {address: \"127.0.0.1:0\"}}", "approvals.max_wait_seconds"},
        {"approvals: {store: {sqlite: a.db}, admin: {address: \"127.0.0.1:0\"}, webhooks: [{url: \"file:///x\"}]}", "approvals.webhooks[0].url"},
        {"approvals: {store: {sqlite: a.db}, admin: {address: \"127.0.0.1:0\"}, webhooks: [{url: \"http://h/x\", format: xml}]}", "approvals.webhooks[0].format"},
        {"approvals: {store: {sqlite: a.db}, admin: {address: \"127.0.0.1:0\"}, surprise: 1}", "approvals"},
        {"approvals: {store: {sqlite: a.db}, max_held_calls: -1, admin: {address: \"127.0.0.1:0\"}}", "approvals.max_held_calls"},
        {"approvals: {store: {sqlite: a.db}, max_held_calls: 1024, admin: {address: \"127.0.0.1:0\"}}", "approvals.max_held_calls"},
        {"approvals: {store: {sqlite: a.db}, max_held_calls: two, admin: {address: \"127.0.0.1:0\"}}", "max_held_calls"},
        {"approvals: {store: {sqlite: a.db}, max_held_calls: 2.5, admin: {address: \"127.0.0.1:0\"}}", "max_held_calls"},
        {"approvals: {store: {sqlite: a.db}, max_held_calls: \"3\", admin: {address: \"127.0.0.1:0\"}}", "max_held_calls"},
        {"approvals: {store: {sqlite: a.db}, max_held_calls: true, admin: {address: \"127.0.0.1:0\"}}", "max_held_calls"},
        {"approvals: {store: {sqlite: a.db}, max_held_calls: 99999999999, admin: {address: \"127.0.0.1:0\"}}", "max_held_calls"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(c[0] + "\n"), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
