package io.vectorgate.harness.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.harness.GatewaySim;
import io.vectorgate.harness.PolicyHarness;
import io.vectorgate.model.Action;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Operation;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.RequestContext;
import io.vectorgate.model.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a Java service uses the extension: the sample policy directory compiled once for the class,
 * its traffic file asserted, and its own inputs decided (the path is relative to the module
 * directory surefire runs in).
 */
@VectorgatePolicy("../samples/harness/policy")
class VectorgatePolicyExtensionTest {
  static PolicyHarness first;

  @BeforeAll
  static void base(PolicyHarness harness) {
    first = harness;
  }

  @Test
  void assertsTheServicesTrafficFile(PolicyHarness policy) {
    assertSame(first, policy, "one harness per test class");
    policy.assertTraffic(GatewaySim.ROOT.resolve("samples/harness/policy/tests/smoke.traffic.yaml"));
  }

  @Test
  void decidesTheServicesOwnInputs(PolicyHarness policy) {
    Decision d = policy.decide(PolicyInput.of(GatewaySim.user("svc-orders", "analysts"), GatewaySim.MILVUS,
        Operation.builder(Action.SEARCH).resource(Resource.collection("default", "docs")).limit(1000L).build(),
        new RequestContext("2025-03-04T10:00:00Z", 1741082400000000000L, "10.0.0.1", "r1", null)));
    assertTrue(d.allow(), d.toString());
    assertEquals(100, d.obligations().limitCap().max());
    assertEquals(policy.revision(), d.revision());
  }

  @Test
  void failingTrafficBecomesAnAssertionErrorListingTheCases(PolicyHarness policy, @TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("svc.traffic.yaml");
    Files.writeString(f, """
        version: vectorgate-traffic-test/v1
        cases:
          - name: we think we may drop docs
            identity: {subject: svc, groups: [analysts]}
            connection: {name: milvus-main, kind: milvus}
            request: {rpc: DropCollection, message: {collectionName: docs}}
            expect: {allow: true}
        """);
    AssertionError e = assertThrows(AssertionError.class, () -> policy.assertTraffic(f));
    assertTrue(e.getMessage().contains("1 of 1 traffic case(s)") && e.getMessage().contains("we think we may drop docs")
        && e.getMessage().contains("svc.traffic.yaml:3:5") && e.getMessage().contains("destructive_denied"), e.getMessage());
    assertFalse(policy.runTrafficTests(f).get(0).passed());
  }
}
