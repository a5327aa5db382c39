package io.vectorgate.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.model.ProtocolFacts;
import io.vectorgate.proxy.adapter.http.HttpReply;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.identity.AuthenticationException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A transport without a wire for the pipeline's tests: the credential, the client's state, the
 * {@code traceparent} it sent and the upstream are given; what the pipeline forwarded (and with
 * which {@code traceparent}) and how often it prepared and sent the answer are kept.
 */
class FakeWire implements Transport<HttpRequestView, HttpReply> {
  String token;
  String incoming;
  final List<String> sentTraceparents = new ArrayList<>();
  final Function<HttpRequestView, UpstreamResult<HttpReply>> upstream;
  final boolean cancelled;
  final List<HttpRequestView> forwarded = new ArrayList<>();
  HttpReply prepared;
  int prepares;
  int sends;

  FakeWire(String token, Function<HttpRequestView, UpstreamResult<HttpReply>> upstream, boolean cancelled) {
    this.token = token;
    this.upstream = upstream;
    this.cancelled = cancelled;
  }

  void assertAnsweredOnce() {
    assertEquals(1, prepares, "prepared once");
    assertEquals(1, sends, "sent once");
  }

  @Override
  public String credential() throws AuthenticationException {
    if (token == null) {
      throw new AuthenticationException(AuthenticationException.Code.MISSING_TOKEN, "no access token");
    }
    return token;
  }

  @Override
  public ApprovalGate.Hold hold() {
    return ApprovalGate.Hold.NONE;
  }

  @Override
  public boolean cancelled() {
    return cancelled;
  }

  @Override
  public void forward(HttpRequestView request, Consumer<UpstreamResult<HttpReply>> done) {
    forwarded.add(request);
    done.accept(upstream.apply(request));
  }

  @Override
  public void forward(HttpRequestView request, String traceparent, Consumer<UpstreamResult<HttpReply>> done) {
    if (traceparent != null) {
      sentTraceparents.add(traceparent);
    }
    forward(request, done);
  }

  @Override
  public String traceparent() {
    return incoming;
  }

  /** The client sent {@code traceparent} (null: none). */
  FakeWire incoming(String traceparent) {
    this.incoming = traceparent;
    return this;
  }

  @Override
  public void prepare(RequestLog log, HttpReply response) {
    prepares++;
    prepared = response;
  }

  @Override
  public void send() {
    sends++;
  }

  @Override
  public String transport() {
    return "http";
  }

  @Override
  public String connectionId() {
    return null;
  }

  @Override
  public String clientAddress() {
    return "127.0.0.1";
  }

  @Override
  public ProtocolFacts protocolFacts() {
    return ProtocolFacts.http("POST", "/");
  }

  @Override
  public JsonNode requestPayload() {
    return null;
  }

  @Override
  public JsonNode responsePayload() {
    return null;
  }

  @Override
  public String logFields() {
    return "test=1";
  }

  @Override
  public String status() {
    return "-";
  }
}
