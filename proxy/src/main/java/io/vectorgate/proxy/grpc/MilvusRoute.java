package io.vectorgate.proxy.grpc;

/**
 * Where a Milvus listener's request goes: the upstream client of its connection and the protocol
 * layer bound to that upstream (schema cache, pre-reads). One request uses one route throughout.
 */
public record MilvusRoute(MilvusProtocol protocol, UpstreamMilvus upstream) {}
