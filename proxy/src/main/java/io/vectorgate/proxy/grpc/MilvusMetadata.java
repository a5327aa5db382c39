package io.vectorgate.proxy.grpc;

import io.grpc.Metadata;
import io.vectorgate.proxy.identity.SingletonKeys;
import java.util.List;

/**
 * The client metadata of one Milvus call, read once. A key of {@link SingletonKeys#GRPC} that
 * arrives more than once is refused ({@link RepeatedKeyException}): Milvus reads the first
 * {@code dbname} and the gateway the last, so two of them would let the gateway check one
 * database while the write lands in another. The metadata sent upstream is rebuilt from
 * {@link #FORWARDED} with exactly the values read here (the {@code dbname} the adapter decoded
 * with), never passed through; the caller's {@code authorization} is never among them.
 *
 * @param dbname the {@code dbname} value, or null when absent
 * @param forward the metadata to send upstream (the gateway's credential is added by {@link UpstreamMilvus})
 */
public record MilvusMetadata(String dbname, Metadata forward) {
  /** The client keys passed upstream, each at most once. */
  public static final List<String> FORWARDED = List.of("dbname", "client-request-id", "client-request-unixmsec",
      "identifier");
  /**
   * The W3C trace context key: deliberately not in {@link #FORWARDED}. The client's value is parsed
   * by the pipeline's propagator (a malformed one dropped) and never copied; with tracing on the
   * upstream gets the gateway's own upstream span's {@code traceparent} (added by the listener).
   */
  public static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  /** The database selector Milvus reads. */
  public static final Metadata.Key<String> DBNAME = Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER);
  private static final List<Metadata.Key<String>> FORWARDED_KEYS = FORWARDED.stream()
      .map(name -> Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)).toList();
  /**
   * The singleton keys in sorted order, made once: gRPC metadata names are lower case (the wire's
   * and {@link Metadata.Key}'s), so looking each up finds every value a client sent under it.
   */
  private static final List<Metadata.Key<String>> SINGLETON_KEYS = new java.util.TreeSet<>(SingletonKeys.GRPC).stream()
      .map(name -> Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)).toList();

  static {
    if (!SingletonKeys.GRPC.containsAll(FORWARDED)) {
      throw new IllegalStateException("every forwarded metadata key must be a singleton key");
    }
  }

  /** A security-relevant key arrived more than once; {@link #key()} names it. */
  public static final class RepeatedKeyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String key;

    RepeatedKeyException(String key, int count) {
      super(SingletonKeys.message("metadata key", key, count));
      this.key = key;
    }

    public String key() {
      return key;
    }

    /** The stable reason code. */
    public static final String CODE = "duplicate_metadata";
  }

  /** Reads {@code in}; throws when a singleton key repeats (the first such key in sorted order). */
  public static MilvusMetadata read(Metadata in) throws RepeatedKeyException {
    for (Metadata.Key<String> k : SINGLETON_KEYS) {
      Iterable<String> values = in.getAll(k);
      String key = k.name();
      int n = 0;
      if (values != null) {
        for (String ignored : values) {
          n++;
        }
      }
      if (n > 1) {
        throw new RepeatedKeyException(key, n);
      }
    }
    Metadata out = new Metadata();
    for (Metadata.Key<String> k : FORWARDED_KEYS) {
      String v = in.get(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return new MilvusMetadata(in.get(DBNAME), out);
  }
}
