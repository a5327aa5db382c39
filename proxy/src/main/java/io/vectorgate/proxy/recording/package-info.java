/** Wiring of the session log into the gateway: connections and sessions, request records, fail-closed checks, the sessions admin API and the approval audit. */
package io.vectorgate.proxy.recording;
