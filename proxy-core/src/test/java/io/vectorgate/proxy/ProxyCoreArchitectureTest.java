package io.vectorgate.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * proxy-core holds the pipeline, the adapters, enforce and the claim mapping with no transport:
 * no Netty, no gRPC runtime (grpc-java's {@code io.grpc}), not even through the Milvus SDK's client
 * or its generated service stubs. The Milvus proto's message classes ({@code io.milvus.grpc}
 * messages) are data and allowed. The rules run on this module's compiled classes.
 */
class ProxyCoreArchitectureTest {
  static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.vectorgate.proxy");
  }

  @Test
  void theImportSeesTheCore() {
    // a rule over an empty import would pass whatever the code does
    for (String c : new String[] {"io.vectorgate.proxy.pipeline.RequestPipeline",
        "io.vectorgate.proxy.adapter.AdapterRegistry", "io.vectorgate.proxy.adapter.milvus.MilvusAdapter",
        "io.vectorgate.proxy.adapter.chroma.ChromaAdapter", "io.vectorgate.proxy.enforce.ValueMasker",
        "io.vectorgate.proxy.identity.IdentityMapper"}) {
      assertTrue(core.contain(c), c);
    }
    assertTrue(core.size() > 100, "classes imported: " + core.size());
  }

  @Test
  void noNettyOrGrpcTransportTypes() {
    ArchRule rule = noClasses().should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.grpc..")
        .because("proxy-core is transport-free: listeners and upstream clients live in the proxy module");
    rule.check(core);
  }

  @Test
  void noMilvusClientOrServiceStubs() {
    // MilvusServiceGrpc and its nested stubs; the SDK's clients
    noClasses().should().dependOnClassesThat().haveNameMatching("io\\.milvus\\.grpc\\.[A-Za-z]*Grpc(\\$.*)?")
        .because("only the Milvus proto's messages are data; its service stubs are transport").check(core);
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.milvus.v2..", "io.milvus.client..")
        .because("the Milvus SDK's clients are transport").check(core);
  }

  @Test
  void noGatewayWiringOrListenerPackages() {
    ArchRule rule = noClasses().should().dependOnClassesThat().resideInAnyPackage("io.vectorgate.proxy.grpc..",
        "io.vectorgate.proxy.http..", "io.vectorgate.proxy.config..", "io.vectorgate.proxy.recording..",
        "io.vectorgate.proxy.admin..", "io.vectorgate.proxy.dashboard..", "io.vectorgate.proxy.budget..",
        "io.vectorgate.proxy.health..", "io.vectorgate.proxy.approval..", "io.vectorgate.proxy.rollout..")
        .because("the proxy module wires the core, never the other way round");
    rule.check(core);
  }
}
