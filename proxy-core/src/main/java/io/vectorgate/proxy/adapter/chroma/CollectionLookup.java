package io.vectorgate.proxy.adapter.chroma;

import java.util.Optional;

/** Resolves a collection id the adapter has not seen yet to its name (the gateway asks its upstream). */
@FunctionalInterface
public interface CollectionLookup {
  /** No lookups: unknown ids stay unknown (and are refused). */
  CollectionLookup NONE = (tenant, database, id) -> Optional.empty();

  Optional<String> name(String tenant, String database, String id);
}
