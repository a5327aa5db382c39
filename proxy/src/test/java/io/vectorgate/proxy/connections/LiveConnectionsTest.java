package io.vectorgate.proxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.proxy.config.ConfigException;
import io.vectorgate.proxy.config.ConnectionsApiConfig;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.config.GatewayConfig.SecretRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The effective connections: the YAML seed overlaid by the store by id (replace, add, remove),
 * listeners re-bound only when their connection changed, stored entries checked like the API's
 * input (a reference the API may not use is unusable, never served), and a store that cannot be
 * read changes nothing.
 */
class LiveConnectionsTest {
  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
  static final ConnectionConfig YAML_A = new ConnectionConfig("a", "qdrant", "h:1", new SecretRef("VG_A", null), false,
      30L, "template");
  static final ConnectionConfig YAML_B = new ConnectionConfig("b", "qdrant", "h:2", new SecretRef("VG_B", null), false,
      30L, "template");
  final ConnectionSpecs specs = new ConnectionSpecs(new ConnectionsApiConfig(null, null, null, null), List.of(YAML_A,
      YAML_B));

  /** Records every apply. */
  static final class Recording implements LiveConnections.Binding {
    final String listener;
    final String id;
    final List<LiveConnections.Effective> applied = new ArrayList<>();

    Recording(String listener, String id) {
      this.listener = listener;
      this.id = id;
    }

    @Override
    public String listener() {
      return listener;
    }

    @Override
    public String connectionId() {
      return id;
    }

    @Override
    public void apply(LiveConnections.Effective e) {
      applied.add(e);
    }
  }

  static String spec(String id, String upstream, String env) {
    return "{\"name\":\"" + id + "\",\"kind\":\"qdrant\",\"upstream\":\"" + upstream + "\",\"credential\":{\"env\":\""
        + env + "\"}}";
  }

  @Test
  void theStoreOverlaysTheYamlByIdAndOnlyChangedListenersAreRebound() throws Exception {
    InMemoryConnectionStore store = new InMemoryConnectionStore();
    store.write("b", spec("b", "h:22", "VECTORGATE_UPSTREAM_B"), ConnectionStore.Expect.ANY, "otto", T);
    LiveConnections live = new LiveConnections(List.of(YAML_A, YAML_B), store, specs, 1000);
    assertEquals(LiveConnections.Source.YAML, live.get("a").orElseThrow().source());
    assertEquals("h:22", live.get("b").orElseThrow().config().upstream(), "stored at start: it wins over the YAML");
    Recording onA = new Recording("la", "a");
    Recording onB = new Recording("lb", "b");
    live.bind(onA);
    live.bind(onB);

    store.write("a", spec("a", "h:11", "VECTORGATE_UPSTREAM_A"), ConnectionStore.Expect.ANY, "otto", T);
    store.write("c", spec("c", "h:3", "VECTORGATE_UPSTREAM_C"), ConnectionStore.Expect.ANY, "otto", T);
    live.refresh();
    assertEquals(1, onA.applied.size());
    assertEquals("h:11", onA.applied.get(0).config().upstream());
    assertEquals(List.of(), onB.applied, "b did not change: not re-bound");
    assertEquals("h:3", live.get("c").orElseThrow().config().upstream(), "an added id is listed");

    store.write("b", spec("b", "h:22", "VECTORGATE_UPSTREAM_B"), ConnectionStore.Expect.ANY, "rita", T);
    live.refresh();
    assertEquals(List.of(), onB.applied, "the same definition written again is not a change");

    store.write("a", null, ConnectionStore.Expect.ANY, "otto", T);
    live.refresh();
    LiveConnections.Effective removed = onA.applied.get(1);
    assertTrue(removed.deleted() && removed.removed());
    assertTrue(removed.problem().contains("removed through the admin API"), removed.problem());
    assertEquals(5, live.revision());
  }

  @Test
  void aStoredReferenceTheApiMayNotUseIsUnusableNotServed() throws Exception {
    InMemoryConnectionStore store = new InMemoryConnectionStore();
    LiveConnections live = new LiveConnections(List.of(YAML_A), store, specs, 1000);
    Recording onA = new Recording("la", "a");
    live.bind(onA);
    // written around the API (by hand, or by another build): the masking key's variable
    store.write("a", spec("a", "evil.example:443", "VG_MASK_KEY"), ConnectionStore.Expect.ANY, "mallory", T);
    live.refresh();
    LiveConnections.Effective e = onA.applied.get(0);
    assertNull(e.config());
    assertFalse(e.deleted());
    assertTrue(e.problem().contains("credential.env"), e.problem());
    store.write("a", "{not json", ConnectionStore.Expect.ANY, "mallory", T);
    live.refresh();
    assertTrue(onA.applied.get(1).problem().contains("not JSON"), onA.applied.get(1).problem());
  }

  @Test
  void aStoreThatCannotBeReadChangesNothingAndFailsTheStart() {
    InMemoryConnectionStore healthy = new InMemoryConnectionStore();
    ConnectionStore broken = new ConnectionStore() {
      boolean down;

      @Override
      public long revision() {
        if (down) {
          throw new IllegalStateException("connections store: cannot read the revision: connection refused");
        }
        return 0;
      }

      @Override
      public Snapshot snapshot() {
        if (down) {
          throw new IllegalStateException("connections store: cannot read: connection refused");
        }
        down = true;
        return healthy.snapshot();
      }

      @Override
      public Entry write(String id, String spec, Expect expect, String by, Instant at) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<Entry> history(int limit) {
        return List.of();
      }
    };
    LiveConnections live = new LiveConnections(List.of(YAML_A), broken, specs, 1000);
    Recording onA = new Recording("la", "a");
    live.bind(onA);
    assertThrows(IllegalStateException.class, live::refresh);
    assertEquals(List.of(), onA.applied);
    assertEquals("h:1", live.get("a").orElseThrow().config().upstream());
    ConfigException start = assertThrows(ConfigException.class, () -> new LiveConnections(List.of(YAML_A), broken, specs,
        1000));
    assertEquals("admin.connections.store", start.keyPath());
  }
}
