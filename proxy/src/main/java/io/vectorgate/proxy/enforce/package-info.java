/** Enforcement helpers shared by every adapter: value masking and the failure that denies a request whose obligations cannot be honoured. */
package io.vectorgate.proxy.enforce;
