package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.UpsertRequest;
import io.milvus.grpc.VectorField;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.enforce.ValueMasker;
import io.vectorgate.proxy.grpc.MilvusMethods;
import io.vectorgate.proxy.grpc.UpstreamMilvus;
import io.vectorgate.proxy.testing.MilvusLite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upsert pre-read against Milvus Lite holding the sample `docs` (ids 1..10; even ids acme,
 * odd ids globex), read through the gateway's own upstream client as the gateway wires it.
 */
class MilvusUpsertPreReadTest {
  @TempDir
  static Path work;
  static MilvusLite milvus;
  static ExecutorService executor;
  static UpstreamMilvus upstream;
  static UpstreamMilvus dead;

  static final Obligations ACME = new Obligations(List.of(), false,
      List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme")), null, null, null);

  @BeforeAll
  static void start() throws Exception {
    milvus = MilvusLite.start(work, 0);
    MilvusLite.runPython(work, "load_sample.py", "--uri", "http://" + milvus.address());
    executor = Executors.newFixedThreadPool(2);
    upstream = new UpstreamMilvus(connection(milvus.address()), "root:Milvus", 16 << 20, executor);
    dead = new UpstreamMilvus(connection("127.0.0.1:" + MilvusLite.freePort()), "root:Milvus", 16 << 20, executor);
  }

  @AfterAll
  static void stop() {
    if (upstream != null) {
      upstream.close();
    }
    if (dead != null) {
      dead.close();
    }
    if (executor != null) {
      executor.shutdownNow();
    }
    if (milvus != null) {
      milvus.close();
    }
  }

  private static ConnectionConfig connection(String address) {
    return new ConnectionConfig("lite", "milvus", address, null, false, 30L, "literal");
  }

  private static RowReader reader(UpstreamMilvus u) {
    return (db, q) -> {
      Metadata h = new Metadata();
      h.put(Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER), db);
      return (QueryResults) u.call(MilvusMethods.byName("Query"), q, h);
    };
  }

  private static MilvusAdapter adapter(RowReader reader, int cap) {
    return new MilvusAdapter(new CollectionSchemaCache(upstream::describeCollection, 16, Duration.ofMinutes(1)),
        new ValueMasker(MilvusFixtures.KEY), RowFilterBinding.LITERAL, reader, cap);
  }

  /** An upsert of `docs` rows with these ids, all written as tenant acme. */
  private static UpsertRequest upsert(long... ids) {
    List<Long> idList = new ArrayList<>();
    List<String> tenants = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    List<Float> vectors = new ArrayList<>();
    for (long id : ids) {
      idList.add(id);
      tenants.add("acme");
      titles.add("acme row " + id);
      vectors.addAll(List.of((float) id, 1f, 0.5f, 0.25f));
    }
    return UpsertRequest.newBuilder().setCollectionName("docs").setNumRows(ids.length)
        .addFieldsData(FieldData.newBuilder().setFieldName("id").setType(DataType.Int64)
            .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addAllData(idList))))
        .addFieldsData(FieldData.newBuilder().setFieldName("tenant_id").setType(DataType.VarChar)
            .setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addAllData(tenants))))
        .addFieldsData(FieldData.newBuilder().setFieldName("title").setType(DataType.VarChar)
            .setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addAllData(titles))))
        .addFieldsData(FieldData.newBuilder().setFieldName("embedding").setType(DataType.FloatVector)
            .setVectors(VectorField.newBuilder().setDim(4).setFloatVector(FloatArray.newBuilder().addAllData(vectors))))
        .build();
  }

  @Test
  void ownRowsAndNewKeysPass() {
    UpsertRequest r = upsert(2, 4, 500, 501);
    assertSame(r, adapter(reader(upstream), 16_384).applyRequestObligations("Upsert", r, "default", ACME));
  }

  @Test
  void rowsOfAnotherTenantAreRefusedWithoutNamingIt() {
    ObligationException e = assertThrows(ObligationException.class, () -> adapter(reader(upstream), 16_384)
        .applyRequestObligations("Upsert", upsert(1, 2, 3, 700), "default", ACME));
    assertEquals("row_filter_violation", e.code());
    assertEquals("the upsert into `docs` addresses 2 existing rows outside the rows the row filter allows the caller",
        e.getMessage());
    assertFalse(e.getMessage().contains("globex"));
    ObligationException one = assertThrows(ObligationException.class, () -> adapter(reader(upstream), 16_384)
        .applyRequestObligations("Upsert", upsert(9), null, ACME));
    assertTrue(one.getMessage().contains("addresses 1 existing row outside"), one.getMessage());
  }

  @Test
  void aFilterOnAnotherFieldIsCheckedOnTheStoredRows() {
    Obligations byTitle = new Obligations(List.of(), false, List.of(new RowFilter("title", FilterOp.IN,
        List.of("acme row 2", "acme report 2"))), null, null, null);
    UpsertRequest r = upsert(2);
    assertSame(r, adapter(reader(upstream), 16_384).applyRequestObligations("Upsert", r, null, byTitle));
  }

  @Test
  void moreKeysThanTheCapAreUnverifiable() {
    ObligationException e = assertThrows(ObligationException.class, () -> adapter(reader(upstream), 3)
        .applyRequestObligations("Upsert", upsert(2, 4, 6, 8), null, ACME));
    assertEquals("row_filter_unverifiable", e.code());
    assertTrue(e.getMessage().contains("addresses 4 primary keys, more than the 3 the gateway reads"), e.getMessage());
    // duplicates count once
    UpsertRequest dup = upsert(2, 2, 2, 4);
    assertSame(dup, adapter(reader(upstream), 3).applyRequestObligations("Upsert", dup, null, ACME));
    assertThrows(IllegalArgumentException.class, () -> adapter(reader(upstream), 16_385));
    assertThrows(IllegalArgumentException.class, () -> adapter(reader(upstream), 0));
  }

  @Test
  void anUnreachableUpstreamFailsClosedKeepingTheCause() {
    ObligationException e = assertThrows(ObligationException.class, () -> adapter(reader(dead), 16_384)
        .applyRequestObligations("Upsert", upsert(2), null, ACME));
    assertEquals("row_filter_unverifiable", e.code());
    assertTrue(e.getMessage().contains("reading the addressed rows failed"), e.getMessage());
    assertNotNull(e.getCause());
  }

  @Test
  void theDbnameHeaderNamesTheDatabaseRead() {
    ObligationException e = assertThrows(ObligationException.class, () -> adapter(reader(upstream), 16_384)
        .applyRequestObligations("Upsert", upsert(2), "no_such_db", ACME));
    assertEquals("row_filter_unverifiable", e.code());
    assertTrue(e.getMessage().contains("its schema is unknown"), e.getMessage());
  }

  @Test
  void aFilterFieldTheStoredRowsLackCountsTheirRowsAsOutside() {
    // the written rows set `owner`, the stored row 2 has no such field: it is not provably the caller's
    Obligations odd = new Obligations(List.of(), false, List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme"),
        new RowFilter("owner", FilterOp.EQ, "me")), null, null, null);
    UpsertRequest withOwner = upsert(2).toBuilder().addFieldsData(FieldData.newBuilder().setFieldName("owner")
        .setType(DataType.VarChar).setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addData("me"))))
        .build();
    ObligationException e = assertThrows(ObligationException.class, () -> adapter(reader(upstream), 16_384)
        .applyRequestObligations("Upsert", withOwner, null, odd));
    assertEquals("row_filter_violation", e.code());
    assertTrue(e.getMessage().contains("addresses 1 existing row outside"), e.getMessage());
  }
}
