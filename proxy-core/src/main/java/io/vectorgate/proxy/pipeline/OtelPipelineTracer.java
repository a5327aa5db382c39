package io.vectorgate.proxy.pipeline;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Operation;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@link PipelineTracer} over the OpenTelemetry API: the SDK (sampler, exporter) is whatever the
 * gateway built {@code otel} with. The incoming {@code traceparent} is parsed with the API's W3C
 * propagator and only its parsed span context is used (a malformed value is dropped, the request
 * is not refused); {@code tracestate} and baggage are not read. The upstream gets a traceparent
 * composed by the propagator from the gateway's own upstream span, never the client's string.
 *
 * <p>Attributes are ids and codes (listener, database kind, action, collection, outcome, reason
 * code, decision id, policy revision, request id): a trace backend is usually readable by more
 * people than the decision log, so the token, the claims, the payload and filter values (which
 * can hold tenant ids or personal data) are never attached.
 */
public final class OtelPipelineTracer implements PipelineTracer {
  /** The instrumentation scope name. */
  public static final String SCOPE = "io.vectorgate.proxy";
  public static final AttributeKey<String> LISTENER = AttributeKey.stringKey("vectorgate.listener");
  public static final AttributeKey<String> DATABASE_KIND = AttributeKey.stringKey("vectorgate.database.kind");
  public static final AttributeKey<String> CONNECTION = AttributeKey.stringKey("vectorgate.connection");
  public static final AttributeKey<String> ACTION = AttributeKey.stringKey("vectorgate.action");
  public static final AttributeKey<String> COLLECTION = AttributeKey.stringKey("vectorgate.collection");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("vectorgate.outcome");
  public static final AttributeKey<String> REASON_CODE = AttributeKey.stringKey("vectorgate.reason_code");
  public static final AttributeKey<String> DECISION_ID = AttributeKey.stringKey("vectorgate.decision_id");
  public static final AttributeKey<String> REVISION = AttributeKey.stringKey("vectorgate.policy_revision");
  public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("vectorgate.request_id");
  public static final AttributeKey<String> UPSTREAM_STATUS = AttributeKey.stringKey("vectorgate.upstream_status");

  private static final TextMapGetter<String> ONE_VALUE = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of("traceparent");
    }

    @Override
    public String get(String carrier, String key) {
      return "traceparent".equals(key) ? carrier : null;
    }
  };

  private final Tracer tracer;

  public OtelPipelineTracer(OpenTelemetry otel) {
    this.tracer = otel.getTracer(SCOPE);
  }

  /**
   * The parent context named by a client's {@code traceparent}: root when absent or malformed
   * (the W3C propagator returns the context unchanged for a value it cannot parse).
   */
  static Context parent(String traceparent) {
    if (traceparent == null || traceparent.isEmpty()) {
      return Context.root();
    }
    Context c = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent.trim(), ONE_VALUE);
    return Span.fromContext(c).getSpanContext().isValid() ? c : Context.root();
  }

  @Override
  public RequestSpan start(RequestLog log, String incomingTraceparent) {
    Span server = tracer.spanBuilder("vectorgate.request").setSpanKind(SpanKind.SERVER)
        .setParent(parent(incomingTraceparent))
        .setStartTimestamp(log.received().getEpochSecond() * 1_000_000_000L + log.received().getNano(),
            TimeUnit.NANOSECONDS)
        .setAttribute(LISTENER, log.listener())
        .setAttribute(REQUEST_ID, log.requestId())
        .startSpan();
    if (log.connection() != null) {
      server.setAttribute(DATABASE_KIND, log.connection().kind().name().toLowerCase(Locale.ROOT));
      server.setAttribute(CONNECTION, log.connection().name());
    }
    return new OtelRequestSpan(tracer, server);
  }

  private record OtelRequestSpan(Tracer tracer, Span server) implements RequestSpan {
    @Override
    public Stage stage(String name) {
      Span s = tracer.spanBuilder(name).setParent(Context.root().with(server))
          .setSpanKind("upstream".equals(name) ? SpanKind.CLIENT : SpanKind.INTERNAL).startSpan();
      return new OtelStage(s);
    }

    @Override
    public void end(RequestLog log) {
      Operation op = log.operation();
      if (op != null) {
        server.setAttribute(ACTION, op.action().wireName());
        server.updateName("vectorgate " + op.action().wireName());
        if (op.resource().collection() != null) {
          server.setAttribute(COLLECTION, op.resource().collection());
        }
      }
      Decision d = log.decision();
      if (d != null) {
        if (d.decisionId() != null) {
          server.setAttribute(DECISION_ID, d.decisionId());
        }
        if (d.revision() != null) {
          server.setAttribute(REVISION, d.revision());
        }
      }
      RequestOutcome outcome = log.outcome();
      if (outcome != null) {
        server.setAttribute(OUTCOME, outcome.name().toLowerCase(Locale.ROOT));
      }
      String code = log.code() != null ? log.code()
          : d != null && !d.reasonCodes().isEmpty() ? d.reasonCodes().get(0) : null;
      if (code != null) {
        server.setAttribute(REASON_CODE, code);
      }
      if (log.upstreamStatus() != null) {
        server.setAttribute(UPSTREAM_STATUS, log.upstreamStatus());
      }
      if (outcome != null && failed(outcome)) {
        server.setStatus(StatusCode.ERROR, code == null ? outcome.name() : code);
      }
      server.end();
    }

    /** The gateway or the upstream failed; a refusal or denial is the gateway working. */
    private static boolean failed(RequestOutcome o) {
      return switch (o) {
        case GATEWAY_ERROR, UPSTREAM_UNAVAILABLE, RESPONSE_UNENFORCEABLE, RECORDING_UNAVAILABLE, IDENTITY_UNAVAILABLE -> true;
        default -> false;
      };
    }
  }

  private record OtelStage(Span span) implements RequestSpan.Stage {
    @Override
    public void attribute(String key, String value) {
      if (value != null) {
        span.setAttribute(key, value);
      }
    }

    @Override
    public String traceparent() {
      String[] out = new String[1];
      W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), out, (c, k, v) -> {
        if ("traceparent".equals(k)) {
          c[0] = v;
        }
      });
      return out[0];
    }

    @Override
    public void fail(String error) {
      span.setStatus(StatusCode.ERROR, error == null ? "" : error);
      span.end();
    }

    @Override
    public void end() {
      span.end();
    }
  }
}
