package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One item of the recorder's queue, as the API hands it to the writer thread, and the future its
 * caller holds ({@code null} for controls, which complete their own future).
 */
record Queued(Queued.Item item, CompletableFuture<Ack> ack, boolean callerWaits) {

  /** An item whose caller may wait for its acknowledgement (its fsync is not grouped with later ones). */
  Queued(Queued.Item item, CompletableFuture<Ack> ack) {
    this(item, ack, true);
  }

  /** What the writer thread is asked to do. */
  sealed interface Item permits Request, Start, End, Approval, Control {}

  /** A request entry. */
  record Request(RecordDraft draft) implements Item {}

  /** A {@code session_start} entry. */
  record Start(String sessionId, SessionStart start) implements Item {}

  /** A {@code session_end} entry. */
  record End(String sessionId, Instant time, String reason) implements Item {}

  /** An {@code approval} entry; {@code fields} were checked against the reserved members. */
  record Approval(Instant time, String sessionId, ObjectNode fields) implements Item {}

  enum ControlKind { ROTATE, RETENTION, FLUSH, SHUTDOWN }

  /** Not an entry: an operation on the writer (in queue order). */
  record Control(ControlKind kind, CompletableFuture<Object> done) implements Item {}
}
