package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The batch of stored lines being built: each entry is generated straight into this buffer
 * (canonical JSON without {@code hash}), SHA-256 is computed over exactly those bytes in place, and
 * the closing brace is replaced by {@code ,"hash":"<64 hex>"}} and a newline. The buffer is written
 * to the segment in one go per batch. Writer thread only (reuses its buffer and digest).
 */
final class LineEncoder {
  private static final byte[] HASH_PREFIX = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HASH_SUFFIX = "\"}\n".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of();

  private final MessageDigest md = RecordFormat.sha256();
  private final Buffer buf = new Buffer();

  /** An entry that could not be serialized (a bad draft, not a disk failure). */
  static final class EntryEncodingException extends Exception {
    EntryEncodingException(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * Appends the stored line of {@code entry} at ({@code seq}, {@code id}, {@code prevHash}) and
   * returns its hash. On failure the buffer is as it was before the call.
   */
  String append(EntryWriter.Entry entry, long seq, String id, String prevHash) throws EntryEncodingException {
    int start = buf.size;
    try (JsonGenerator g = RecordFormat.mapper().getFactory().createGenerator(buf)) {
      entry.write(g, seq, id, prevHash);
    } catch (IOException | RuntimeException e) {
      buf.size = start;
      throw new EntryEncodingException(e);
    }
    int end = buf.size;
    if (end - start < 2 || buf.bytes[start] != '{' || buf.bytes[end - 1] != '}') {
      buf.size = start;
      throw new EntryEncodingException(new IOException("entry is not one JSON object"));
    }
    md.reset();
    md.update(buf.bytes, start, end - start);
    String hash = HEX.formatHex(md.digest());
    buf.size = end - 1;
    buf.write(HASH_PREFIX, 0, HASH_PREFIX.length);
    buf.ensure(64);
    for (int i = 0; i < 64; i++) {
      buf.bytes[buf.size++] = (byte) hash.charAt(i);
    }
    buf.write(HASH_SUFFIX, 0, HASH_SUFFIX.length);
    return hash;
  }

  int size() {
    return buf.size;
  }

  /** The buffered lines (valid until the next append or reset). */
  ByteBuffer bytes() {
    return ByteBuffer.wrap(buf.bytes, 0, buf.size);
  }

  void reset() {
    buf.size = 0;
  }

  /** A growable byte array the generator writes into. */
  private static final class Buffer extends OutputStream {
    byte[] bytes = new byte[64 * 1024];
    int size;

    void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }
  }
}
