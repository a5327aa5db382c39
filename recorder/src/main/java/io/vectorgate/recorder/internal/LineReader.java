package io.vectorgate.recorder.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads {@code \n}-terminated lines as bytes, remembering each line's byte offset and whether it was
 * terminated (an unterminated last line is a torn write). Lines over {@code maxLine} bytes fail.
 */
public final class LineReader implements AutoCloseable {
  /** One line without its terminator. */
  public record Line(byte[] bytes, long offset, long number, boolean terminated) {}

  private final InputStream in;
  private final int maxLine;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private long offset;
  private long number;

  public LineReader(InputStream in, int maxLine) {
    this.in = in;
    this.maxLine = maxLine;
  }

  /** The next line, or null at end of input. */
  public Line next() throws IOException {
    byte[] out = new byte[256];
    int n = 0;
    long start = offset;
    while (true) {
      if (pos == lim) {
        lim = in.read(buf, 0, buf.length);
        pos = 0;
        if (lim <= 0) {
          lim = 0;
          if (n == 0) {
            return null;
          }
          number++;
          return new Line(Arrays.copyOf(out, n), start, number, false);
        }
      }
      byte b = buf[pos++];
      offset++;
      if (b == '\n') {
        number++;
        return new Line(Arrays.copyOf(out, n), start, number, true);
      }
      if (n == maxLine) {
        throw new IOException("line " + (number + 1) + " at byte offset " + start + " is longer than " + maxLine + " bytes");
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, Math.min(maxLine, out.length * 2));
      }
      out[n++] = b;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
