package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vectorgate sessions list -d .demo` (the parent of the recording) points at the recording. */
class SessionsDirTest {
  private static String err(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(p);
      assertEquals(2, VectorgateCli.run(args));
    } finally {
      System.setErr(saved);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theParentOfARecordingSuggestsIt(@TempDir Path demo) throws Exception {
    Files.createDirectories(demo.resolve("recording"));
    Files.writeString(demo.resolve("recording/segment-00000000000000000001.jsonl"), "");
    assertEquals("vectorgate: `" + demo + "` is not a recording directory (no segment-*.jsonl, no index.sqlite); did you mean `"
        + demo.resolve("recording") + "`?\n", err("sessions", "list", "-d", demo.toString()));
  }

  @Test
  void segmentsWithoutAnIndexSayHowToReadThem(@TempDir Path rec) throws Exception {
    Files.writeString(rec.resolve("segment-00000000000000000001.jsonl"), "");
    assertEquals("vectorgate: `" + rec + "` has segments but no index.sqlite (recording.index: none?); pass --index none"
        + " to scan the segments\n", err("sessions", "list", "-d", rec.toString()));
  }

  @Test
  void aMissingDirectoryIsNamed(@TempDir Path tmp) {
    Path missing = tmp.resolve("nope");
    assertEquals("vectorgate: `" + missing + "` does not exist or is not a directory; -d takes the gateway's recording.directory\n",
        err("sessions", "verify", "-d", missing.toString()));
  }
}
