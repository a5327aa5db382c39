/** Gateway-side policy rollout: the {@code policy.source} config, the poller, the webhook and status endpoints. */
package io.vectorgate.proxy.rollout;
