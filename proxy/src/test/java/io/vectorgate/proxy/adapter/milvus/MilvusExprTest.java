package io.vectorgate.proxy.adapter.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MilvusExprTest {

  @Test
  void lexicalErrorsNameTheColumn() {
    for (String bad : List.of("a == \"x", "a == 'x", "(a == 1", "a == 1)", "a == 1) or (1 == 1", "[1, 2)",
        "a == \"x\ny\"", "a == \"x\\", "a # b", "0x", "{x")) {
      MilvusExpr.LexException e = assertThrows(MilvusExpr.LexException.class, () -> MilvusExpr.of(bad), bad);
      assertTrue(e.getMessage().contains("column"), e.getMessage());
    }
  }

  @Test
  void quotesAndEscapesFollowMilvus() {
    assertEquals(List.of("a", "(", "\")"), strings("x in [\"a\", '(', \"\\\")\"]"));
    assertEquals(List.of("b\\\"c"), strings("x == r\"b\\\"c\""), "raw strings keep the backslash but do not end at \\\"");
    assertEquals(List.of("u8"), strings("x == u8\"u8\""));
    MilvusExpr.of("json[\"a)\"] == 1 and $meta[\"k\"] == 'v'"); // brackets inside strings do not count
  }

  private static List<Object> strings(String text) {
    return MilvusExpr.lex(text).stream().filter(t -> t.kind() == MilvusExpr.Kind.STRING).map(MilvusExpr.Token::value).toList();
  }

  @Test
  void primaryKeyLists() {
    assertEquals(Optional.of(3), MilvusExpr.of("id in [1,2,3]").primaryKeyCount("id", Map.of()));
    assertEquals(Optional.of(2), MilvusExpr.of("pk in ['a','b']").primaryKeyCount("pk", Map.of()));
    assertEquals(Optional.of(1), MilvusExpr.of("pk == \"a\"").primaryKeyCount("pk", Map.of()));
    assertEquals(Optional.of(2), MilvusExpr.of("id in {ids}").primaryKeyCount("id", Map.of("ids", List.of(1L, 2L))));
    assertEquals(Optional.empty(), MilvusExpr.of("id in [1,2] or x > 1").primaryKeyCount("id", Map.of()));
    assertEquals(Optional.empty(), MilvusExpr.of("id in [1, y]").primaryKeyCount("id", Map.of()));
    assertEquals(Optional.empty(), MilvusExpr.of("other in [1]").primaryKeyCount("id", Map.of()));
    assertEquals(Optional.empty(), MilvusExpr.of("id > 1").primaryKeyCount("id", Map.of()));
  }

  @Test
  void constantTruth() {
    for (String t : List.of("", "true", "TRUE", "True", "1 < 2", "0x10 == 16", "1.5 >= 1.5", "not (1 == 2)",
        "!false", "(x == 1) || true", "'a' != 'b'", "-1 < 0", "1 not in [2, 3]", "{b} and true")) {
      assertTrue(MilvusExpr.of(t).isConstantTrue(Map.of("b", true)), t);
    }
    for (String f : List.of("false", "x == 1", "id >= 0", "x == 1 and true", "exists x", "json_contains(a, 1)",
        "array_length(a) == 0", "{b}", "x is null", "a like \"%\"", "TEXT_MATCH(t, 'x')")) {
      assertFalse(MilvusExpr.of(f).isConstantTrue(Map.of("b", false)), f);
    }
  }

  @Test
  void numberLiteralsInEveryBaseAndMalformedOnes() {
    for (String t : List.of("017 == 15", "0b101 == 5", "0X1f == 31", "1e3 == 1000", ".5 == 0.5", "2. == 2",
        "0 == 0", "1.5e-1 == 0.15")) {
      assertTrue(MilvusExpr.of(t).isConstantTrue(Map.of()), t);
    }
    for (String bad : List.of("08 == 8", "1e == 1", "0b2 == 2", "1.2.3 == 1")) {
      assertThrows(MilvusExpr.LexException.class, () -> MilvusExpr.of(bad), bad);
    }
  }

  @Test
  void unusualButValidSyntaxStaysUnparsedRatherThanFailing() {
    MilvusExpr e = MilvusExpr.of("ts > ISO '2025-01-01T00:00:00Z' + INTERVAL 'P1D'");
    assertFalse(e.isConstantTrue(Map.of()));
    assertEquals(Set.of("a", "b"), MilvusExpr.of("x == {a} or y in {b}").templateNames());
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      deep.append("not (");
    }
    deep.append("true");
    deep.append(")".repeat(200));
    assertTrue(MilvusExpr.of(deep.toString()).root().isPresent() || !MilvusExpr.of(deep.toString()).isConstantTrue(Map.of()));
    assertThrows(MilvusExpr.LexException.class, () -> MilvusExpr.of("(".repeat(300) + ")".repeat(300)));
  }
}
