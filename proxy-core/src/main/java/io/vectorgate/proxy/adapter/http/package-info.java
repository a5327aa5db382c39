/**
 * The contract between the HTTP listener and the pure per-database HTTP adapters (Chroma, Qdrant,
 * Pinecone), and {@link io.vectorgate.proxy.adapter.http.RouteFields}, the closed world of one
 * request body schema (fields modelled / refused) that each adapter keeps in one table.
 */
package io.vectorgate.proxy.adapter.http;
