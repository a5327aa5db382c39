package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * {@code anchor.json}: where the kept chain starts after retention removed older segments — the seq
 * of the first kept entry, the {@code prev_hash} it must carry, and the seq of the chain's
 * {@code retention} entry that recorded the removal.
 */
public record Anchor(long firstSeq, String prevHash, long retentionSeq, Instant time) {
  public static final String FILE = "anchor.json";

  /** Reads the anchor of {@code dir}, or null when there is none. Malformed anchors fail naming the field. */
  public static Anchor read(Path dir) throws IOException {
    Path p = dir.resolve(FILE);
    if (!Files.exists(p)) {
      return null;
    }
    JsonNode n;
    try {
      n = RecordFormat.mapper().readTree(Files.readAllBytes(p));
    } catch (IOException e) {
      throw new RecordingCorruptException(p + ": not valid JSON: " + e.getMessage(), e);
    }
    if (n == null || !RecordFormat.FORMAT.equals(n.path("format").asText())) {
      throw new RecordingCorruptException(p + ": field `format` must be `" + RecordFormat.FORMAT + "`", null);
    }
    if (!n.path("first_seq").canConvertToLong() || !n.path("prev_hash").isTextual()
        || !n.path("retention_seq").canConvertToLong() || !n.path("time").isTextual()) {
      throw new RecordingCorruptException(p + ": fields `first_seq`, `prev_hash`, `retention_seq`, `time` are required", null);
    }
    try {
      return new Anchor(n.get("first_seq").longValue(), n.get("prev_hash").textValue(),
          n.get("retention_seq").longValue(), Instant.parse(n.get("time").textValue()));
    } catch (java.time.format.DateTimeParseException e) {
      throw new RecordingCorruptException(p + ": field `time` is not an RFC 3339 instant", e);
    }
  }

  /** Writes atomically (temp file, fsync, rename). */
  void write(Path dir) throws IOException {
    ObjectNode n = RecordFormat.mapper().createObjectNode();
    n.put("format", RecordFormat.FORMAT);
    n.put("kind", "anchor");
    n.put("first_seq", firstSeq);
    n.put("prev_hash", prevHash);
    n.put("retention_seq", retentionSeq);
    n.put("time", time.toString());
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.write(tmp, RecordFormat.canonicalBytes(n));
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
