package io.vectorgate.proxy.bench;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.vectorgate.proxy.grpc.GrpcEventLoops;
import io.vectorgate.proxy.grpc.MilvusMethods;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The floor of the Milvus gateway's CPU per request (issue 16): a gRPC proxy on the same grpc-netty
 * stack that does nothing but pass each unary call on to the upstream with a fixed credential. In
 * {@code raw} mode the bytes pass unparsed on the transport threads; in {@code parsed} mode each
 * request and response is parsed and re-serialized with the Milvus messages and the call is handed
 * to a worker pool and back, as the gateway does. What the gateway spends above the {@code parsed}
 * floor is its own work (authentication, decode, decision, rewrite, log).
 *
 * <p>Usage: {@code GrpcFloorProxy <raw|parsed> <listen port> <upstream host:port> [io threads]}
 * (benchmarks/milvus-gateway-bench.sh with {@code FLOOR=1}).
 */
public final class GrpcFloorProxy {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcFloorProxy() {}

  public static void main(String[] args) throws Exception {
    boolean parsed = args[0].equals("parsed");
    int port = Integer.parseInt(args[1]);
    String[] up = args[2].split(":");
    GrpcEventLoops loops = args.length > 3 ? new GrpcEventLoops(Integer.parseInt(args[3])) : null;
    ExecutorService workers = Executors.newFixedThreadPool(16);
    NettyChannelBuilder cb = NettyChannelBuilder.forAddress(up[0], Integer.parseInt(up[1])).usePlaintext()
        .maxInboundMessageSize(64 << 20);
    if (loops != null) {
      loops.connect(cb);
    }
    ManagedChannel channel = cb.build();
    String credential = "Basic " + java.util.Base64.getEncoder().encodeToString("root:Milvus".getBytes());
    NettyServerBuilder sb = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).directExecutor()
        .maxInboundMessageSize(64 << 20).permitKeepAliveTime(5, java.util.concurrent.TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .fallbackHandlerRegistry(new HandlerRegistry() {
          @Override
          public ServerMethodDefinition<?, ?> lookupMethod(String name, String authority) {
            if (parsed) {
              MethodDescriptor<Message, Message> m = MilvusMethods.byFullName(name);
              return m == null ? null : ServerMethodDefinition.create(m, forward(m, channel, credential, workers));
            }
            MethodDescriptor<byte[], byte[]> m = raw(name);
            return ServerMethodDefinition.create(m, forward(m, channel, credential, null));
          }
        });
    if (loops != null) {
      loops.serve(sb);
    }
    Server server = sb.build().start();
    System.err.println("floor proxy (" + args[0] + ") on 127.0.0.1:" + server.getPort());
    new CountDownLatch(1).await();
  }

  /** Each call: one request, forwarded with the proxy's credential; the answer or status passed back. */
  private static <T> ServerCallHandler<T, T> forward(MethodDescriptor<T, T> m, ManagedChannel channel, String credential,
      ExecutorService workers) {
    return (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<>() {
        private T request;

        @Override
        public void onMessage(T message) {
          request = message;
        }

        @Override
        public void onHalfClose() {
          Runnable send = () -> {
            Metadata out = new Metadata();
            out.put(AUTHORIZATION, credential);
            ClientCall<T, T> c = channel.newCall(m, CallOptions.DEFAULT.withExecutor(Runnable::run)); // as the gateway: answered on the transport thread
            c.start(new ClientCall.Listener<>() {
              private T response;

              @Override
              public void onMessage(T message) {
                response = message;
              }

              @Override
              public void onClose(Status status, Metadata trailers) {
                if (status.isOk() && response != null) {
                  call.sendHeaders(new Metadata());
                  call.sendMessage(response);
                }
                call.close(status, new Metadata());
              }
            }, out);
            c.request(1);
            c.sendMessage(request);
            c.halfClose();
          };
          if (workers == null) {
            send.run();
          } else {
            workers.execute(send);
          }
        }
      };
    };
  }

  private static MethodDescriptor<byte[], byte[]> raw(String fullName) {
    MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName).setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
  }
}
