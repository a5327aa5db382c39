package io.vectorgate.proxy.grpc;

import com.google.protobuf.Message;
import io.vectorgate.proxy.adapter.DatabaseAdapter;
import io.vectorgate.proxy.adapter.milvus.MilvusCall;

/**
 * Where a Milvus listener's request goes: the upstream client of its connection and the adapter
 * bound to that upstream (schema cache, pre-reads). One request uses one route throughout.
 */
public record MilvusRoute(DatabaseAdapter<MilvusCall, Message> adapter, UpstreamMilvus upstream) {}
