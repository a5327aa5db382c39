package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * Turns an entry tree into its stored line: canonical JSON of the entry (with {@code seq},
 * {@code id}, {@code prev_hash}; vectors stripped from {@code request}/{@code response} when asked),
 * SHA-256 over those bytes, and {@code ,"hash":"…"}} appended as the last member. Used on the
 * writer thread only (reuses its buffer and digest).
 */
final class EntryEncoder {
  static final String F_REQUEST = "request";
  static final String F_RESPONSE = "response";

  private final Buf buf = new Buf();
  private final MessageDigest md = RecordFormat.sha256();
  private final byte[] hashPrefix = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);

  /** A stored line (with trailing newline) and the hash it carries. */
  record Encoded(byte[] line, String hash) {}

  Encoded encode(ObjectNode entry, VectorStripper payloadStripper) throws IOException {
    buf.reset();
    try (JsonGenerator g = RecordFormat.mapper().getFactory().createGenerator(buf)) {
      g.writeStartObject();
      List<String> names = new ArrayList<>(entry.size());
      Iterator<String> it = entry.fieldNames();
      while (it.hasNext()) {
        String n = it.next();
        if (!RecordFormat.F_HASH.equals(n)) {
          names.add(n);
        }
      }
      Collections.sort(names);
      for (String n : names) {
        JsonNode child = entry.get(n);
        g.writeFieldName(n);
        boolean payload = F_REQUEST.equals(n) || F_RESPONSE.equals(n);
        RecordFormat.writeCanonical(child, g, payload ? payloadStripper : null);
      }
      g.writeEndObject();
    }
    byte[] b = buf.raw();
    int len = buf.size();
    md.reset();
    md.update(b, 0, len);
    String hash = HexFormat.of().formatHex(md.digest());
    byte[] line = new byte[len - 1 + hashPrefix.length + 64 + 3];
    System.arraycopy(b, 0, line, 0, len - 1);
    int p = len - 1;
    System.arraycopy(hashPrefix, 0, line, p, hashPrefix.length);
    p += hashPrefix.length;
    for (int i = 0; i < 64; i++) {
      line[p++] = (byte) hash.charAt(i);
    }
    line[p++] = '"';
    line[p++] = '}';
    line[p] = '\n';
    return new Encoded(line, hash);
  }

  private static final class Buf extends ByteArrayOutputStream {
    Buf() {
      super(1024);
    }

    byte[] raw() {
      return buf;
    }
  }
}
