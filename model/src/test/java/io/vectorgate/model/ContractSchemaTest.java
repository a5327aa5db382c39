package io.vectorgate.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The records serialize to JSON the contract schemas accept, and the schemas reject bad shapes. */
class ContractSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static PolicyInput fullInput() {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("written_values", Map.of("tenant_id", List.of("acme"), "n", List.of(1, 2)));
    attributes.put("written_values_truncated", false);
    attributes.put("new_name", "docs_v2");
    Operation op = Operation.builder(Action.SEARCH)
        .resource(new Resource("default", "docs", List.of("p1"), "acme"))
        .filter("lang == \"en\"")
        .limit(10L)
        .offset(0L)
        .outputFields(List.of("title"))
        .vectorsRequested(true)
        .paging(true)
        .counts(new Counts(0, 0, 1))
        .attributes(attributes)
        .protocol(ProtocolFacts.grpc("milvus.proto.milvus.MilvusService/Search"))
        .build();
    return PolicyInput.of(
        new Identity("alice", "alice@example.com", List.of("analysts"), "acme", "https://idp", Map.of("org", "o1")),
        new Connection("milvus-main", DatabaseKind.MILVUS),
        op,
        new RequestContext("2026-11-24T10:15:00Z", 1795515300000000000L, "10.0.0.1", "r1", new Usage(1, 2, 3, 4)));
  }

  static Decision fullDecision() {
    Obligations o = new Obligations(
        List.of(new FieldMask("email", List.of(), MaskMethod.HASH), new FieldMask("profile", List.of("contact", "email"), null)),
        true,
        List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme"), new RowFilter("level", FilterOp.IN, List.of(1, 2))),
        new LimitCap(100, LimitCap.CapMode.CLAMP),
        new ApprovalRequirement("bulk delete", List.of("db-admins"), 2, 600),
        new AuditHints(Map.of("data_class", "pii"), false, false));
    return new Decision(true, List.of(new Reason("role_grant", "role analysts allows search")), o, "d-1", "rev-7");
  }

  @Test
  void fullInputIsSchemaValid() {
    JsonNode json = JSON.valueToTree(fullInput());
    assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.INPUT, json));
    assertEquals("vectorgate/v1", json.get("contract").asText());
    assertEquals("search", json.at("/operation/action").asText());
  }

  @Test
  void minimalInputIsSchemaValid() {
    PolicyInput in = PolicyInput.of(
        new Identity("svc", null, null, null, null, null),
        new Connection("chroma-kb", DatabaseKind.CHROMA),
        Operation.builder(Action.LIST).protocol(ProtocolFacts.http("GET", "/api/v2/collections")).build(),
        new RequestContext(null, 0, null, null, null));
    assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.INPUT, JSON.valueToTree(in)));
  }

  @Test
  void everyActionAndKindSerializesToTheSchemaEnum() {
    for (Action a : Action.values()) {
      for (DatabaseKind k : DatabaseKind.values()) {
        PolicyInput in = PolicyInput.of(new Identity("s", null, List.of(), null, null, null), new Connection("c", k),
            Operation.builder(a).build(), new RequestContext(null, 0, null, null, null));
        assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.INPUT, JSON.valueToTree(in)), a + "/" + k);
      }
    }
  }

  @Test
  void fullDecisionIsSchemaValid() {
    JsonNode json = JSON.valueToTree(fullDecision());
    assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.DECISION, json));
    assertFalse(json.at("/obligations/mask/0").has("path"), "an empty path is omitted");
  }

  @Test
  void failClosedDenyIsSchemaValid() {
    JsonNode json = JSON.valueToTree(Decision.deny("engine_error", "the policy engine failed"));
    assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.DECISION, json));
  }

  @Test
  void everyMaskMethodAndFilterOpIsSchemaValid() {
    for (MaskMethod m : MaskMethod.values()) {
      for (FilterOp op : FilterOp.values()) {
        Object value = op == FilterOp.IN || op == FilterOp.NOT_IN ? List.of("a") : "a";
        Obligations o = new Obligations(List.of(new FieldMask("f", null, m)), false,
            List.of(new RowFilter("t", op, value)), new LimitCap(0, LimitCap.CapMode.DENY), null, null);
        JsonNode json = JSON.valueToTree(new Decision(true, List.of(new Reason("c", "m")), o, null, null));
        assertEquals(Set.of(), ContractSchemas.errors(ContractSchemas.DECISION, json), m + "/" + op);
      }
    }
  }

  @Test
  void inputSchemaRejectsUnknownFieldsWrongContractAndBadValues() {
    ObjectNode good = JSON.valueToTree(fullInput());
    assertRejected(ContractSchemas.INPUT, with(good, "/operation", "sneaky", "x"), "sneaky");
    assertRejected(ContractSchemas.INPUT, with(good, "", "contract", "vectorgate/v0"), "contract");
    assertRejected(ContractSchemas.INPUT, with(good, "/operation", "action", "drop_database"), "action");
    assertRejected(ContractSchemas.INPUT, with(good, "/operation", "limit", -1), "limit");
    assertRejected(ContractSchemas.INPUT, with(good, "/connection", "kind", "weaviate"), "kind");
    assertRejected(ContractSchemas.INPUT, with(good, "/context/usage", "rows_last_hour", "lots"), "rows_last_hour");
    assertRejected(ContractSchemas.INPUT, with(good, "/context", "time", "yesterday"), "time");
    ObjectNode noIdentity = good.deepCopy();
    noIdentity.remove("identity");
    assertRejected(ContractSchemas.INPUT, noIdentity, "identity");
  }

  @Test
  void inputSchemaCapsWrittenValuesAt64PerField() {
    ObjectNode good = JSON.valueToTree(fullInput());
    ObjectNode tooMany = good.deepCopy();
    var arr = ((ObjectNode) tooMany.at("/operation/attributes/written_values")).putArray("tenant_id");
    for (int i = 0; i < 65; i++) {
      arr.add("t" + i);
    }
    assertRejected(ContractSchemas.INPUT, tooMany, "written_values");
  }

  @Test
  void decisionSchemaRejectsBadShapes() {
    ObjectNode good = JSON.valueToTree(fullDecision());
    assertRejected(ContractSchemas.DECISION, with(good, "/obligations", "limit_cap", JSON.createObjectNode().put("max", -3).put("mode", "clamp")), "max");
    assertRejected(ContractSchemas.DECISION, with(good, "/obligations/row_filter/0", "op", "like"), "op");
    assertRejected(ContractSchemas.DECISION, with(good, "/obligations/row_filter/1", "value", "not-a-list"), "value");
    assertRejected(ContractSchemas.DECISION, with(good, "/obligations/mask/0", "method", "rot13"), "method");
    assertRejected(ContractSchemas.DECISION, with(good, "/reasons/0", "code", "Bad Code"), "code");
    assertRejected(ContractSchemas.DECISION, with(good, "", "reasons", JSON.createArrayNode()), "reasons");
    // a deny must not carry obligations
    assertRejected(ContractSchemas.DECISION, with(good, "", "allow", false), "obligations");
  }

  private static ObjectNode with(ObjectNode root, String at, String field, Object value) {
    ObjectNode copy = root.deepCopy();
    ObjectNode target = at.isEmpty() ? copy : (ObjectNode) copy.at(at);
    target.set(field, JSON.valueToTree(value));
    return copy;
  }

  private static void assertRejected(com.networknt.schema.JsonSchema schema, JsonNode json, String mentions) {
    Set<String> errors = ContractSchemas.errors(schema, json);
    assertFalse(errors.isEmpty(), "expected a schema error mentioning " + mentions);
    assertTrue(errors.stream().anyMatch(e -> e.contains(mentions)), "errors should mention `" + mentions + "`: " + errors);
  }
}
