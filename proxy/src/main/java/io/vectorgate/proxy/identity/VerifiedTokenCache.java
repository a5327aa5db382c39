package io.vectorgate.proxy.identity;

import io.vectorgate.model.Identity;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/** Identities of verified tokens (keyed by the token's SHA-256), each until its own expiry; bounded in size. */
final class VerifiedTokenCache {
  private record Entry(Identity identity, Instant until) {}

  private final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();
  private final int maxEntries;

  VerifiedTokenCache(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  Identity get(String key, Instant now) {
    Entry e = map.get(key);
    if (e == null) {
      return null;
    }
    if (!now.isBefore(e.until())) {
      map.remove(key, e);
      return null;
    }
    return e.identity();
  }

  void put(String key, Identity identity, Instant until, Instant now) {
    if (maxEntries == 0 || !now.isBefore(until)) {
      return;
    }
    if (map.size() >= maxEntries) {
      map.values().removeIf(e -> !now.isBefore(e.until()));
      if (map.size() >= maxEntries) {
        map.clear();
      }
    }
    map.put(key, new Entry(identity, until));
  }

  int size() {
    return map.size();
  }
}
