/** Liveness and readiness endpoints for load balancers and Kubernetes, and the readiness flip of a graceful drain. */
package io.vectorgate.proxy.health;
