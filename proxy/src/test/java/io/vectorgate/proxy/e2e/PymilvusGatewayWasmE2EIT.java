package io.vectorgate.proxy.e2e;

import io.vectorgate.engine.EngineConfig;

/**
 * {@link PymilvusGatewayE2EIT} with {@code policy.engine: wasm} in the gateway config: the Wasm
 * engine stays tested end to end (unmodified pymilvus, Milvus Lite, a real OIDC provider) now that
 * the plan engine is the default.
 */
class PymilvusGatewayWasmE2EIT extends PymilvusGatewayE2EIT {
  @Override
  String configuredEngine() {
    return "wasm";
  }

  @Override
  EngineConfig.Engine expectedEngine() {
    return EngineConfig.Engine.WASM;
  }
}
