package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.grpc.CollectionSchema;
import io.vectorgate.proxy.adapter.AdapterException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CollectionSchemaCacheTest {

  /** A clock tests move by hand, so expiry is checked without sleeping. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final List<String> loads = new ArrayList<>();
  private final ManualClock clock = new ManualClock();

  private CollectionSchemaCache cache(int size) {
    return new CollectionSchemaCache((db, c) -> {
      loads.add(db + "/" + c);
      return c.startsWith("missing") ? Optional.empty() : Optional.of(CollectionSchema.newBuilder().setName(c).build());
    }, size, Duration.ofSeconds(60), clock);
  }

  @Test
  void cachesUntilTheTtlPasses() {
    CollectionSchemaCache c = cache(10);
    assertEquals("a", c.get("db", "a").orElseThrow().getName());
    c.get("db", "a");
    assertEquals(List.of("db/a"), loads);
    clock.now = clock.now.plusSeconds(61);
    c.get("db", "a");
    assertEquals(List.of("db/a", "db/a"), loads);
  }

  @Test
  void databasesAreSeparateAndSizeIsBounded() {
    CollectionSchemaCache c = cache(2);
    c.get("d1", "a");
    c.get("d2", "a");
    c.get("d1", "b");
    assertEquals(2, c.size());
    c.get("d1", "a"); // the eldest was evicted
    assertEquals(List.of("d1/a", "d2/a", "d1/b", "d1/a"), loads);
  }

  @Test
  void invalidation() {
    CollectionSchemaCache c = cache(10);
    c.get("d1", "a");
    c.get("d1", "b");
    c.get("d2", "a");
    c.invalidate("d1", "a");
    c.get("d1", "a");
    assertEquals(4, loads.size());
    c.invalidateDatabase("d1");
    assertEquals(1, c.size());
    c.invalidateAll();
    assertEquals(0, c.size());
  }

  @Test
  void absentCollectionsAreNotCachedAndFailuresFailClosed() {
    CollectionSchemaCache c = cache(10);
    assertTrue(c.get("d", "missing1").isEmpty());
    assertTrue(c.get("d", "missing1").isEmpty());
    assertEquals(2, loads.size());
    CollectionSchemaCache failing = new CollectionSchemaCache((db, name) -> {
      throw new IllegalStateException("boom");
    }, 10, Duration.ofSeconds(1), clock);
    AdapterException e = assertThrows(AdapterException.class, () -> failing.get("d", "x"));
    assertEquals("schema_unavailable", e.code());
    assertEquals("boom", e.getCause().getMessage());
    assertThrows(IllegalArgumentException.class, () -> cache(0));
  }

  @Test
  void theAdapterInvalidatesAfterSchemaChanges() {
    CollectionSchemaCache c = cache(10);
    MilvusAdapter a = new MilvusAdapter(c, new io.vectorgate.proxy.enforce.ValueMasker(MilvusFixtures.KEY));
    c.get("default", "a");
    c.get("default", "b");
    assertTrue(a.changesSchema("AlterCollection"));
    assertTrue(!a.changesSchema("Search"));
    a.invalidateAfter("AlterCollection", io.milvus.grpc.AlterCollectionRequest.newBuilder().setCollectionName("a").build(), null);
    assertEquals(1, c.size());
    a.invalidateAfter("AlterAlias", io.milvus.grpc.AlterAliasRequest.newBuilder().setAlias("x").setCollectionName("b").build(), null);
    assertEquals(0, c.size());
  }
}
