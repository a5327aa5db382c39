package io.vectorgate.proxy.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The floor of the HTTP gateway's CPU per request (issue 16): an HTTP/1.1 proxy on the gateway's
 * own stack (Netty server, the request handed to a worker, the JDK {@code HttpClient} towards the
 * upstream, as {@code HttpUpstream}) that passes each request's method, path, content type and
 * body to the upstream and its answer back, with nothing else: no token, no JSON, no decision.
 * What the gateway spends above it is its own work.
 *
 * <p>Usage: {@code HttpFloorProxy <listen port> <upstream base URL, e.g. http://127.0.0.1:8001>}
 * (benchmarks/chroma-gateway-bench.sh runs it as the {@code floor-h1} variant).
 */
public final class HttpFloorProxy {
  private HttpFloorProxy() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String base = args[1];
    ExecutorService workers = Executors.newFixedThreadPool(16);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(2)).build();
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
        NioIoHandler.newFactory());
    new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                    byte[] body = new byte[req.content().readableBytes()];
                    req.content().readBytes(body);
                    String method = req.method().name();
                    String uri = req.uri();
                    String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/json");
                    boolean keepAlive = HttpUtil.isKeepAlive(req);
                    workers.execute(() -> {
                      FullHttpResponse out;
                      try {
                        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + uri))
                            .timeout(Duration.ofSeconds(30)).header("Content-Type", type)
                            .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                        out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.statusCode()),
                            Unpooled.wrappedBuffer(r.body()));
                        out.headers().set(HttpHeaderNames.CONTENT_TYPE,
                            r.headers().firstValue("content-type").orElse("application/json"));
                      } catch (Exception e) {
                        out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
                      }
                      HttpUtil.setContentLength(out, out.content().readableBytes());
                      HttpUtil.setKeepAlive(out, keepAlive);
                      ctx.writeAndFlush(out);
                    });
                  }
                });
          }
        }).bind(new InetSocketAddress("127.0.0.1", port)).sync();
    System.err.println("http floor proxy on 127.0.0.1:" + port + " -> " + base);
    Thread.currentThread().join();
  }
}
