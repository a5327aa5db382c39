package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import java.time.Instant;

/**
 * One request as the gateway hands it to {@link Recorder#append(RecordDraft)}. The recorder
 * assigns seq, id and hashes, and serializes on its writer thread: the JSON trees
 * ({@code request}, {@code response}) become the recorder's and must not be changed afterwards.
 * {@code response} must already be what the client received (after masking).
 */
public record RecordDraft(
    Instant time,
    String sessionId,
    String requestId,
    Identity identity,
    ClientInfo client,
    Connection connection,
    Operation operation,
    JsonNode request,
    Decision decision,
    Enforcement enforcement,
    Upstream upstream,
    JsonNode response) {

  public RecordDraft {
    time = time == null ? Instant.now() : time;
    if (operation == null) {
      throw new IllegalArgumentException("record draft: operation is required");
    }
    if (decision == null) {
      throw new IllegalArgumentException("record draft: decision is required");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Field-by-field builder for the gateway. */
  public static final class Builder {
    private Instant time;
    private String sessionId;
    private String requestId;
    private Identity identity;
    private ClientInfo client;
    private Connection connection;
    private Operation operation;
    private JsonNode request;
    private Decision decision;
    private Enforcement enforcement;
    private Upstream upstream;
    private JsonNode response;

    public Builder time(Instant v) { this.time = v; return this; }
    public Builder sessionId(String v) { this.sessionId = v; return this; }
    public Builder requestId(String v) { this.requestId = v; return this; }
    public Builder identity(Identity v) { this.identity = v; return this; }
    public Builder client(ClientInfo v) { this.client = v; return this; }
    public Builder connection(Connection v) { this.connection = v; return this; }
    public Builder operation(Operation v) { this.operation = v; return this; }
    public Builder request(JsonNode v) { this.request = v; return this; }
    public Builder decision(Decision v) { this.decision = v; return this; }
    public Builder enforcement(Enforcement v) { this.enforcement = v; return this; }
    public Builder upstream(Upstream v) { this.upstream = v; return this; }
    public Builder response(JsonNode v) { this.response = v; return this; }

    public RecordDraft build() {
      return new RecordDraft(time, sessionId, requestId, identity, client, connection, operation,
          request, decision, enforcement, upstream, response);
    }
  }
}
