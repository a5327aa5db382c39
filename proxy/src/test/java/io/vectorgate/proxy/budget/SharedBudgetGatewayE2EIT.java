package io.vectorgate.proxy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.vector.request.QueryReq;
import io.vectorgate.proxy.Gateway;
import io.vectorgate.proxy.approval.ApprovalGatewayEnv;
import io.vectorgate.proxy.testing.PostgresFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real gateway instances (in process) on one PostgreSQL with {@code budgets: {store:
 * postgres, flush_units: 1}}, the shipped Rego library deciding, Milvus Lite behind them and the
 * Milvus Java SDK as client: carol's budget of 10 requests per minute (ml-engineers) holds across
 * both — whichever instance her calls reach, at most 10 are admitted and both instances then deny
 * with {@code budget_requests_exceeded}.
 */
class SharedBudgetGatewayE2EIT {
  @TempDir
  static Path work;
  static PostgresFixture pg;
  static ApprovalGatewayEnv env;

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresFixture.start();
    env = new ApprovalGatewayEnv(work, 300, org -> ((ObjectNode) org.get("roles").get("ml-engineers").get("budget"))
        .put("requests_per_minute", 10));
  }

  @AfterAll
  static void stop() throws Exception {
    if (env != null) {
      env.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void anIdentitysRequestBudgetHoldsAcrossTwoInstances() throws Exception {
    String budgets = "budgets: {store: postgres, postgres: {url: \"" + pg.freshDatabase("vg_gw_budget")
        + "\"}, flush_units: 1}\n";
    Gateway a = env.startGateway("ba", "sqlite: " + work.resolve("ba.db"), "hold", budgets);
    Gateway b = env.startGateway("bb", "sqlite: " + work.resolve("bb.db"), "hold", budgets);
    assertTrue(env.client(a, "alice", "load").get("ok").asBoolean());
    List<MilvusClientV2> carol = List.of(client(a), client(b));
    int admitted = 0;
    boolean[] deniedOn = new boolean[2];
    for (int i = 0; i < 24; i++) {
      int at = i % 2;
      try {
        carol.get(at).query(QueryReq.builder().collectionName("docs").filter("id >= 0").outputFields(List.of("id"))
            .build());
        admitted++;
      } catch (RuntimeException e) {
        assertTrue(String.valueOf(e.getMessage()).contains("budget_requests_exceeded"), e.toString());
        deniedOn[at] = true;
      }
    }
    // the SDK's own connect calls count too, so fewer than 10 queries get through; never more
    assertTrue(admitted > 0 && admitted <= 10, "admitted " + admitted);
    assertTrue(deniedOn[0] && deniedOn[1], "both instances deny once the shared budget is used");
    carol.forEach(MilvusClientV2::close);
    // alice (another identity) is unaffected
    assertEquals(true, env.client(b, "alice", "ids", "--collection", "docs").get("ok").asBoolean());
  }

  private static MilvusClientV2 client(Gateway g) {
    return new MilvusClientV2(ConnectConfig.builder().uri("http://" + ApprovalGatewayEnv.address(g))
        .token(env.token("carol")).build());
  }
}
