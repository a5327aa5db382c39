package io.vectorgate.proxy.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's HTTP/1.1 request decoder, except that a message carrying both {@code Content-Length}
 * and {@code Transfer-Encoding} is marked as failed instead of silently dropping the length
 * (RFC 9112 §6.1 allows either; a gateway in front of another server must refuse, or the two may
 * frame the request differently).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
  /** The failure a CL+TE message carries. */
  static final class ContentLengthAndTransferEncoding extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    ContentLengthAndTransferEncoding() {
      super("the request has both Content-Length and Transfer-Encoding");
    }
  }

  StrictRequestDecoder(HttpDecoderConfig config) {
    super(config);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.setDecoderResult(DecoderResult.failure(new ContentLengthAndTransferEncoding()));
  }
}
