package io.vectorgate.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever values adapters put into the records, the JSON they produce follows the schemas. */
class ContractSchemaProperties {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Property(tries = 300)
  void anyOperationSerializesToSchemaValidInput(@ForAll("operations") Operation op, @ForAll("identities") Identity id) {
    PolicyInput in = PolicyInput.of(id, new Connection("qdrant-prod", DatabaseKind.QDRANT), op,
        new RequestContext("2026-11-24T10:15:00Z", 1L, "::1", "r", new Usage(0, 5, 0, 1)));
    assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.INPUT, JSON.valueToTree(in)));
  }

  @Property(tries = 300)
  void anyAllowDecisionSerializesToSchemaValidDecision(@ForAll("obligations") Obligations o, @ForAll("codes") String code) {
    Decision d = new Decision(true, List.of(new Reason(code, null)), o, null, null);
    assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.DECISION, JSON.valueToTree(d)));
  }

  @Provide
  Arbitrary<String> codes() {
    return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12)
        .flatMap(head -> Arbitraries.strings().withChars("abc_019").ofMaxLength(8).map(tail -> head + tail));
  }

  @Provide
  Arbitrary<Identity> identities() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(20);
    return Combinators.combine(text.filter(s -> !s.isEmpty()), text.list().ofMaxSize(4), text.injectNull(0.5))
        .as((subject, groups, tenant) -> new Identity(subject, null, groups, tenant, null, Map.of("k", subject)));
  }

  @Provide
  Arbitrary<Operation> operations() {
    Arbitrary<Action> action = Arbitraries.of(Action.class);
    Arbitrary<Object> filter = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s),
        Arbitraries.strings().ofMaxLength(10).map(s -> (Object) Map.of("$eq", s)),
        Arbitraries.just(null));
    Arbitrary<Long> limit = Arbitraries.longs().between(0, 1_000_000).injectNull(0.3);
    Arbitrary<List<Object>> written = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.of(true, false).map(b -> (Object) b)).list().ofMaxSize(64);
    return Combinators.combine(action, filter, limit, Arbitraries.of(true, false), written,
            Arbitraries.longs().between(0, 10_000))
        .as((a, f, l, v, w, ids) -> Operation.builder(a)
            .resource(Resource.collection("db", "c"))
            .filter(f)
            .limit(l)
            .vectorsRequested(v)
            .counts(new Counts(ids, 0, 1))
            .attributes(Map.of("written_values", Map.of("tenant_id", w), "written_values_truncated", w.size() == 64))
            .protocol(ProtocolFacts.http("POST", "/x"))
            .build());
  }

  @Provide
  Arbitrary<Obligations> obligations() {
    Arbitrary<FieldMask> mask = Combinators.combine(
            Arbitraries.strings().ofMinLength(1).ofMaxLength(10),
            Arbitraries.strings().ofMinLength(1).ofMaxLength(5).list().ofMaxSize(3),
            Arbitraries.of(MaskMethod.class))
        .as(FieldMask::new);
    Arbitrary<RowFilter> filter = Arbitraries.of(FilterOp.class).flatMap(op ->
        (op == FilterOp.IN || op == FilterOp.NOT_IN
            ? Arbitraries.strings().ofMaxLength(5).list().ofMaxSize(4).map(l -> (Object) l)
            : Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(5).map(s -> (Object) s),
                Arbitraries.longs().map(n -> (Object) n)))
            .map(v -> new RowFilter("tenant_id", op, v)));
    Arbitrary<LimitCap> cap = Combinators.combine(Arbitraries.longs().between(0, 100_000), Arbitraries.of(LimitCap.CapMode.class))
        .as(LimitCap::new).injectNull(0.4);
    Arbitrary<ApprovalRequirement> approval = Combinators.combine(
            Arbitraries.strings().ofMaxLength(20), Arbitraries.strings().ofMinLength(1).ofMaxLength(8).list().ofMaxSize(3),
            Arbitraries.integers().between(-2, 5), Arbitraries.longs().between(-5, 100_000))
        .as(ApprovalRequirement::new).injectNull(0.5);
    return Combinators.combine(mask.list().ofMaxSize(4), Arbitraries.of(true, false), filter.list().ofMaxSize(3), cap, approval)
        .as((m, s, f, c, a) -> new Obligations(m, s, f, c, a, new AuditHints(Map.of("a", "b"), s, false)));
  }
}
