/** Chroma's HTTP API v2 as pure code: routes to operations, row filters into {@code where}, limit caps, masking and vector stripping of every response shape, and the collection id to name map. */
package io.vectorgate.proxy.adapter.chroma;
