package io.vectorgate.proxy.adapter;

import io.vectorgate.model.DatabaseKind;
import io.vectorgate.proxy.adapter.chroma.ChromaAdapter;
import io.vectorgate.proxy.adapter.chroma.CollectionLookup;
import io.vectorgate.proxy.adapter.chroma.CollectionNames;
import io.vectorgate.proxy.adapter.http.HttpDatabaseAdapter;
import io.vectorgate.proxy.adapter.milvus.CollectionSchemaCache;
import com.google.protobuf.Message;
import io.vectorgate.proxy.adapter.milvus.MilvusAdapter;
import io.vectorgate.proxy.adapter.milvus.MilvusCall;
import io.vectorgate.proxy.adapter.milvus.MilvusDatabaseAdapter;
import io.vectorgate.proxy.adapter.milvus.RowFilterBinding;
import io.vectorgate.proxy.adapter.milvus.RowReader;
import io.vectorgate.proxy.adapter.pinecone.PineconeAdapter;
import io.vectorgate.proxy.adapter.qdrant.QdrantAdapter;
import io.vectorgate.proxy.enforce.JsonRowFilters;
import io.vectorgate.proxy.enforce.ValueMasker;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The one registry of adapters, per database kind: the gateway builds each connection's adapter
 * here, and the policy-test-harness builds the same adapters for replay (with what it recorded in
 * place of upstream reads). Adding a database is adding its package and one entry in
 * {@link #defaults()}.
 */
public final class AdapterRegistry {

  /**
   * Per-connection settings.
   *
   * @param connection the connection's name (a Pinecone connection is one index: its name)
   * @param masker masks values with the gateway's key
   * @param rowFilterBinding how Milvus row filters reach the upstream ({@code template} or {@code literal})
   * @param maxPreReadIds the most ids a row-filtered write may address (its pre-read's size)
   */
  public record Settings(String connection, ValueMasker masker, RowFilterBinding rowFilterBinding, int maxPreReadIds) {
    public Settings {
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(masker, "masker");
      Objects.requireNonNull(rowFilterBinding, "rowFilterBinding");
    }

    /** Defaults for replay and tests: template binding, the default pre-read cap (Milvus's query limit). */
    public static Settings of(String connection, ValueMasker masker) {
      return new Settings(connection, masker, RowFilterBinding.TEMPLATE, JsonRowFilters.DEFAULT_MAX_PRE_READ_IDS);
    }
  }

  /**
   * What an adapter may read from its own database besides the request it forwards, with the
   * gateway's credential (the harness passes what it recorded instead). A member a kind does not
   * use is ignored; a missing reader makes the reads that need it fail closed.
   *
   * @param milvusSchemas Milvus collection schemas (wildcard expansion, vector fields, aliases); required for Milvus
   * @param milvusRows Milvus rows an upsert under a row filter addresses, or null (such upserts are refused)
   * @param chromaCollections Chroma collection ids not seen yet → names
   * @param json rows a row-filtered write addresses by id (Chroma, Pinecone pre-reads)
   */
  public record UpstreamReads(CollectionSchemaCache milvusSchemas, RowReader milvusRows,
      CollectionLookup chromaCollections, JsonRowFilters.UpstreamReader json) {
    public UpstreamReads {
      chromaCollections = chromaCollections == null ? CollectionLookup.NONE : chromaCollections;
      json = json == null ? JsonRowFilters.UpstreamReader.NONE : json;
    }
  }

  /** Builds the adapter of one connection. */
  @FunctionalInterface
  public interface Factory {
    DatabaseAdapter<?, ?> create(Settings settings, UpstreamReads reads);
  }

  /** Capacity of Chroma's collection id → name map per connection. */
  public static final int CHROMA_NAME_CAPACITY = 100_000;

  private final Map<DatabaseKind, Factory> factories;

  private AdapterRegistry(Map<DatabaseKind, Factory> factories) {
    this.factories = factories;
  }

  /** Milvus (gRPC), Chroma, Qdrant and Pinecone (HTTP). */
  public static AdapterRegistry defaults() {
    Map<DatabaseKind, Factory> f = new EnumMap<>(DatabaseKind.class);
    f.put(DatabaseKind.MILVUS, (s, r) -> new MilvusDatabaseAdapter(new MilvusAdapter(
        Objects.requireNonNull(r.milvusSchemas(), "milvusSchemas"), s.masker(), s.rowFilterBinding(), r.milvusRows(),
        s.maxPreReadIds())));
    f.put(DatabaseKind.CHROMA, (s, r) -> new HttpDatabaseAdapter(new ChromaAdapter(s.masker(),
        new CollectionNames(CHROMA_NAME_CAPACITY), r.chromaCollections(), r.json(), s.maxPreReadIds())));
    f.put(DatabaseKind.QDRANT, (s, r) -> new HttpDatabaseAdapter(new QdrantAdapter(s.masker())));
    f.put(DatabaseKind.PINECONE, (s, r) -> new HttpDatabaseAdapter(new PineconeAdapter(s.connection(), s.masker(),
        r.json(), s.maxPreReadIds())));
    return new AdapterRegistry(f);
  }

  /** A copy with {@code kind} served by {@code factory} (tests: fakes, fault injection). */
  public AdapterRegistry with(DatabaseKind kind, Factory factory) {
    Map<DatabaseKind, Factory> f = new EnumMap<>(DatabaseKind.class);
    f.putAll(factories);
    f.put(kind, factory);
    return new AdapterRegistry(f);
  }

  public boolean serves(DatabaseKind kind) {
    return factories.containsKey(kind);
  }

  /**
   * The adapter of a connection of {@code kind}.
   *
   * @throws IllegalArgumentException when this build has no adapter for {@code kind}
   */
  public DatabaseAdapter<?, ?> create(DatabaseKind kind, Settings settings, UpstreamReads reads) {
    Factory f = factories.get(kind);
    if (f == null) {
      throw new IllegalArgumentException("this build has no adapter for `" + kind.name().toLowerCase(java.util.Locale.ROOT)
          + "`");
    }
    DatabaseAdapter<?, ?> a = f.create(settings, reads);
    if (a.kind() != kind) {
      throw new IllegalStateException("the adapter registered for " + kind + " serves " + a.kind());
    }
    return a;
  }

  /** The Milvus adapter of a connection. */
  @SuppressWarnings("unchecked")
  public DatabaseAdapter<MilvusCall, Message> milvus(Settings settings, UpstreamReads reads) {
    // the registry checked the kind; a Milvus adapter takes Milvus calls and rewrites protobuf answers
    return (DatabaseAdapter<MilvusCall, Message>) create(DatabaseKind.MILVUS, settings, reads);
  }

  /** The adapter of an HTTP connection ({@code kind} Chroma, Qdrant or Pinecone). */
  public HttpDatabaseAdapter http(DatabaseKind kind, Settings settings, UpstreamReads reads) {
    DatabaseAdapter<?, ?> a = create(kind, settings, reads);
    if (!(a instanceof HttpDatabaseAdapter h)) {
      throw new IllegalArgumentException("`" + kind + "` is not served over HTTP");
    }
    return h;
  }
}
