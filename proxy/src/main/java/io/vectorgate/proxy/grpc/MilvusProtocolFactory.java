package io.vectorgate.proxy.grpc;

/** Builds the protocol layer for one upstream (its schema lookups go to that upstream). */
@FunctionalInterface
public interface MilvusProtocolFactory {
  MilvusProtocol create(UpstreamMilvus upstream, byte[] maskKey, io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig connection);
}
