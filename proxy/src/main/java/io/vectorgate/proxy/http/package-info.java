/** The HTTP listener (HTTP/1.1, h2c, HTTP/2 over TLS): strict request normalization, identity, the per-database HTTP adapters, and the pooled upstream client. */
package io.vectorgate.proxy.http;
