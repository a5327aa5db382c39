package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.grpc.QueryRequest;
import io.vectorgate.proxy.adapter.AdapterException;
import io.vectorgate.proxy.adapter.FilterFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Generated filters whose field references are known by construction: the adapter reports
 * exactly those (no more, no fewer), sorted and de-duplicated; any text at all is either refused
 * as malformed or reported without losing a field name that appears as an identifier.
 */
class MilvusFilterFieldsProperties {
  private final MilvusAdapter adapter = MilvusFixtures.adapter();

  /** A filter text and the references it makes. */
  record Gen(String text, List<FilterFields.Ref> refs) {}

  @Provide
  Arbitrary<Gen> filters() {
    Arbitrary<String> name = Arbitraries.strings().withCharRange('a', 'z').withChars('_').ofMinLength(1).ofMaxLength(6)
        .filter(n -> !List.of("and", "or", "not", "in", "like", "is", "null", "exists", "iso", "interval", "true", "false",
            "u", "r", "u8", "L", "R", "U").contains(n));
    Arbitrary<String> key = Arbitraries.strings().all().ofMaxLength(6)
        .filter(k -> k.chars().noneMatch(c -> c == '\n' || c == '\r'));
    Arbitrary<Gen> ref = Combinators.combine(name, key.list().ofMaxSize(3), Arbitraries.of(0, 1, 2))
        .as((n, keys, form) -> {
          StringBuilder t = new StringBuilder(form == 2 ? "$meta" : n);
          List<String> all = new ArrayList<>();
          if (form == 2) {
            all.add(n);
          }
          all.addAll(keys);
          for (String k : all) {
            t.append("[\"").append(k.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
          }
          return new Gen(t.toString(), List.of(new FilterFields.Ref(n, keys)));
        });
    Arbitrary<String> literal = Arbitraries.oneOf(
        Arbitraries.integers().between(-99, 99).map(String::valueOf),
        Arbitraries.strings().all().ofMaxLength(8).filter(s -> s.chars().noneMatch(c -> c == '\n' || c == '\r'))
            .map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
        Arbitraries.of("{tpl}", "true", "[1, 2]"));
    Arbitrary<Gen> cmp = Combinators.combine(ref, Arbitraries.of("==", "!=", "<", ">=", "like", "in", "not in"), literal,
        Arbitraries.of(0, 1)).as((r, op, lit, fn) -> fn == 1
            ? new Gen("json_contains(" + r.text() + ", " + lit + ")", r.refs())
            : new Gen(r.text() + " " + op + " " + lit, r.refs()));
    return Arbitraries.recursive(() -> cmp,
        inner -> Combinators.combine(inner, Arbitraries.of(" and ", " OR ", " && ", " || "), inner)
            .as((a, op, b) -> {
              List<FilterFields.Ref> refs = new ArrayList<>(a.refs());
              refs.addAll(b.refs());
              return new Gen("(" + a.text() + ")" + op + "not (" + b.text() + ")", refs);
            }),
        0, 5);
  }

  @Property(tries = 400)
  void reportsExactlyTheReferencedFields(@ForAll("filters") Gen g) {
    Object got = adapter.decode("Query", QueryRequest.newBuilder().setCollectionName("docs").setExpr(g.text()).build(), null)
        .attributes().get("filter_fields");
    List<Map<String, Object>> want = new ArrayList<>();
    for (FilterFields.Ref r : new TreeSet<>(g.refs())) {
      want.add(Map.of("field", r.field(), "path", r.path()));
    }
    assertEquals(want, got, g.text());
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars("ab$[]\"'(){}, =<>!\\ume0").ofMaxLength(40),
        Arbitraries.strings().withChars("email$meta[\"]()").ofMaxLength(60));
  }

  /** Any text: refused as malformed, or every identifier outside literals and templates reported. */
  @Property(tries = 1000)
  void hostileTextIsRefusedOrFullyReported(@ForAll("hostile") String text) {
    QueryRequest q = QueryRequest.newBuilder().setCollectionName("docs").setExpr(text).build();
    Object got;
    try {
      got = adapter.decode("Query", q, null).attributes().get("filter_fields");
    } catch (AdapterException e) {
      assertEquals("malformed_request", e.code());
      return;
    }
    List<MilvusExpr.Token> tokens = MilvusExpr.lex(text);
    TreeSet<String> reported = new TreeSet<>();
    if (got != null) {
      for (Object o : (List<?>) got) {
        reported.add((String) ((Map<?, ?>) o).get("field"));
      }
    }
    for (int i = 0; i + 1 < tokens.size(); i++) { // the last token is END
      MilvusExpr.Token t = tokens.get(i);
      boolean call = tokens.get(i + 1).kind() == MilvusExpr.Kind.LPAREN;
      boolean template = i > 0 && tokens.get(i - 1).kind() == MilvusExpr.Kind.LBRACE
          && tokens.get(i + 1).kind() == MilvusExpr.Kind.RBRACE;
      if (t.kind() == MilvusExpr.Kind.IDENT && !call && !template && !t.text().equals("$meta")
          && !List.of("and", "AND", "or", "OR", "not", "NOT", "in", "IN", "like", "LIKE", "is", "IS", "null", "NULL",
              "exists", "EXISTS", "iso", "ISO", "interval", "INTERVAL").contains(t.text())) {
        assertTrue(reported.contains(t.text()), "`" + t.text() + "` not reported for " + text + ": " + got);
      }
    }
  }
}
