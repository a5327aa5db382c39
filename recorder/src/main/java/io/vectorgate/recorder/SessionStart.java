package io.vectorgate.recorder;

import io.vectorgate.model.Identity;
import java.time.Instant;

/** Opens a session: one identity on one client connection. */
public record SessionStart(Instant time, Identity identity, ClientInfo client) {
  public SessionStart {
    time = time == null ? Instant.now() : time;
  }
}
