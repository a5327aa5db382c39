/** The Milvus gRPC listener (framing only: method table, metadata, credentials, in-band refusals) and the upstream client. */
package io.vectorgate.proxy.grpc;
