package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.plan.Val;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The plan engine's typed input conversion ({@link TypedInput}) gives exactly the value the
 * Jackson route gives ({@code Val.fromJson(valueToTree(input))}), number texts included, and the
 * guarded conversion ({@link TypedInput#checked}: the input limits counted in the same walk) refuses
 * exactly what {@link InputGuard#checkTree} refuses, with the same problem, and otherwise gives the same value, on the differential generator's inputs with free-form claims, attributes and filters
 * (nested maps and lists, nulls, floats, big decimals, JSON nodes, odd strings).
 */
class TypedInputProperties {

  @Property(tries = 400)
  void typedConversionEqualsTheJacksonRoute(@ForAll("inputs") PolicyInput in) {
    JsonNode tree = ContractJson.mapper().valueToTree(in);
    Val want = Val.fromJson(tree);
    Val got = TypedInput.of(in, 64);
    assertEquals(want, got);
    assertEquals(want.toString(), got.toString(), "number texts and structure");
    for (int maxBytes : new int[] {1 << 20, 600, 200}) {
      for (int maxDepth : new int[] {64, 4, 2}) {
        InputGuard.Problem tooDeep = InputGuard.checkTree(tree, Integer.MAX_VALUE, maxDepth);
        InputGuard.Problem want2 = InputGuard.checkTree(tree, maxBytes, maxDepth);
        InputGuard.Problem got2 = refusal(in, maxBytes, maxDepth);
        String where = "limits " + maxBytes + " bytes, depth " + maxDepth + ": " + tree;
        if (tooDeep == null) {
          assertEquals(want2, got2, where); // the size (and its message) exactly
        } else {
          // too deep and maybe too large too: which one is met first depends on the walk's order
          // (bean order here, sorted keys there); both refuse
          assertEquals(tooDeep, refusal(in, Integer.MAX_VALUE, maxDepth), where);
          assertNotNull(got2, where);
        }
      }
    }
  }

  /** The guarded conversion's problem, or null when it accepts (then its value is the unguarded one). */
  private static InputGuard.Problem refusal(PolicyInput in, int maxBytes, int maxDepth) {
    try {
      Val v = TypedInput.checked(in, maxBytes, maxDepth);
      assertEquals(TypedInput.of(in, 64).toString(), v.toString());
      return null;
    } catch (TypedInput.Refused e) {
      return e.problem;
    }
  }

  @Example
  void nestingDeeperThanTheLimitIsRefusedBeforeItIsWalkedFurther() {
    Object deep = "x";
    for (int i = 0; i < 5_000; i++) {
      deep = List.of(deep);
    }
    PolicyInput in = withClaims(Map.of("deep", deep));
    assertThrows(TypedInput.TooDeep.class, () -> TypedInput.of(in, 64));
    TypedInput.Refused r = assertThrows(TypedInput.Refused.class, () -> TypedInput.checked(in, 1 << 20, 64));
    assertEquals(new InputGuard.Problem(ReasonCodes.INPUT_INVALID, "input nests deeper than 64 levels"), r.problem);
  }

  private static PolicyInput withClaims(Map<String, Object> claims) {
    PolicyInput base = TestPolicies.input("alice", List.of("analysts"), "acme", io.vectorgate.model.Action.SEARCH, "docs");
    Identity i = base.identity();
    return new PolicyInput(base.contract(), new Identity(i.subject(), i.email(), i.groups(), i.tenant(), i.issuer(),
        claims), base.connection(), base.operation(), base.context());
  }

  @Provide
  Arbitrary<PolicyInput> inputs() {
    Arbitrary<Map<String, Object>> top = Arbitraries.maps(keys(), free().filter(v -> v != null)).ofMaxSize(4);
    return Combinators.combine(new PlanDifferentialProperties().inputs(), top, top, free().injectNull(0.3))
        .as((in, claims, attrs, filter) -> {
          Identity i = in.identity();
          Operation o = in.operation();
          return new PolicyInput(in.contract(), new Identity(i.subject(), i.email(), i.groups(), i.tenant(), i.issuer(),
              claims), in.connection(), new Operation(o.action(), o.resource(), filter, o.limit(), o.offset(),
                  o.outputFields(), o.vectorsRequested(), o.paging(), o.counts(), attrs, o.protocol()), in.context());
        });
  }

  private static Arbitrary<String> keys() {
    return Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6),
        Arbitraries.strings().all().ofMaxLength(6).filter(s -> s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF)));
  }

  /** Free-form values as adapters put them in claims, attributes and filters. */
  private static Arbitrary<Object> free() {
    return Arbitraries.recursive(TypedInputProperties::leaf, TypedInputProperties::container, 0, 4);
  }

  private static Arbitrary<Object> leaf() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().between(-1e9, 1e9).map(d -> (Object) d),
        Arbitraries.bigDecimals().between(new BigDecimal("-1e6"), new BigDecimal("1e6")).ofScale(3).map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.of("{\"a\": [1, 2.50, null]}", "3.0", "\"s\"").map(TypedInputProperties::node),
        Arbitraries.just((Object) null));
  }

  private static Object node(String json) {
    try {
      return ContractJson.mapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Arbitrary<Object> container(Arbitrary<Object> inner) {
    Arbitrary<Object> lists = inner.list().ofMaxSize(3).map(l -> (Object) new ArrayList<>(l));
    Arbitrary<Object> maps = Combinators.combine(keys().list().ofMaxSize(3), inner.list().ofSize(3)).as((ks, vs) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < ks.size(); i++) {
        m.put(ks.get(i), vs.get(i));
      }
      return (Object) m;
    });
    return Arbitraries.oneOf(lists, maps);
  }
}
