package io.vectorgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * The first handler of a cleartext connection: HTTP/2 with prior knowledge starts with the
 * connection preface; anything else is HTTP/1.x (which may still upgrade to h2c). Decides on the
 * first differing byte, installs the matching pipeline and removes itself (buffered bytes go on).
 */
final class CleartextProtocolDetector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final HttpGateway.PipelineBuilder pipelines;

  CleartextProtocolDetector(HttpGateway.PipelineBuilder pipelines) {
    this.pipelines = pipelines;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean prefix = ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n);
    if (!prefix) {
      pipelines.http1(ctx.pipeline(), ctx.name(), true);
      ctx.pipeline().remove(this);
    } else if (n == PREFACE.readableBytes()) {
      pipelines.http2(ctx.pipeline(), ctx.name());
      ctx.pipeline().remove(this);
    }
  }
}
