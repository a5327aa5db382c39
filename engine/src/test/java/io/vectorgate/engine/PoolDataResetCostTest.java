package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.styra.opa.wasm.OpaPolicy;
import com.styra.opa.wasm.OpaPolicyPool;
import io.vectorgate.engine.builtins.HostBuiltins;
import io.vectorgate.model.Action;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * opa-java-wasm's {@code OpaPolicyPool} resets data and the entrypoint on every return, so each
 * borrow re-parses the data in the guest; the engine's pool keeps data loaded. Both must give the
 * same results; the timings are logged (docs/engine.md quotes them), never asserted.
 */
class PoolDataResetCostTest {
  private static final Logger LOG = LoggerFactory.getLogger(PoolDataResetCostTest.class);

  @Test
  void bothPoolsAgreeAndTheCostOfTheDataResetIsMeasured() throws Exception {
    PolicyBundle acme = TestPolicies.bundle("acme");
    ObjectNode data = (ObjectNode) ContractJson.mapper().readTree(acme.dataJson());
    ObjectNode filler = data.putObject("filler");
    for (int i = 0; i < 4000; i++) {
      filler.putObject("entry" + i).put("name", "collection_" + i).put("owner", "team" + (i % 17)).put("size", i);
    }
    String dataJson = ContractJson.mapper().writeValueAsString(data);
    PolicyBundle big = PolicyBundle.of(acme.wasm(), dataJson, "big");
    String input = ContractJson.mapper().writeValueAsString(
        TestPolicies.input("alice", List.of("analysts"), "red", Action.SEARCH, "docs_red"));
    int n = 100;

    try (PolicyEngine engine = PolicyEngine.start(TestPolicies.config().engine(EngineConfig.Engine.WASM).poolSize(1).build(), big);
         OpaPolicyPool sdkPool = OpaPolicyPool.create(
             () -> HostBuiltins.configure(OpaPolicy.builder().withPolicy(acme.wasm())).build(), 1)) {
      int entrypoint = WasmProbe.of(acme.wasm(), 10, 1024).entrypoints().get("vectorgate/decision");
      JsonNode ours = null;
      JsonNode theirs = null;
      for (int round = 0; round < 2; round++) { // round 0 warms up
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          ours = engine.evaluate(input).result();
        }
        long oursNs = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          try (OpaPolicyPool.Loan loan = sdkPool.borrow()) {
            OpaPolicy p = loan.policy();
            p.data(dataJson);
            p.entrypoint(entrypoint);
            theirs = ContractJson.mapper().readTree(p.evaluate(input)).get(0).get("result");
          }
        }
        long theirsNs = System.nanoTime() - t0;
        if (round == 1) {
          LOG.info("pool cost data_bytes={} evaluations={} engine_pool_us_per_eval={} sdk_pool_with_data_reset_us_per_eval={}",
              dataJson.length(), n, oursNs / n / 1000, theirsNs / n / 1000);
        }
      }
      assertTrue(ours.get("allow").asBoolean());
      assertEquals(theirs, ours);
    }
  }
}
