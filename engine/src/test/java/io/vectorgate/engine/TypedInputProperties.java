package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
    check(in);
  }

  /**
   * Records whose contents cannot change are converted once and reused while the same instance
   * comes again (the gateway's cached identity): with claims and attributes made of immutable
   * collections, every limit gives what the walk gives, also on the second round (all reused) and
   * with the limits in another order (a reused record near or past a limit).
   */
  @Property(tries = 200)
  void aRecordConvertedAgainGivesWhatTheWalkGives(@ForAll("inputs") PolicyInput mutable) {
    Identity i = mutable.identity();
    Operation o = mutable.operation();
    @SuppressWarnings("unchecked")
    PolicyInput in = new PolicyInput(mutable.contract(), new Identity(i.subject(), i.email(), i.groups(), i.tenant(),
        i.issuer(), (Map<String, Object>) immutable(i.claims())), mutable.connection(), new Operation(o.action(),
            o.resource(), immutable(o.filter()), o.limit(), o.offset(), o.outputFields(), o.vectorsRequested(),
            o.paging(), o.counts(), (Map<String, Object>) immutable(o.attributes()), o.protocol()), mutable.context());
    check(in);
    check(in);
    for (int maxBytes : new int[] {200, 1 << 20, 100, 600}) {
      for (int maxDepth : new int[] {2, 64, 3}) {
        JsonNode tree = ContractJson.mapper().valueToTree(in);
        if (InputGuard.checkTree(tree, Integer.MAX_VALUE, maxDepth) == null) {
          assertEquals(InputGuard.checkTree(tree, maxBytes, maxDepth), refusal(in, maxBytes, maxDepth));
        } else {
          assertNotNull(refusal(in, maxBytes, maxDepth));
        }
      }
    }
  }

  /** {@code v} with lists and maps replaced by List.copyOf / Map.copyOf where they hold no null. */
  private static Object immutable(Object v) {
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(e -> out.add(immutable(e)));
      return out.contains(null) ? out : List.copyOf(out);
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, e) -> out.put(k, immutable(e)));
      return out.containsValue(null) ? out : Map.copyOf(out);
    }
    return v;
  }

  @Example
  void aRecordHoldingAMutableCollectionIsConvertedAgainEachTime() {
    List<Object> roles = new ArrayList<>(List.of("reader"));
    PolicyInput in = withClaims(Map.of("roles", roles));
    Val first = TypedInput.checked(in, 1 << 20, 64);
    roles.add("admin");
    Val second = TypedInput.checked(in, 1 << 20, 64);
    assertEquals(Val.fromJson(ContractJson.mapper().valueToTree(in)), second, "the added role is seen");
    assertNotEquals(first, second);
    PolicyInput fixed = withClaims(Map.of("roles", List.of("reader")));
    Val once = TypedInput.checked(fixed, 1 << 20, 64);
    assertSame(((Val.Obj) once).get("identity"), ((Val.Obj) TypedInput.checked(fixed, 1 << 20, 64)).get("identity"),
        "an identity of immutable parts is converted once while the same instance comes again");
  }

  private static void check(PolicyInput in) {
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
