/** The Milvus gRPC listener and upstream client: generic method table, credentials, per-request flow. */
package io.vectorgate.proxy.grpc;
