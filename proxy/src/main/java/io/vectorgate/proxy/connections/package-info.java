/**
 * Upstream connections that change while the gateway runs: the shared store of connections
 * written through the admin API, the effective view (YAML overlaid by the store) every instance
 * polls and applies, and the per-listener live route that requests take their upstream from.
 */
package io.vectorgate.proxy.connections;
