package io.vectorgate.proxy.adapter.chroma;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Chroma addresses records by collection UUID while policies name collections: this map of
 * (tenant, database, id) → name is learned from create/get/list responses. Bounded (least
 * recently used entries go first); thread-safe.
 */
public final class CollectionNames {
  private final int capacity;
  private final Map<String, String> names;

  public CollectionNames(int capacity) {
    this.capacity = capacity;
    this.names = new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > CollectionNames.this.capacity;
      }
    };
  }

  private static String key(String tenant, String database, String id) {
    return tenant + '\u0000' + database + '\u0000' + id;
  }

  public synchronized void learn(String tenant, String database, String id, String name) {
    names.put(key(tenant, database, id), name);
  }

  public synchronized Optional<String> name(String tenant, String database, String id) {
    return Optional.ofNullable(names.get(key(tenant, database, id)));
  }

  public synchronized void forgetName(String tenant, String database, String name) {
    String prefix = tenant + '\u0000' + database + '\u0000';
    names.entrySet().removeIf(e -> e.getKey().startsWith(prefix) && e.getValue().equals(name));
  }

  public synchronized int size() {
    return names.size();
  }
}
