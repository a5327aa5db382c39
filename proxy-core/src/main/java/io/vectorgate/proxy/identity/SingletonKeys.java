package io.vectorgate.proxy.identity;

import java.util.Set;
import java.util.TreeSet;

/**
 * The request keys (gRPC metadata, HTTP header names, lower case) the gateway reads to
 * authenticate, route or decide, or forwards upstream. Each must arrive at most once: a repeated
 * key is refused on both transports, even when the values are equal, because the gateway and the
 * database may read different occurrences (the last one and the first one), which would split
 * the value checked from the value used. One list for both transports, so the guarantee is
 * written once.
 */
public final class SingletonKeys {
  /** Keys that carry a caller's credential (Milvus {@code authorization}, Chroma, Qdrant, Pinecone keys). */
  public static final Set<String> CREDENTIALS = Set.of("authorization", "token", "x-chroma-token", "api-key",
      "x-api-key");
  /** Keys that select a database (Milvus reads {@code dbname}; {@code db-name} is refused repeated as well). */
  public static final Set<String> DATABASE = Set.of("dbname", "db-name");
  /** gRPC metadata keys that must be single: credentials, database, and the keys forwarded to Milvus. */
  public static final Set<String> GRPC = union(CREDENTIALS, DATABASE,
      Set.of("client-request-id", "client-request-unixmsec", "identifier"));
  /**
   * HTTP header names that must be single: credentials, database, framing and body headers, the
   * approval deadline, and every header the listener forwards upstream.
   */
  public static final Set<String> HTTP = union(CREDENTIALS, DATABASE, Set.of("host", "content-type",
      "content-length", "content-encoding", "transfer-encoding", "x-request-timeout", "accept", "user-agent",
      "x-pinecone-api-version"));

  private SingletonKeys() {}

  /** The client-facing text for {@code key} arriving {@code count} times ({@code kind}: metadata key, header). */
  public static String message(String kind, String key, int count) {
    return kind + " `" + key + "` appears " + count + " times; the gateway accepts it at most once (it reads it to"
        + " authenticate, route or decide, and forwards only what it checked)";
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    TreeSet<String> out = new TreeSet<>();
    for (Set<String> s : sets) {
      out.addAll(s);
    }
    return Set.copyOf(out);
  }
}
