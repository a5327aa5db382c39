package io.vectorgate.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.vectorgate.proxy.config.ConfigLoader;
import io.vectorgate.proxy.config.HealthConfig;
import io.vectorgate.proxy.config.GatewayConfig.HttpSettings;
import io.vectorgate.proxy.config.GatewayConfig.ListenerConfig;
import io.vectorgate.proxy.connections.LiveRoute;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener (Netty): HTTP/1.1, h2c (prior knowledge and {@code Upgrade: h2c}) on
 * cleartext sockets, and HTTP/1.1 or HTTP/2 chosen by ALPN when the listener has TLS. Every
 * connection or HTTP/2 stream ends in an {@link ExchangeHandler}, which hands complete requests
 * to the {@link HttpRequestProcessor} on the worker pool.
 */
public final class HttpGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpGateway.class);
  /** The gateway's id of a client connection (set on the TCP channel when recording is on). */
  static final AttributeKey<String> CONNECTION_ID = AttributeKey.valueOf("vectorgate.connection_id");

  private final ListenerConfig listener;
  private final HttpSettings settings;
  /** The processor of the listener's connection now; see {@link LiveRoute}. */
  private final LiveRoute<HttpRequestProcessor> routes;
  private final ExecutorService workers;
  private final SslContext ssl;
  private EventLoopGroup boss;
  private EventLoopGroup io;
  private Channel server;
  /** Requests on a worker whose response is not yet handed to the event loop (waited for at close). */
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

  public HttpGateway(ListenerConfig listener, HttpRequestProcessor processor, ExecutorService workers) throws IOException {
    this(listener, LiveRoute.fixed(processor), workers);
  }

  /**
   * As above, each request processed by the processor {@code routes} serves when it arrives (a
   * processor is bound to one upstream connection; a connection changed at run time is a new one).
   */
  public HttpGateway(ListenerConfig listener, LiveRoute<HttpRequestProcessor> routes,
      ExecutorService workers) throws IOException {
    this.listener = listener;
    this.settings = listener.http() == null ? HttpSettings.DEFAULTS : listener.http();
    this.routes = routes;
    this.workers = workers;
    this.ssl = listener.tls() == null ? null : sslContext(listener);
  }

  private static SslContext sslContext(ListenerConfig l) throws IOException {
    try {
      return SslContextBuilder.forServer(l.tls().certFile().toFile(), l.tls().keyFile().toFile())
          .sslProvider(SslProvider.JDK)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
      throw new IOException("listener `" + l.name() + "`: cannot load the TLS certificate/key: " + e.getMessage(), e);
    }
  }

  /** Binds the listener's address. */
  public void start() throws IOException {
    ConfigLoader.HostPort hp = ConfigLoader.hostPort(listener.address());
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    io = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
    PipelineBuilder pipelines = new PipelineBuilder();
    ServerBootstrap b = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChannelPipeline p = ch.pipeline();
            HttpRequestProcessor processor = routes.last(); // the recording of client connections is the listener's
            String connectionId = processor.connectionOpened(ch.remoteAddress());
            if (connectionId != null) {
              ch.attr(CONNECTION_ID).set(connectionId);
              ch.closeFuture().addListener(f -> processor.connectionClosed(connectionId));
            }
            p.addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeoutSeconds(), TimeUnit.SECONDS));
            if (ssl != null) {
              p.addLast("tls", ssl.newHandler(ch.alloc()));
              p.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                @Override
                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                  if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    pipelines.http2(ctx.pipeline(), ctx.name());
                  } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
                    pipelines.http1(ctx.pipeline(), ctx.name(), false);
                  } else {
                    throw new IllegalStateException("unsupported application protocol `" + protocol + "`");
                  }
                }
              });
            } else {
              p.addLast("detect", new CleartextProtocolDetector(pipelines));
            }
            p.addLast("idle-close", new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
                  Http2FrameCodec h2 = ctx.pipeline().get(Http2FrameCodec.class);
                  if (h2 != null && h2.connection().numActiveStreams() > 0) {
                    return; // an HTTP/2 request is still being worked on (e.g. held for approval)
                  }
                  ctx.close();
                } else {
                  ctx.fireUserEventTriggered(evt);
                }
              }
            });
          }
        });
    try {
      server = b.bind(new InetSocketAddress(hp.host(), hp.port())).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException("interrupted while binding " + listener.address(), e);
    } catch (RuntimeException e) {
      close();
      throw new IOException("listener `" + listener.name() + "` cannot bind " + listener.address() + ": " + e.getMessage(), e);
    }
    LOG.info("event=listener_started listener={} kind=http address={} port={} tls={}", listener.name(),
        listener.address(), port(), ssl != null);
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    close(HealthConfig.DEFAULT_IN_FLIGHT_TIMEOUT_MS);
  }

  /**
   * Stops accepting, waits up to {@code inFlightMillis} for requests in flight (held calls
   * released by the shutdown included) to hand their answers to the event loop, then closes.
   */
  public void close(long inFlightMillis) {
    if (server != null) {
      server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(inFlightMillis);
    while (inFlight.get() > 0 && System.nanoTime() < end) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (inFlight.get() > 0) {
      LOG.info("event=listener_closing listener={} requests_in_flight={}", listener.name(), inFlight.get());
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
    if (io != null) {
      io.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** Installs the HTTP/1.1 or HTTP/2 handlers after a given handler. */
  final class PipelineBuilder {
    void http1(ChannelPipeline p, String after, boolean allowH2cUpgrade) {
      HttpDecoderConfig cfg = new HttpDecoderConfig()
          .setMaxInitialLineLength(RequestTarget.MAX_LENGTH + 64)
          .setMaxHeaderSize(settings.maxHeaderBytes())
          .setMaxChunkSize(64 * 1024)
          .setAllowDuplicateContentLengths(false)
          .setStrictLineParsing(true)
          .setUseRfc9112TransferEncoding(true)
          .setValidateHeaders(true);
      StrictRequestDecoder decoder = new StrictRequestDecoder(cfg);
      HttpResponseEncoder encoder = new HttpResponseEncoder();
      ExchangeHandler exchange = new ExchangeHandler(false, listener.maxInboundMessageBytes(), routes, workers,
          inFlight);
      if (allowH2cUpgrade) {
        HttpServerUpgradeHandler.SourceCodec source = ctx -> {
          ctx.pipeline().remove(decoder);
          ctx.pipeline().remove(encoder);
        };
        HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(source, protocol ->
            AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                ? new Http2ServerUpgradeCodec(frameCodec(), multiplexer()) : null,
            listener.maxInboundMessageBytes());
        p.addAfter(after, "h1-exchange", exchange);
        p.addAfter(after, "h1-upgrade", upgrade);
      } else {
        p.addAfter(after, "h1-exchange", exchange);
      }
      p.addAfter(after, "h1-encoder", encoder);
      p.addAfter(after, "h1-decoder", decoder);
    }

    void http2(ChannelPipeline p, String after) {
      p.addAfter(after, "h2-frames", frameCodec());
      p.addAfter("h2-frames", "h2-multiplex", multiplexer());
    }

    private Http2FrameCodec frameCodec() {
      return Http2FrameCodecBuilder.forServer()
          .initialSettings(Http2Settings.defaultSettings()
              .maxConcurrentStreams(settings.maxConcurrentStreams())
              .maxHeaderListSize(settings.maxHeaderBytes()))
          .validateHeaders(true)
          .build();
    }

    private Http2MultiplexHandler multiplexer() {
      return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
          ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true),
              new ExchangeHandler(true, listener.maxInboundMessageBytes(), routes, workers,
              inFlight));
        }
      });
    }
  }
}
