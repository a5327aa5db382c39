/** The Pinecone data-plane adapter: routes and bodies to operations, pinned namespaces, {@code $and}-wrapped row filters, post-filtered and masked fetch/list/query responses. */
package io.vectorgate.proxy.adapter.pinecone;
