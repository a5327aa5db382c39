/** The contract between the HTTP listener and the pure per-database HTTP adapters (Chroma, Qdrant, Pinecone). */
package io.vectorgate.proxy.adapter.http;
