package io.vectorgate.proxy.pipeline;

/** Transport facts of one request the pipeline needs: its id and the client's address. */
public record RequestMeta(String requestId, String clientAddress) {}
