package io.vectorgate.recorder;

import java.util.concurrent.CompletableFuture;

/** A started session: its id (put it in every {@link RecordDraft} of the session) and the start entry's ack. */
public record SessionTicket(String sessionId, CompletableFuture<Ack> ack) {}
