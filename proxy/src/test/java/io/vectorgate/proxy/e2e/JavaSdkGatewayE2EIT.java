package io.vectorgate.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import io.vectorgate.proxy.testing.GatewayFixture;
import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.OidcProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample scenario with the Milvus Java SDK (MilvusClientV2) as the unmodified client. */
class JavaSdkGatewayE2EIT {
  @TempDir
  static Path work;
  static GatewayFixture env;
  private static final List<Float> QUERY = List.of(4.0f, 1.0f, 0.5f, 0.25f);

  @BeforeAll
  static void start() throws Exception {
    env = GatewayFixture.start(work);
    // the admin loads the sample data through the gateway
    MilvusLite.runPython(work, "load_sample.py", "--uri", "http://" + env.address(), "--token", env.token("alice"));
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static MilvusClientV2 client(String token) {
    return new MilvusClientV2(ConnectConfig.builder().uri("http://" + env.address()).token(token).build());
  }

  private static MilvusClientV2 direct() {
    return new MilvusClientV2(ConnectConfig.builder().uri("http://" + env.milvus.address())
        .token(GatewayFixture.MILVUS_CREDENTIAL).build());
  }

  @Test
  void analystSearchIsScopedToTheTenantWithoutVectorsAndMatchesMilvusLite() {
    MilvusClientV2 bob = client(env.token("bob"));
    MilvusClientV2 lite = direct();
    try {
      SearchResp viaGateway = bob.search(SearchReq.builder().collectionName("docs")
          .data(List.of(new FloatVec(QUERY))).topK(10).outputFields(List.of("tenant_id", "title", "embedding")).build());
      List<SearchResp.SearchResult> hits = viaGateway.getSearchResults().get(0);
      Set<Object> tenants = new TreeSet<>();
      for (SearchResp.SearchResult h : hits) {
        tenants.add(h.getEntity().get("tenant_id"));
        assertFalse(h.getEntity().containsKey("embedding"), "vectors reached the analyst: " + h.getEntity());
      }
      assertEquals(Set.of("acme"), tenants);

      SearchResp straight = lite.search(SearchReq.builder().collectionName("docs").filter("tenant_id == \"acme\"")
          .data(List.of(new FloatVec(QUERY))).topK(10).outputFields(List.of("tenant_id", "title")).build());
      assertEquals(summary(straight.getSearchResults().get(0)), summary(hits));
    } finally {
      bob.close();
      lite.close();
    }
  }

  @Test
  void analystReadsMaskedCustomers() {
    MilvusClientV2 bob = client(env.token("bob"));
    try {
      QueryResp r = bob.query(QueryReq.builder().collectionName("customers").filter("id == 1")
          .outputFields(List.of("name", "email", "phone")).build());
      Map<String, Object> ada = r.getQueryResults().get(0).getEntity();
      assertEquals("Ada Lovelace", ada.get("name"));
      assertTrue(String.valueOf(ada.get("email")).startsWith("hmac:"), ada.toString());
      assertNotEquals("+44 20 7946 0001", ada.get("phone"));
    } finally {
      bob.close();
    }
  }

  @Test
  void destructiveAndBulkOperationsAreRefusedWithReasons() {
    MilvusClientV2 bob = client(env.token("bob"));
    MilvusClientV2 carol = client(env.token("carol"));
    try {
      RuntimeException drop = assertThrows(RuntimeException.class,
          () -> bob.dropCollection(DropCollectionReq.builder().collectionName("docs").build()));
      assertTrue(drop.getMessage().contains("denied by policy (decision "), drop.getMessage());
      assertTrue(drop.getMessage().contains("destructive_requires_break_glass"), drop.getMessage());

      RuntimeException bulk = assertThrows(RuntimeException.class,
          () -> carol.delete(DeleteReq.builder().collectionName("docs").filter("title like \"acme%\"").build()));
      assertTrue(bulk.getMessage().contains("approval_required"), bulk.getMessage());
    } finally {
      bob.close();
      carol.close();
    }
    MilvusClientV2 lite = direct();
    try {
      QueryResp count = lite.query(QueryReq.builder().collectionName("docs").filter("id >= 0")
          .outputFields(List.of("count(*)")).build());
      assertEquals(10L, ((Number) count.getQueryResults().get(0).getEntity().get("count(*)")).longValue());
    } finally {
      lite.close();
    }
  }

  @Test
  void badTokensAreUnauthenticated() {
    String expired = env.oidc.token("bob", List.of("analysts"), "acme", -600);
    String wrongAudience = env.oidc.token(OidcProvider.ISSUER_ID, "bob", List.of("another-service"),
        OidcProvider.claims("bob", List.of("analysts"), "acme"), 600);
    for (String[] c : new String[][] {{expired, "expired_token"}, {wrongAudience, "wrong_audience"},
        {"not-a-jwt", "malformed_token"}}) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> {
        MilvusClientV2 m = client(c[0]);
        try {
          m.listCollections();
        } finally {
          m.close();
        }
      });
      assertTrue(String.valueOf(e.getMessage()).contains(c[1]) || String.valueOf(e.getCause()).contains(c[1]),
          c[1] + " not in: " + e);
    }
  }

  private static List<String> summary(List<SearchResp.SearchResult> hits) {
    List<String> out = new ArrayList<>();
    for (SearchResp.SearchResult h : hits) {
      out.add(h.getId() + ":" + h.getScore() + ":" + new java.util.TreeMap<>(h.getEntity()));
    }
    return out;
  }
}
