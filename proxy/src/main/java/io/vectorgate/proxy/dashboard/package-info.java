/**
 * The browser dashboard on the gateway's admin server: OIDC login (authorization code + PKCE),
 * server-side sessions, CSRF-protected forms, and server-rendered pages for the overview (inline
 * SVG charts), approvals, recorded sessions (with a replay on the active policy) and policy rollout.
 * Every page and action is authorized by group on the server; every value from a user or the
 * database is escaped by {@link io.vectorgate.proxy.dashboard.Html}.
 */
package io.vectorgate.proxy.dashboard;
