/** The gateway's admin API: OIDC authentication of its callers, the policy rollout routes and Prometheus metrics. */
package io.vectorgate.proxy.admin;
