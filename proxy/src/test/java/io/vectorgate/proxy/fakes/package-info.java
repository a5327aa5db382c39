/**
 * Loopback stand-ins for upstream servers that cannot run on this machine (Qdrant, Pinecone):
 * small HTTP servers answering each route with responses written from the APIs' specs, over an
 * in-memory data set, recording every request that reaches them.
 */
package io.vectorgate.proxy.fakes;
