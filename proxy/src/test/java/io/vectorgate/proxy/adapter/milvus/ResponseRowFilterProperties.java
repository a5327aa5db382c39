package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.IDs;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchResultData;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.StringArray;
import io.vectorgate.model.Action;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Operation;
import io.vectorgate.model.RowFilter;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The row filter re-checked on Milvus answers (defence in depth behind the injected filter): for
 * random answers whose rows carry the filtered field as a scalar column (nullable, compact
 * layout) or as a {@code $meta} key (string, number, array, null, missing), and random row
 * filters, no row that carries the field with a value outside the filter survives the rewrite,
 * every row that does not violate it survives (before the cap), each drop is counted, and every
 * per-hit structure stays consistent. The oracle below is written from Milvus' semantics, not from
 * the adapter: {@code f == v} / {@code f in [..]} never select an array.
 */
class ResponseRowFilterProperties {
  private static final List<String> TENANTS = List.of("acme", "globex", "initech");
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  /** One row's value of the field: null (not carried), a string, a number, or an array (JSON text). */
  record Cell(String json) {
    boolean carried() {
      return json != null && !json.equals("null");
    }
  }

  @Provide
  Arbitrary<Cell> cells() {
    return Arbitraries.oneOf(
        Arbitraries.of(TENANTS).map(t -> new Cell("\"" + t + "\"")),
        Arbitraries.just(new Cell(null)),
        Arbitraries.just(new Cell("null")),
        Arbitraries.just(new Cell("7")),
        Arbitraries.of(TENANTS).map(t -> new Cell("[\"" + t + "\"]")));
  }

  @Provide
  Arbitrary<RowFilter> filters() {
    return Combinators.combine(Arbitraries.of(FilterOp.class), Arbitraries.of(TENANTS).set().ofMinSize(1).ofMaxSize(2))
        .as((op, values) -> new RowFilter("tenant", op,
            op == FilterOp.IN || op == FilterOp.NOT_IN ? List.copyOf(values) : values.iterator().next()));
  }

  /** The oracle: does a carried value violate the condition? (Arrays and non-strings of a string filter: yes.) */
  static boolean violates(Cell c, RowFilter f) {
    if (!c.carried()) {
      return false;
    }
    boolean member;
    if (c.json().startsWith("\"")) {
      String s = c.json().substring(1, c.json().length() - 1);
      member = f.value() instanceof List<?> l ? l.contains(s) : f.value().equals(s);
    } else if (c.json().startsWith("[")) {
      return true; // an array is never selected by `tenant == v` / `tenant in [..]`, nor by `!=` / `not in`
    } else {
      member = false; // a number is no tenant string
    }
    return switch (f.op()) {
      case EQ, IN -> !member;
      case NE, NOT_IN -> member;
    };
  }

  @Property(tries = 400)
  void noSearchHitOutsideTheRowFilterSurvives(
      @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 0, max = 6) Integer> topks,
      @ForAll @Size(max = 18) List<@From("cells") Cell> cellPool,
      @ForAll("filters") RowFilter filter,
      @ForAll boolean asColumn,
      @ForAll boolean maskTenant,
      @ForAll @IntRange(min = 0, max = 8) int cap) {
    int rows = topks.stream().mapToInt(Integer::intValue).sum();
    List<Cell> cells = cellsFor(cellPool, rows, asColumn);
    SearchResultData.Builder d = SearchResultData.newBuilder()
        .setNumQueries(topks.size())
        .setTopK(topks.stream().mapToInt(Integer::intValue).max().orElse(0))
        .addAllTopks(topks.stream().map(Integer::longValue).toList())
        .setIds(IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(range(rows))))
        .addAllScores(range(rows).stream().map(i -> (float) i).toList())
        .setPrimaryFieldName("id")
        .addFieldsData(ids("id", rows))
        .addFieldsData(asColumn ? column(cells) : meta(cells));
    List<FieldMask> masks = maskTenant ? List.of(new FieldMask("tenant", List.of(), MaskMethod.REDACT)) : List.of();
    Obligations o = new Obligations(masks, false, List.of(filter), new LimitCap(cap, LimitCap.CapMode.CLAMP), null, null);
    ResponseRewrite rw = adapter.rewriteResponse("Search", op(Action.SEARCH),
        SearchResults.newBuilder().setResults(d).build(), o);
    SearchResultData out = ((SearchResults) rw.response()).getResults();

    List<Long> expected = new ArrayList<>();
    long dropped = 0;
    long cut = 0;
    int start = 0;
    for (int q = 0; q < topks.size(); q++) {
      int keptInQuery = 0;
      for (int i = start; i < start + topks.get(q); i++) {
        if (violates(cells.get(i), filter)) {
          dropped++;
        } else if (keptInQuery < cap) {
          expected.add((long) i);
          keptInQuery++;
        } else {
          cut++;
        }
      }
      assertEquals(keptInQuery, out.getTopks(q), "topks[" + q + "]");
      start += topks.get(q);
    }
    assertEquals(expected, out.getIds().getIntId().getDataList(), "surviving hits");
    assertEquals(expected.stream().map(i -> (float) i.longValue()).toList(), out.getScoresList());
    assertEquals(expected, out.getFieldsData(0).getScalars().getLongData().getDataList(), "id column");
    assertEquals(expected.size(), RowSlicer.rows(out.getFieldsData(1)), "rows of the tenant column");
    assertEquals(dropped, rw.rowFilterDropped());
    assertEquals(cut, rw.rowsCut());
    assertEquals(expected.size(), rw.rows());
  }

  @Property(tries = 300)
  void noQueryRowOutsideTheRowFilterSurvives(
      @ForAll @Size(max = 14) List<@From("cells") Cell> cellPool,
      @ForAll("filters") RowFilter filter,
      @ForAll boolean asColumn,
      @ForAll @IntRange(min = 0, max = 15) int cap) {
    int rows = cellPool.size();
    List<Cell> cells = cellsFor(cellPool, rows, asColumn);
    QueryResults q = QueryResults.newBuilder().addFieldsData(ids("id", rows))
        .addFieldsData(asColumn ? column(cells) : meta(cells)).addOutputFields("id").addOutputFields("tenant").build();
    Obligations o = new Obligations(List.of(), false, List.of(filter), new LimitCap(cap, LimitCap.CapMode.CLAMP), null, null);
    ResponseRewrite rw = adapter.rewriteResponse("Query", op(Action.QUERY), q, o);
    QueryResults out = (QueryResults) rw.response();
    List<Long> passing = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      if (!violates(cells.get(i), filter)) {
        passing.add((long) i);
      }
    }
    List<Long> expected = passing.subList(0, Math.min(cap, passing.size()));
    assertEquals(expected, out.getFieldsData(0).getScalars().getLongData().getDataList());
    assertEquals(rows - passing.size(), rw.rowFilterDropped());
    assertEquals(passing.size() - expected.size(), rw.rowsCut());
    assertEquals(expected.size(), RowSlicer.rows(out.getFieldsData(1)));
  }

  @Test
  void aRowWithoutTheFieldIsNotJudgedAndAnUnreadableOneIsRefused() {
    RowFilter acme = new RowFilter("tenant", FilterOp.EQ, "acme");
    Obligations o = new Obligations(List.of(), false, List.of(acme), null, null, null);
    // no tenant column and no $meta: the client did not select the field, nothing is dropped
    QueryResults noField = QueryResults.newBuilder().addFieldsData(ids("id", 3)).build();
    ResponseRewrite rw = adapter.rewriteResponse("Query", op(Action.QUERY), noField, o);
    assertEquals(noField, rw.response());
    assertEquals(0, rw.rowFilterDropped());
    // a $meta row that is not JSON cannot be judged: the answer is refused, not passed on
    FieldData bad = FieldData.newBuilder().setFieldName("$meta").setIsDynamic(true).setType(DataType.JSON)
        .setScalars(ScalarField.newBuilder().setJsonData(JSONArray.newBuilder().addData(ByteString.copyFromUtf8("{")))).build();
    QueryResults unreadable = QueryResults.newBuilder().addFieldsData(ids("id", 1)).addFieldsData(bad).build();
    assertThrows(ResponseUnenforceableException.class,
        () -> adapter.rewriteResponse("Query", op(Action.QUERY), unreadable, o));
  }

  /** {@code rows} cells; a scalar column holds strings only (a number or array cell becomes a string). */
  private static List<Cell> cellsFor(List<Cell> pool, int rows, boolean asColumn) {
    List<Cell> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Cell c = pool.isEmpty() ? new Cell(null) : pool.get(i % pool.size());
      if (asColumn && c.carried() && !c.json().startsWith("\"")) {
        c = new Cell("\"" + TENANTS.get(i % TENANTS.size()) + "\"");
      }
      if (asColumn && "null".equals(c.json())) {
        c = new Cell(null);
      }
      out.add(c);
    }
    return out;
  }

  /** A nullable VarChar column in the compact layout (values only for the valid rows). */
  private static FieldData column(List<Cell> cells) {
    FieldData.Builder b = FieldData.newBuilder().setFieldName("tenant").setType(DataType.VarChar);
    StringArray.Builder s = StringArray.newBuilder();
    for (Cell c : cells) {
      b.addValidData(c.carried());
      if (c.carried()) {
        s.addData(c.json().substring(1, c.json().length() - 1));
      }
    }
    return b.setScalars(ScalarField.newBuilder().setStringData(s)).build();
  }

  private static FieldData meta(List<Cell> cells) {
    JSONArray.Builder j = JSONArray.newBuilder();
    for (Cell c : cells) {
      j.addData(ByteString.copyFromUtf8(c.json() == null ? "{\"t\": 1}" : "{\"t\": 1, \"tenant\": " + c.json() + "}"));
    }
    return FieldData.newBuilder().setFieldName("$meta").setIsDynamic(true).setType(DataType.JSON)
        .setScalars(ScalarField.newBuilder().setJsonData(j)).build();
  }

  private static FieldData ids(String name, int rows) {
    return FieldData.newBuilder().setFieldName(name).setType(DataType.Int64)
        .setScalars(ScalarField.newBuilder().setLongData(LongArray.newBuilder().addAllData(range(rows)))).build();
  }

  private static Operation op(Action action) {
    return Operation.builder(action).vectorsRequested(false).build();
  }

  private static List<Long> range(int n) {
    List<Long> out = new ArrayList<>(n);
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
