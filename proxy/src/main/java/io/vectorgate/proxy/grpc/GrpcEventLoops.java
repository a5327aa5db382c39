package io.vectorgate.proxy.grpc;

import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loops every Milvus listener and every upstream Milvus channel share ({@code
 * limits.io_threads}, default one per core). Left to themselves, grpc-netty's servers and channels
 * each take a default group of twice the cores; on the request path that means more threads than
 * cores handing each call across, and a profile of the gateway under load showed the I/O threads'
 * wake-ups and hand-offs as a large share of its CPU per request (docs/performance.md, issue 16).
 */
public final class GrpcEventLoops implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup io;

  public GrpcEventLoops(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be positive, was " + threads);
    }
    this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vectorgate-grpc-accept", true),
        NioIoHandler.newFactory());
    this.io = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("vectorgate-grpc-io", true),
        NioIoHandler.newFactory());
  }

  /** Serves {@code b}'s connections on the shared loops. */
  public NettyServerBuilder serve(NettyServerBuilder b) {
    return b.bossEventLoopGroup(boss).workerEventLoopGroup(io).channelType(NioServerSocketChannel.class);
  }

  /** Runs {@code b}'s connections on the shared loops. */
  public NettyChannelBuilder connect(NettyChannelBuilder b) {
    return b.eventLoopGroup(io).channelType(NioSocketChannel.class);
  }

  /** After every server and channel using the loops has shut down. */
  @Override
  public void close() {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
