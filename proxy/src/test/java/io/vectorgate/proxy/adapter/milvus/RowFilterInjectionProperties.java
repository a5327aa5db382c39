package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RowFilterInjectionProperties {
  private final MilvusAdapter adapter = MilvusFixtures.adapter();
  private final MilvusAdapter literal = MilvusFixtures.adapter(RowFilterBinding.LITERAL);

  private static Obligations tenant(Object value) {
    return new Obligations(List.of(), false, List.of(new RowFilter("tenant", FilterOp.EQ, value)), null, null, null);
  }

  @Provide
  Arbitrary<String> originals() {
    Arbitrary<String> field = Arbitraries.of("tenant", "year", "title", "meta[\"k\"]", "$meta[\"x\"]");
    Arbitrary<String> value = Arbitraries.oneOf(
        Arbitraries.integers().between(-1000, 1000).map(String::valueOf),
        Arbitraries.strings().withChars("ab )(\"'\\or1=").ofMaxLength(8).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    Arbitrary<String> cmp = Combinators.combine(field, Arbitraries.of("==", "!=", "<", ">=", "like"), value)
        .as((f, o, v) -> f + " " + o + " " + v);
    return Arbitraries.recursive(() -> cmp,
        inner -> Combinators.combine(inner, Arbitraries.of(" and ", " or ", " && ", " || "), inner)
            .as((a, op, b) -> Math.abs(a.hashCode() % 2) == 0 ? "(" + a + ")" + op + b : a + op + "not (" + b + ")"),
        0, 4);
  }

  @Property(tries = 300)
  void rewrittenFilterIsOriginalAndRowFilter(@ForAll("originals") String original, @ForAll String tenantValue) {
    SearchRequest r = SearchRequest.newBuilder().setCollectionName("docs").setDsl(original).build();
    adapter.decode("Search", r, null); // accepted
    SearchRequest out = (SearchRequest) adapter.applyRequestObligations("Search", r, tenant(tenantValue));
    assertEquals("(" + original + ") and (tenant == {vg_rf_0})", out.getDsl());
    assertEquals(tenantValue, out.getExprTemplateValuesOrThrow("vg_rf_0").getStringVal(), "the value travels as data, exactly");
    assertTopLevelConjunction(out.getDsl(), original);
  }

  /** Any text at all: either refused as malformed, or wrapped so it cannot escape its parentheses. */
  @Property(tries = 1000)
  void hostileOriginalsCannotChangeTheStructure(@ForAll("hostile") String original) {
    QueryRequest r = QueryRequest.newBuilder().setCollectionName("docs").setExpr(original).build();
    try {
      adapter.decode("Query", r, null);
    } catch (AdapterException e) {
      assertEquals("malformed_request", e.code());
      assertEquals("expr", e.field());
      return;
    }
    QueryRequest out = (QueryRequest) adapter.applyRequestObligations("Query", r, tenant("acme"));
    if (original.isBlank()) {
      assertEquals("tenant == {vg_rf_0}", out.getExpr());
    } else {
      assertTopLevelConjunction(out.getExpr(), original);
    }
  }

  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<String> pieces = Arbitraries.of(
        ")", "(", " or ", "1 == 1", "\"", "'", "\\", "\\\"", "tenant == \"a\"", "]", "[", "{", "}", "{vg_rf_0}",
        " and ", "r\"", "u8'", "\n", "x", " ", "#", "not ", "true", "--", "/*", "*/");
    return pieces.list().ofMaxSize(12).map(l -> String.join("", l));
  }

  /** In the literal mode, any printable string round-trips through the Milvus lexer unchanged. */
  @Property(tries = 500)
  void literalStringsLexBackToTheSameValue(@ForAll String value) {
    String clean = value.codePoints().filter(c -> !Character.isISOControl(c) || c == '\n' || c == '\t' || c == '\r')
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    String lit = RowFilterBinder.literal(clean);
    List<MilvusExpr.Token> tokens = MilvusExpr.lex(lit);
    assertEquals(2, tokens.size(), lit);
    assertEquals(MilvusExpr.Kind.STRING, tokens.get(0).kind());
    assertEquals(clean, tokens.get(0).value());

    QueryRequest r = QueryRequest.newBuilder().setCollectionName("docs").setExpr("title == \"x\"").build();
    QueryRequest out = (QueryRequest) literal.applyRequestObligations("Query", r, tenant(clean));
    assertTopLevelConjunction(out.getExpr(), "title == \"x\"");
  }

  /**
   * Checks {@code text} lexes as {@code ( <original tokens> ) and ( ... )} where the first
   * parenthesis closes exactly after the original: nothing in the original can close it early.
   */
  static void assertTopLevelConjunction(String text, String original) {
    List<MilvusExpr.Token> tokens = MilvusExpr.lex(text);
    assertEquals(MilvusExpr.Kind.LPAREN, tokens.get(0).kind());
    int depth = 0;
    int close = -1;
    for (int i = 0; i < tokens.size(); i++) {
      MilvusExpr.Kind k = tokens.get(i).kind();
      if (k == MilvusExpr.Kind.LPAREN || k == MilvusExpr.Kind.LBRACKET || k == MilvusExpr.Kind.LBRACE) {
        depth++;
      } else if (k == MilvusExpr.Kind.RPAREN || k == MilvusExpr.Kind.RBRACKET || k == MilvusExpr.Kind.RBRACE) {
        depth--;
        if (depth == 0) {
          close = i;
          break;
        }
      }
    }
    assertTrue(close > 0, text);
    assertEquals(original.length() + 1, tokens.get(close).pos(), "the wrapping parenthesis closes right after the original: " + text);
    assertEquals("and", tokens.get(close + 1).text());
    assertEquals(MilvusExpr.Kind.LPAREN, tokens.get(close + 2).kind());
    assertEquals(MilvusExpr.Kind.RPAREN, tokens.get(tokens.size() - 2).kind());
  }
}
