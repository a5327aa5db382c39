package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.plan.Val;
import io.vectorgate.model.Decision;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The plan engine's direct result mapping ({@link PlanDecisions}) gives the decision the Jackson
 * route gives ({@code PolicyEngine.decisionOfText}: the value's JSON text read as the Wasm engine
 * reads its result), whenever it answers; on decision-shaped values
 * with every field optionally missing, mistyped, null, a float, an unknown enum name or an extra
 * key, it answers only for the plain shape and leaves the rest to Jackson.
 */
class PlanDecisionsProperties {
  private static final JsonNodeFactory F = JsonNodeFactory.withExactBigDecimals(true);

  @Property(tries = 2000, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
  void directMappingAgreesWithJackson(@ForAll("decisions") JsonNode json) {
    Val v = Val.fromJson(json);
    Decision direct = PlanDecisions.of(v);
    Statistics.label("direct").collect(direct != null);
    if (direct != null) {
      assertEquals(PolicyEngine.decisionOfText(v), direct, json.toString());
    }
    Statistics.label("direct").coverage(c -> c.check(true).percentage(p -> p > 10));
  }

  @Example
  void theShippedLibrarysDecisionShapeIsMappedDirectly() throws Exception {
    JsonNode d = ContractJson.mapper().readTree("""
        {"allow": true, "reasons": [{"code": "role_grant", "message": "analyst may read docs"}],
         "obligations": {"mask": [{"field": "email", "path": [], "method": "hash"}], "strip_vectors": false,
           "row_filter": [{"field": "tenant_id", "op": "eq", "value": "acme"}, {"field": "n", "op": "in", "value": [1, 5000000000]}],
           "limit_cap": {"max": 100, "mode": "clamp"},
           "approval": {"reason": "r", "approver_groups": ["admins"], "min_approvals": 2, "expires_in_seconds": 60},
           "audit": {"labels": {"k": "v"}, "record_payloads": true, "record_vectors": false}}}""");
    Decision direct = PlanDecisions.of(Val.fromJson(d));
    assertNotNull(direct);
    assertEquals(PolicyEngine.decisionOf(d), direct, "as the Wasm engine reads the same JSON text");
    assertNull(PlanDecisions.of(Val.fromJson(ContractJson.mapper().readTree("{\"allow\": true, \"extra\": 1}"))),
        "an unknown key is left to Jackson");
  }

  @Example
  @SuppressWarnings("unchecked")
  void theSameValueInstanceAgainGivesTheSameDecisionAndAnotherValueItsOwn() throws Exception {
    Val allow = Val.fromJson(ContractJson.mapper().readTree("""
        {"allow": true, "obligations": {"row_filter": [{"field": "n", "op": "in", "value": [1, 2]}]}}"""));
    Val deny = Val.fromJson(ContractJson.mapper().readTree("""
        {"allow": false, "reasons": [{"code": "x", "message": "m"}]}"""));
    Val other = Val.fromJson(ContractJson.mapper().readTree("{\"allow\": true, \"extra\": 1}"));
    Decision first = PlanDecisions.of(allow);
    assertSame(first, PlanDecisions.of(allow), "the memo's result instance again: the mapping is reused");
    assertEquals(false, PlanDecisions.of(deny).allow());
    assertNull(PlanDecisions.of(other));
    assertNull(PlanDecisions.of(other), "not the plain shape, also when asked again");
    Decision again = PlanDecisions.of(allow);
    assertEquals(first, again);
    assertThrows(UnsupportedOperationException.class,
        () -> ((List<Object>) again.obligations().rowFilter().get(0).value()).add(3), "a shared Decision is read-only");
  }

  @Provide
  Arbitrary<JsonNode> decisions() {
    Arbitrary<JsonNode> reasons = obj(List.of(key("code", str()), key("message", rare(str(), odd()))), 0.02)
        .list().ofMaxSize(3).map(PlanDecisionsProperties::array);
    Arbitrary<JsonNode> masks = obj(List.of(key("field", str()), key("path", str().list().ofMaxSize(2)
        .map(PlanDecisionsProperties::array)), key("method", rare(texts("redact", "hash", "partial", "drop"),
            Arbitraries.oneOf(texts("bogus"), odd())))), 0.02).list().ofMaxSize(2).map(PlanDecisionsProperties::array);
    Arbitrary<JsonNode> scalar = Arbitraries.oneOf(str(), small(), Arbitraries.of(true, false).map(F::booleanNode));
    Arbitrary<JsonNode> value = rare(Arbitraries.oneOf(scalar, scalar.list().ofMaxSize(3)
        .map(PlanDecisionsProperties::array)), Arbitraries.oneOf(odd(), big(), Arbitraries.just(F.objectNode().put("a", 1)),
            Arbitraries.just(array(List.of(array(List.of(F.numberNode(1))))))));
    Arbitrary<JsonNode> rows = obj(List.of(key("field", str()), key("op", rare(texts("eq", "ne", "in", "not_in"),
        texts("like"))), key("value", value)), 0.02).list().ofMaxSize(2).map(PlanDecisionsProperties::array);
    Arbitrary<JsonNode> count = rare(small(), Arbitraries.oneOf(odd(), big()));
    Arbitrary<JsonNode> cap = obj(List.of(key("max", count), key("mode", rare(texts("clamp", "deny"),
        Arbitraries.oneOf(texts("bogus"), odd())))), 0.02);
    Arbitrary<JsonNode> approval = obj(List.of(key("reason", str()), key("approver_groups", str().list().ofMaxSize(2)
        .map(PlanDecisionsProperties::array)), key("min_approvals", rare(Arbitraries.integers().between(0, 10).map(i -> (JsonNode) F.numberNode(i)),
            Arbitraries.oneOf(odd(), big(), small()))), key("expires_in_seconds", count)), 0.02);
    Arbitrary<JsonNode> audit = obj(List.of(key("labels", rare(Arbitraries.of(F.objectNode(),
        F.objectNode().put("k", "v")), Arbitraries.just(F.objectNode().put("k", 5)))),
        key("record_payloads", bools()), key("record_vectors", bools())), 0.02);
    Arbitrary<JsonNode> obligations = obj(List.of(key("mask", masks), key("strip_vectors", bools()),
        key("row_filter", rows), key("limit_cap", cap), key("approval", approval), key("audit", audit)), 0.02);
    return obj(List.of(key("allow", bools()), key("reasons", reasons), key("obligations", obligations)), 0.02);
  }

  private static Arbitrary<JsonNode> texts(String... values) {
    return Arbitraries.of(values).map(F::textNode);
  }

  /** Mostly {@code valid}, now and then {@code invalid}. */
  private static Arbitrary<JsonNode> rare(Arbitrary<? extends JsonNode> valid, Arbitrary<? extends JsonNode> invalid) {
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(15, valid), net.jqwik.api.Tuple.of(1, invalid));
  }

  /** Integers as the contract uses them, int-sized and long-sized. */
  private static Arbitrary<JsonNode> small() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, 10).map(i -> (JsonNode) F.numberNode(i)),
        Arbitraries.longs().between(3_000_000_000L, Long.MAX_VALUE).map(l -> (JsonNode) F.numberNode(l)));
  }

  /** Integers the contract's fields cannot take: negative, beyond long. */
  private static Arbitrary<JsonNode> big() {
    return Arbitraries.oneOf(Arbitraries.integers().between(-3, -1).map(i -> (JsonNode) F.numberNode(i)),
        Arbitraries.just((JsonNode) F.numberNode(new BigInteger("123456789012345678901234567890"))));
  }

  private record Key(String name, Arbitrary<JsonNode> value) {}

  private static Key key(String name, Arbitrary<JsonNode> value) {
    return new Key(name, value);
  }

  /** An object with each key present (mostly) or missing, and sometimes an unknown key. */
  private static Arbitrary<JsonNode> obj(List<Key> keys, double extra) {
    Arbitrary<ObjectNode> out = Arbitraries.just(0).map(x -> F.objectNode());
    for (Key k : keys) {
      out = Combinators.combine(out, k.value().injectNull(0.03)).as((o, v) -> {
        ObjectNode c = o.deepCopy();
        if (v != null) {
          c.set(k.name(), v);
        }
        return c;
      });
    }
    int percent = (int) Math.round(extra * 100);
    return Combinators.combine(out, Arbitraries.frequency(net.jqwik.api.Tuple.of(100 - percent, false),
        net.jqwik.api.Tuple.of(percent, true))).as((o, addExtra) -> {
      if (addExtra) {
        o.put("extra", 1);
      }
      return (JsonNode) o;
    });
  }

  private static JsonNode array(List<JsonNode> items) {
    ArrayNode a = F.arrayNode();
    items.forEach(a::add);
    return a;
  }

  private static Arbitrary<JsonNode> str() {
    return Arbitraries.strings().alpha().ofMaxLength(5).map(F::textNode);
  }

  private static Arbitrary<JsonNode> bools() {
    return rare(Arbitraries.of(true, false).map(F::booleanNode), odd());
  }

  /** Values of the wrong kind: null, floats (1.0 too), strings of numbers, objects. */
  private static Arbitrary<JsonNode> odd() {
    return Arbitraries.of(F.nullNode(), F.numberNode(new BigDecimal("1.0")), F.numberNode(new BigDecimal("2.5")),
        F.textNode("5"), F.textNode("true"), F.objectNode(), F.arrayNode());
  }
}
