/** The Milvus gRPC adapter (proto 2.6): decodes MilvusService requests, injects row filters and limits, and masks search and query results. */
package io.vectorgate.proxy.adapter.milvus;
