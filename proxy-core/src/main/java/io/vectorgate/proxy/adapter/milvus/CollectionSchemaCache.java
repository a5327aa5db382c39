package io.vectorgate.proxy.adapter.milvus;

import io.milvus.grpc.CollectionSchema;
import io.vectorgate.proxy.adapter.AdapterException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collection schemas per (database, collection), loaded through a {@link SchemaLookup}, kept for a
 * bounded time and count (least recently used entries go first). Absent collections are not
 * cached. Thread-safe; a miss loads outside the lock, so two concurrent misses may both load.
 */
public final class CollectionSchemaCache {
  private static final Logger LOG = LoggerFactory.getLogger(CollectionSchemaCache.class);

  private record Key(String database, String collection) {}

  private record Entry(CollectionSchema schema, Instant expires) {}

  private final SchemaLookup lookup;
  private final int maxEntries;
  private final Duration ttl;
  private final Clock clock;
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  public CollectionSchemaCache(SchemaLookup lookup, int maxEntries, Duration ttl) {
    this(lookup, maxEntries, ttl, Clock.systemUTC());
  }

  public CollectionSchemaCache(SchemaLookup lookup, int maxEntries, Duration ttl, Clock clock) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("schema cache size must be at least 1, was " + maxEntries);
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("schema cache ttl must be positive, was " + ttl);
    }
    this.maxEntries = maxEntries;
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The schema of {@code collection} in {@code database}; empty when it does not exist.
   *
   * @throws AdapterException {@code schema_unavailable} when the lookup fails
   */
  public Optional<CollectionSchema> get(String database, String collection) {
    Key key = new Key(database, collection);
    Instant now = clock.instant();
    synchronized (entries) {
      Entry e = entries.get(key);
      if (e != null && now.isBefore(e.expires())) {
        return Optional.of(e.schema());
      }
      if (e != null) {
        entries.remove(key);
      }
    }
    Optional<CollectionSchema> loaded;
    try {
      loaded = Objects.requireNonNull(lookup.describe(database, collection), "schema lookup returned null");
    } catch (Exception ex) {
      LOG.warn("event=schema_lookup_failed database={} collection={} error={}", database, collection, ex.toString());
      throw new AdapterException(AdapterException.SCHEMA_UNAVAILABLE, "collection_name",
          "the schema of collection `" + collection + "` in database `" + database + "` could not be loaded", ex);
    }
    loaded.ifPresent(schema -> {
      synchronized (entries) {
        entries.put(key, new Entry(schema, clock.instant().plus(ttl)));
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while (entries.size() > maxEntries && it.hasNext()) {
          it.next();
          it.remove();
        }
      }
    });
    return loaded;
  }

  /** Forgets one collection's schema. */
  public void invalidate(String database, String collection) {
    synchronized (entries) {
      entries.remove(new Key(database, collection));
    }
  }

  /** Forgets every schema of a database (aliases can point anywhere in it). */
  public void invalidateDatabase(String database) {
    synchronized (entries) {
      entries.keySet().removeIf(k -> k.database().equals(database));
    }
  }

  /** Forgets everything. */
  public void invalidateAll() {
    synchronized (entries) {
      entries.clear();
    }
  }

  /** Entries currently held (expired ones included until touched). */
  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
