package io.vectorgate.proxy.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.vectorgate.proxy.connections.LiveRoute;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one request at a time on an HTTP/1.x connection or an HTTP/2 stream, with explicit
 * backpressure: auto-read is off; the handler asks for the next chunk only while it is reading a
 * request whose body is under the size limit, and for the next request only after the previous
 * response has been written. Pipelined HTTP/1.1 requests wait in order. The complete request
 * goes to a worker ({@link HttpRequestProcessor}); the response is written back on the event
 * loop. Framing problems (CL+TE, bad chunking, oversized head or body) are answered and the
 * connection closed; nothing reaches the processor.
 *
 * <p>Each request carries a probe of its client ({@link InboundRequest#clientGone()}). The first
 * time the processor asks it (a request held for approval), the handler starts watching: it keeps
 * one read pending while the request is processed, so a closed HTTP/1.1 connection or a reset
 * HTTP/2 stream is noticed at once. Watching stops reading as soon as any further (pipelined)
 * input arrives, so at most one read's worth of input waits in memory.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);

  private enum State { IDLE, READING, PROCESSING, DISCARDING, CLOSED }

  private final boolean http2;
  private final int maxBody;
  private final LiveRoute<HttpRequestProcessor> routes;
  private final ExecutorService workers;
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private State state = State.IDLE;
  private HttpRequest current;
  private CompositeByteBuf body;
  private boolean keepAlive;
  /** Keep a read pending while PROCESSING (a held request asked whether its client is gone). */
  private boolean watching;
  /** Set on the event loop when the connection or stream closes or the stream is reset; read by workers. */
  private volatile boolean gone;

  /** Requests handed to a worker whose response has not been handed back to the event loop yet. */
  private final java.util.concurrent.atomic.AtomicInteger inFlight;

  ExchangeHandler(boolean http2, int maxBody, HttpRequestProcessor processor, ExecutorService workers) {
    this(http2, maxBody, LiveRoute.fixed(processor), workers, new java.util.concurrent.atomic.AtomicInteger());
  }

  ExchangeHandler(boolean http2, int maxBody, LiveRoute<HttpRequestProcessor> routes, ExecutorService workers,
      java.util.concurrent.atomic.AtomicInteger inFlight) {
    this.inFlight = inFlight;
    this.http2 = http2;
    this.maxBody = maxBody;
    this.routes = routes;
    this.workers = workers;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
    if (ctx.channel().isActive()) {
      ctx.read();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.PROCESSING) {
      held.add(msg); // a pipelined request: handled after the current response
      return;
    }
    handle(ctx, msg);
  }

  private void handle(ChannelHandlerContext ctx, Object msg) {
    try {
      if (state == State.CLOSED) {
        return;
      }
      if (msg instanceof HttpRequest req) {
        start(ctx, req);
      }
      if (msg instanceof HttpContent c && state == State.READING) {
        if ((long) body.readableBytes() + c.content().readableBytes() > maxBody) {
          refuse(ctx, 413, "body_too_large", "the request body is larger than " + maxBody + " bytes", true);
          return;
        }
        if (c.decoderResult().isFailure()) {
          refuse(ctx, 400, "bad_framing", "the request body is malformed: " + c.decoderResult().cause().getMessage(),
              true);
          return;
        }
        if (c.content().isReadable()) {
          body.addComponent(true, c.content().retain());
        }
        if (c instanceof LastHttpContent last) {
          if (!last.trailingHeaders().isEmpty()) {
            refuse(ctx, 400, "trailers_not_accepted", "the request carries trailer fields, which the gateway does not"
                + " accept", true);
            return;
          }
          dispatch(ctx);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void start(ChannelHandlerContext ctx, HttpRequest req) {
    if (state == State.DISCARDING) {
      return;
    }
    if (req.decoderResult().isFailure()) {
      Throwable cause = req.decoderResult().cause();
      int status = cause instanceof TooLongHttpLineException ? 414
          : cause instanceof TooLongHttpHeaderException ? 431
          : cause instanceof TooLongFrameException ? 413 : 400;
      String code = cause instanceof StrictRequestDecoder.ContentLengthAndTransferEncoding
          || cause instanceof TransferEncodingNotAllowedException
          || String.valueOf(cause.getMessage()).contains("Transfer-Encoding") ? "ambiguous_framing"
          : status == 400 ? "bad_request_head" : "request_head_too_large";
      refuse(ctx, status, code, "the request cannot be framed unambiguously: " + cause.getMessage(), true);
      return;
    }
    current = req;
    keepAlive = http2 || HttpUtil.isKeepAlive(req);
    state = State.READING;
    List<String> te = req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!te.isEmpty() && (te.size() > 1 || !te.get(0).strip().equalsIgnoreCase("chunked"))) {
      refuse(ctx, 400, "ambiguous_framing", "transfer-encoding `" + String.join(", ", te)
          + "`: only a single `chunked` is accepted", true);
      return;
    }
    List<String> cl = req.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (cl.size() > 1) {
      refuse(ctx, 400, "ambiguous_framing", "content-length appears " + cl.size() + " times", true);
      return;
    }
    if (cl.size() == 1) {
      long n;
      try {
        n = Long.parseLong(cl.get(0).strip());
      } catch (NumberFormatException e) {
        refuse(ctx, 400, "ambiguous_framing", "content-length `" + cl.get(0) + "` is not a number", true);
        return;
      }
      if (n > maxBody) {
        refuse(ctx, 413, "body_too_large", "content-length " + n + " is larger than the limit of " + maxBody + " bytes",
            true);
        return;
      }
    }
    String expect = req.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null) {
      if (!expect.strip().equalsIgnoreCase("100-continue")) {
        refuse(ctx, 417, "expectation_failed", "expect `" + expect + "` is not supported", true);
        return;
      }
      if (!http2) {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
      }
    }
    body = ctx.alloc().compositeBuffer(1024);
  }

  private void dispatch(ChannelHandlerContext ctx) {
    state = State.PROCESSING;
    byte[] bytes = ByteBufUtil.getBytes(body);
    body.release();
    body = null;
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (Map.Entry<String, String> h : current.headers()) {
      headers.add(Map.entry(h.getKey(), h.getValue()));
    }
    String protocol = http2 ? "HTTP/2" : current.protocolVersion().text();
    String method = current.method().name();
    String target = current.uri();
    if (http2) {
      // the HTTP/2 codec turns :path into the uri; pseudo-headers never reach the processor
      headers.removeIf(h -> h.getKey().startsWith(":") || h.getKey().toLowerCase(Locale.ROOT).equals("x-http2-stream-id")
          || h.getKey().toLowerCase(Locale.ROOT).equals("x-http2-scheme"));
    }
    InboundRequest in = new InboundRequest(method, target, headers, bytes, protocol, address(ctx.channel().remoteAddress()
        == null && ctx.channel().parent() != null ? ctx.channel().parent().remoteAddress() : ctx.channel().remoteAddress()),
        connectionId(ctx), new ClientProbe(ctx));
    inFlight.incrementAndGet();
    try {
      workers.execute(() -> {
        try {
          OutboundResponse r;
          try (var route = routes.acquire()) { // one processor (one upstream) for the whole request
            r = route.route().process(in);
          } catch (LiveRoute.Unavailable e) {
            processor().count("connection_unavailable");
            r = processor().refusal(503, e.code(), e.getMessage(), false, method, target, in.clientAddress(),
                in.connectionId(), protocol);
          } catch (RuntimeException | LinkageError e) {
            // process() answers its own failures; this is a broken deployment (e.g. a missing class):
            // answer 500 and close rather than leave the client waiting forever
            LOG.error("event=request_failed phase=processor error={}", e.toString(), e);
            r = processor().refusal(500, "gateway_error", "gateway error", true);
          }
          OutboundResponse answer = r;
          ctx.executor().execute(() -> respond(ctx, answer));
        } catch (RejectedExecutionException e) {
          LOG.debug("event=response_dropped reason=event_loop_stopped error={}", e.toString());
        } finally {
          inFlight.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      inFlight.decrementAndGet();
      processor().count("overloaded");
      respond(ctx, processor().refusal(503, "overloaded", "the gateway is at capacity; retry later", false));
    }
  }

  /** Whether the client of the request being processed is gone; the first question starts watching. */
  private final class ClientProbe implements java.util.function.BooleanSupplier {
    private final ChannelHandlerContext ctx;
    private final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();

    ClientProbe(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public boolean getAsBoolean() {
      if (!armed.getAndSet(true)) {
        try {
          ctx.executor().execute(() -> watch(ctx));
        } catch (RejectedExecutionException e) {
          LOG.debug("event=client_probe_unwatched reason=event_loop_stopped error={}", e.toString());
          return true; // the listener is shutting down: the response could not be written anyway
        }
      }
      io.netty.channel.Channel ch = ctx.channel();
      return gone || !ch.isActive() || (ch.parent() != null && !ch.parent().isActive());
    }
  }

  /** On the event loop: keep a read pending while the request is processed, to notice the client leaving. */
  private void watch(ChannelHandlerContext ctx) {
    if (state == State.PROCESSING) {
      watching = true;
      if (held.isEmpty()) {
        ctx.read();
      }
    }
  }

  private void refuse(ChannelHandlerContext ctx, int status, String code, String message, boolean close) {
    if (body != null) {
      body.release();
      body = null;
    }
    state = State.DISCARDING;
    respond(ctx, processor().refusal(status, code, message, close || !http2, current == null ? null
        : current.method().name(), current == null ? null : current.uri(), address(ctx.channel().remoteAddress() == null
        && ctx.channel().parent() != null ? ctx.channel().parent().remoteAddress() : ctx.channel().remoteAddress()),
        connectionId(ctx), http2 ? "HTTP/2" : current == null ? null : current.protocolVersion().text()));
  }

  /** The processor that renders refusals made before a request reaches one (the last one served). */
  private HttpRequestProcessor processor() {
    return routes.last();
  }

  /** The id the listener gave this client connection (the TCP channel, also for HTTP/2 streams), or null. */
  private static String connectionId(ChannelHandlerContext ctx) {
    io.netty.channel.Channel root = ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel
        ? ctx.channel().parent() : ctx.channel();
    return root.attr(HttpGateway.CONNECTION_ID).get();
  }

  private void respond(ChannelHandlerContext ctx, OutboundResponse r) {
    if (state == State.CLOSED) {
      return;
    }
    boolean close = !http2 && (r.closeConnection() || !keepAlive);
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
        Unpooled.wrappedBuffer(r.body()));
    r.headers().forEach((k, v) -> resp.headers().set(k, v));
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    if (close) {
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (http2) {
      resp.headers().remove(HttpHeaderNames.CONNECTION);
    }
    ctx.writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess()) {
        LOG.debug("event=response_write_failed error={}", String.valueOf(f.cause()));
        closeNow(ctx);
        return;
      }
      if (close || http2) {
        closeNow(ctx);
        return;
      }
      state = State.IDLE;
      watching = false;
      current = null;
      while (!held.isEmpty() && state != State.PROCESSING && state != State.CLOSED) {
        handle(ctx, held.poll());
      }
      if (state == State.IDLE || state == State.READING) {
        ctx.read();
      }
    });
  }

  private void closeNow(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    while (!held.isEmpty()) {
      ReferenceCountUtil.release(held.poll());
    }
    if (http2) {
      // the stream ended with the response; nothing else to do
      return;
    }
    lingeringClose(ctx);
  }

  /**
   * Closes an HTTP/1.1 connection without losing the response to a TCP reset: a client may still be
   * sending a body we refused (e.g. 413), and closing with unread input makes the kernel send RST,
   * which can discard the response before the client reads it. So: half-close (FIN after the
   * response), read and discard what still arrives for a bounded time, then close.
   */
  private static void lingeringClose(ChannelHandlerContext ctx) {
    if (ctx.channel() instanceof io.netty.channel.socket.SocketChannel sc && sc.isActive() && !sc.isOutputShutdown()) {
      sc.shutdownOutput().addListener(f -> {
        sc.config().setAutoRead(true); // further input reaches handle() in state CLOSED and is released
        sc.eventLoop().schedule(() -> { sc.close(); }, LINGER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
      });
      return;
    }
    ctx.close();
  }

  /** How long a refused connection keeps draining input after its response (bounded). */
  private static final long LINGER_MILLIS = 2000;

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (state == State.IDLE || state == State.READING || state == State.DISCARDING
        || (state == State.PROCESSING && watching && held.isEmpty())) {
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
      // h2c upgrade: the HTTP/2 handlers took over this connection and read on their own
      ctx.channel().config().setAutoRead(true);
      ctx.pipeline().remove(this);
    } else if (evt instanceof io.netty.handler.codec.http2.Http2ResetFrame) {
      gone = true; // the client reset the stream: a held request's client is gone
    } else if (evt instanceof IdleStateEvent) {
      if (state == State.PROCESSING) {
        return; // a request is being worked on (e.g. held for approval, bounded by max_wait): not idle
      }
      closeNow(ctx);
      ctx.close();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (body != null) {
      body.release();
      body = null;
    }
    state = State.CLOSED;
    gone = true;
    while (!held.isEmpty()) {
      ReferenceCountUtil.release(held.poll());
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.info("event=connection_error remote={} error={}", ctx.channel().remoteAddress(), cause.toString());
    if (state != State.PROCESSING && state != State.CLOSED && !http2 && ctx.channel().isActive()) {
      refuse(ctx, 400, "bad_request", "the request could not be read: " + cause.getMessage(), true);
    } else {
      ctx.close();
    }
  }

  private static String address(SocketAddress a) {
    return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
  }

}
