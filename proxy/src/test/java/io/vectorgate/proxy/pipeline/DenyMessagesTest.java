package io.vectorgate.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectorgate.model.Action;
import io.vectorgate.model.Connection;
import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refusal text, with the client's own step named where the request is one. */
class DenyMessagesTest {
  static final Decision DENY = Decision.deny("no_allow_rule", "no rule allows describe on collection notes for bob")
      .withIdentity("d-7", "r1");

  static PolicyInput input(DatabaseKind kind, Action action, String collection, ProtocolFacts protocol,
      Map<String, Object> attrs) {
    Operation op = Operation.builder(action).resource(new Resource(null, collection, List.of(), null))
        .protocol(protocol).attributes(attrs).build();
    return PolicyInput.of(new Identity("bob", null, List.of("analysts"), "acme", "iss", Map.of()),
        new Connection("c", kind), op, new RequestContext("t", 0, "127.0.0.1", "q-1", null));
  }

  @Test
  void aPlainDenyListsTheReasons() {
    assertEquals("denied by policy (decision d-7): no_allow_rule: no rule allows describe on collection notes for bob",
        DenyMessages.format(DENY));
    PolicyInput insert = input(DatabaseKind.MILVUS, Action.INSERT, "notes",
        ProtocolFacts.grpc("milvus.proto.milvus.MilvusService/Insert"), Map.of());
    assertEquals(DenyMessages.format(DENY), DenyMessages.format(insert, DENY));
  }

  @Test
  void aMilvusDescribeNamesTheStepTheClientsTakeBeforeInsertAndTheOthers() {
    PolicyInput describe = input(DatabaseKind.MILVUS, Action.DESCRIBE, "notes",
        ProtocolFacts.grpc("milvus.proto.milvus.MilvusService/DescribeCollection"), Map.of());
    assertEquals("denied by policy (decision d-7): describe of collection `notes` refused (pymilvus and the Milvus"
        + " Java SDK describe a collection on their own before insert, upsert, delete, query and search, so one of"
        + " those calls fails here): no_allow_rule: no rule allows describe on collection notes for bob",
        DenyMessages.format(describe, DENY));
    // other describes (statistics, load state) are the user's own calls
    PolicyInput stats = input(DatabaseKind.MILVUS, Action.DESCRIBE, "notes",
        ProtocolFacts.grpc("milvus.proto.milvus.MilvusService/GetCollectionStatistics"), Map.of());
    assertEquals(DenyMessages.format(DENY), DenyMessages.format(stats, DENY));
  }

  @Test
  void chromaGetsOfACollectionAndGetOrCreateOfAnExistingOneAreNamed() {
    PolicyInput get = input(DatabaseKind.CHROMA, Action.DESCRIBE, "notes",
        ProtocolFacts.http("GET", "/api/v2/tenants/t/databases/d/collections/notes"), Map.of());
    assertEquals("denied by policy (decision d-7): get of collection `notes` refused (chromadb gets a collection by"
        + " name, with get_collection, before add, get, query and delete on it): no_allow_rule: no rule allows"
        + " describe on collection notes for bob", DenyMessages.format(get, DENY));
    PolicyInput goc = input(DatabaseKind.CHROMA, Action.DESCRIBE, "notes",
        ProtocolFacts.http("POST", "/api/v2/tenants/t/databases/d/collections"),
        Map.of("get_or_create", true, "collection_exists", true));
    assertEquals("denied by policy (decision d-7): get_or_create_collection of the existing collection `notes`"
        + " refused (answered as a get of it, which needs describe): no_allow_rule: no rule allows describe on"
        + " collection notes for bob", DenyMessages.format(goc, DENY));
    // other describes of a collection are the user's own calls
    assertEquals(DenyMessages.format(DENY), DenyMessages.format(input(DatabaseKind.CHROMA, Action.DESCRIBE, "notes",
        ProtocolFacts.http("GET", "/api/v2/tenants/t/databases/d/collections/a7df534d-1983-41a1-9e0d-79c59d3eae86"
            + "/indexing_status"), Map.of()), DENY));
    assertEquals(DenyMessages.format(DENY), DenyMessages.format(input(DatabaseKind.CHROMA, Action.DESCRIBE, "notes",
        ProtocolFacts.http("GET", "/api/v2/collections/t:d:notes"), Map.of()), DENY));
    // a describe without a collection (heartbeat, tenant) and other databases keep the plain text
    assertEquals(DenyMessages.format(DENY), DenyMessages.format(input(DatabaseKind.CHROMA, Action.DESCRIBE, null,
        ProtocolFacts.http("GET", "/api/v2/tenants/t"), Map.of()), DENY));
    assertEquals(DenyMessages.format(DENY), DenyMessages.format(input(DatabaseKind.QDRANT, Action.DESCRIBE, "notes",
        ProtocolFacts.http("GET", "/collections/notes"), Map.of()), DENY));
  }
}
