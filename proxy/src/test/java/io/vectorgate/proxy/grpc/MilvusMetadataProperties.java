package io.vectorgate.proxy.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.vectorgate.proxy.identity.SingletonKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Client metadata towards Milvus: a singleton key that repeats is refused naming it; otherwise the
 * metadata sent upstream is exactly the allow-listed keys with the one value each that the
 * gateway read (the {@code dbname} it decoded with), and nothing else.
 */
class MilvusMetadataProperties {
  private static final List<String> NAMES = List.of("authorization", "token", "dbname", "db-name", "identifier",
      "client-request-id", "client-request-unixmsec", "x-chroma-token", "api-key", "x-api-key", "user-agent",
      "x-custom", "database", "grpc-accept-encoding");

  record Entry(String key, String value) {}

  static Metadata metadata(List<Entry> entries) {
    Metadata m = new Metadata();
    for (Entry e : entries) {
      m.put(Metadata.Key.of(e.key(), Metadata.ASCII_STRING_MARSHALLER), e.value());
    }
    return m;
  }

  @Property(tries = 500)
  void repeatsAreRefusedAndOnlyTheAllowListIsForwarded(@ForAll("entries") List<Entry> entries) {
    Map<String, List<String>> byKey = new TreeMap<>();
    for (Entry e : entries) {
      byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.value());
    }
    String repeated = byKey.entrySet().stream()
        .filter(x -> SingletonKeys.GRPC.contains(x.getKey()) && x.getValue().size() > 1)
        .map(Map.Entry::getKey).findFirst().orElse(null);
    Metadata in = metadata(entries);
    if (repeated != null) {
      MilvusMetadata.RepeatedKeyException ex = assertThrows(MilvusMetadata.RepeatedKeyException.class,
          () -> MilvusMetadata.read(in));
      assertEquals(repeated, ex.key());
      assertTrue(ex.getMessage().startsWith("metadata key `" + repeated + "` appears " + byKey.get(repeated).size()
          + " times"), ex.getMessage());
      return;
    }
    MilvusMetadata md = assertDoesNotThrow(in);
    Map<String, String> forwarded = new LinkedHashMap<>();
    for (String k : md.forward().keys()) {
      Iterable<String> vs = md.forward().getAll(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER));
      List<String> list = new ArrayList<>();
      vs.forEach(list::add);
      assertEquals(1, list.size(), k);
      forwarded.put(k, list.get(0));
    }
    Map<String, String> expected = new LinkedHashMap<>();
    for (String k : MilvusMetadata.FORWARDED) {
      if (byKey.containsKey(k)) {
        expected.put(k, byKey.get(k).get(0));
      }
    }
    assertEquals(new TreeMap<>(expected), new TreeMap<>(forwarded));
    assertFalse(forwarded.containsKey("authorization"));
    assertEquals(byKey.containsKey("dbname") ? byKey.get("dbname").get(0) : null, md.dbname());
    assertEquals(md.dbname(), forwarded.get("dbname"), "the dbname checked is the dbname forwarded");
  }

  /** Issue 14 finding 4: `dbname=other` then `dbname=default` split the check (last) from the write (first). */
  @Example
  void twoDatabaseSelectorsAreRefusedEvenWhenEqual() {
    for (String second : List.of("default", "other")) {
      Metadata in = metadata(List.of(new Entry("dbname", "other"), new Entry("dbname", second)));
      MilvusMetadata.RepeatedKeyException e = assertThrows(MilvusMetadata.RepeatedKeyException.class,
          () -> MilvusMetadata.read(in));
      assertEquals("dbname", e.key());
    }
  }

  @Example
  void noMetadataForwardsNothing() throws MilvusMetadata.RepeatedKeyException {
    MilvusMetadata md = MilvusMetadata.read(new Metadata());
    assertNull(md.dbname());
    assertTrue(md.forward().keys().isEmpty());
  }

  private static MilvusMetadata assertDoesNotThrow(Metadata in) {
    try {
      return MilvusMetadata.read(in);
    } catch (MilvusMetadata.RepeatedKeyException e) {
      throw new AssertionError("refused without a repeated singleton key: " + e.getMessage(), e);
    }
  }

  @Provide
  Arbitrary<List<Entry>> entries() {
    Arbitrary<String> values = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-_=,. ")
        .ofMinLength(1).ofMaxLength(12).map(String::strip).filter(v -> !v.isEmpty());
    return Combinators.combine(Arbitraries.of(NAMES), values).as(Entry::new).list().ofMaxSize(8);
  }
}
