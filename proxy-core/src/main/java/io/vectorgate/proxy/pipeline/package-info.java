/** The protocol-agnostic request flow: identity and operation to policy input, decision, approval hook and outcome. */
package io.vectorgate.proxy.pipeline;
