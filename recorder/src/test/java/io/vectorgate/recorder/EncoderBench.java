package io.vectorgate.recorder;

import io.vectorgate.recorder.index.IndexConfig;
import io.vectorgate.recorder.index.IndexedRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Recorder micro-benchmark (a plain driver, not a test; run by {@code benchmarks/recorder-bench.sh}).
 *
 * <p>Part 1, encoder: per request entry, the work the writer thread does before the write: the
 * streaming encoder (entry streamed into the batch buffer, hash in place, index row from the draft)
 * against the tree encoder it replaced ({@link TreeEncoderOracle}: entry tree, canonical walk, line
 * copy, index row read back from the tree). Rounds alternate old and new in one JVM; each round
 * reports entries/s and per-entry p50/p99. Both must produce the same bytes (checked once).
 *
 * <p>Part 2, recorder: appends through a real {@link Recorder} (queue, writer thread, segment
 * files, fsync, index) per fsync policy, with and without the SQLite index: the caller's append()
 * cost and the sustained rate under a flood, then the latency from append() to its ack with one
 * append at a time (what a gateway with {@code acknowledge: durable} waits per request).
 *
 * <p>Usage: {@code EncoderBench <rounds> <entries per round> <recorder entries> <sequential appends>}.
 */
public final class EncoderBench {
  private EncoderBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    int recorderN = Integer.parseInt(args[2]);
    int sequential = Integer.parseInt(args[3]);
    Path dir = Files.createTempDirectory("vg-bench-");
    RecorderConfig config = RecorderConfig.builder(dir).build();
    RecordDraft draft = Fixtures.draft("s-1", "alice");
    Queued.Item item = new Queued.Request(draft);
    checkSameBytes(config, item);
    System.out.println("part 1: encoder, one request entry (Fixtures.draft: 16-dim vectors stripped, payloads on)");
    System.out.println("| round | encoder | entries/s | p50 ns | p99 ns |");
    System.out.println("|---:|---|---:|---:|---:|");
    for (int r = 1; r <= rounds; r++) {
      report(r, "tree (before)", runTree(config, item, n));
      report(r, "streaming (after)", runStreaming(config, item, n));
    }
    System.out.println();
    System.out.println("part 2: Recorder.append: " + recorderN + " entries as fast as the queue takes them, then "
        + sequential + " one at a time waiting for each ack");
    System.out.println("| fsync | index | append() on caller, avg ns | entries/s | one at a time: append→ack p50 µs | p99 µs |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    for (FsyncPolicy fsync : FsyncPolicy.values()) {
      for (boolean sqlite : new boolean[] {true, false}) {
        recorder(dir.resolve(fsync.name() + "-" + sqlite), fsync, sqlite, draft, recorderN, sequential);
      }
    }
  }

  private static void checkSameBytes(RecorderConfig config, Queued.Item item) throws Exception {
    LineEncoder enc = new LineEncoder();
    enc.append(new EntryWriter(config).entry(item), 1, "rec-1", RecordFormat.GENESIS_HASH);
    byte[] streamed = new byte[enc.size()];
    enc.bytes().get(streamed);
    byte[] tree = new TreeEncoderOracle(config).line(item, 1, "rec-1", RecordFormat.GENESIS_HASH);
    if (!Arrays.equals(streamed, tree)) {
      throw new IllegalStateException("streaming and tree encoders disagree; no numbers for a wrong encoder");
    }
  }

  /** Per-entry nanoseconds of {@code n} entries (after a warm-up of the same size). */
  private static long[] runTree(RecorderConfig config, Queued.Item item, int n) throws Exception {
    TreeEncoderOracle oracle = new TreeEncoderOracle(config);
    long[] t = new long[n];
    long sink = 0;
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        TreeEncoderOracle.Built b = oracle.build(item);
        b.entry().put(RecordFormat.F_SEQ, i + 1L);
        b.entry().put(RecordFormat.F_ID, "rec-" + (i + 1));
        b.entry().put(RecordFormat.F_PREV_HASH, RecordFormat.GENESIS_HASH);
        byte[] line = TreeEncoderOracle.encode(b.entry(), b.strip());
        IndexedRecord row = IndexedRecord.fromEntry("rec", 1, b.entry());
        t[i] = System.nanoTime() - t0;
        sink += line.length + row.seq();
      }
    }
    if (sink == 42) {
      System.out.println();
    }
    return t;
  }

  private static long[] runStreaming(RecorderConfig config, Queued.Item item, int n) throws Exception {
    EntryWriter writer = new EntryWriter(config);
    LineEncoder enc = new LineEncoder();
    long[] t = new long[n];
    long sink = 0;
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < n; i++) {
        if (enc.size() > 1 << 20) {
          enc.reset(); // the writer empties the buffer once per batch
        }
        long t0 = System.nanoTime();
        EntryWriter.Entry e = writer.entry(item);
        String hash = enc.append(e, i + 1L, "rec-" + (i + 1), RecordFormat.GENESIS_HASH);
        IndexedRecord row = e.row("rec", i + 1L, "rec-" + (i + 1), 1);
        t[i] = System.nanoTime() - t0;
        sink += hash.length() + row.seq();
      }
    }
    if (sink == 42) {
      System.out.println();
    }
    return t;
  }

  private static void report(int round, String name, long[] t) {
    long total = 0;
    for (long x : t) {
      total += x;
    }
    long[] s = t.clone();
    Arrays.sort(s);
    System.out.printf("| %d | %s | %,d | %,d | %,d |%n", round, name, (long) (t.length / (total / 1e9)),
        s[s.length / 2], s[(int) (s.length * 0.99)]);
  }

  private static void recorder(Path dir, FsyncPolicy fsync, boolean sqlite, RecordDraft draft, int n, int seq)
      throws Exception {
    RecorderConfig.Builder b = RecorderConfig.builder(dir).fsync(fsync).queueCapacity(65536);
    if (!sqlite) {
      b.index(IndexConfig.none());
    }
    try (Recorder r = Recorder.open(b.build())) {
      Semaphore inflight = new Semaphore(60000);
      for (int i = 0; i < Math.min(n, 20000); i++) { // warm-up
        inflight.acquire();
        r.append(draft).whenComplete((a, e) -> inflight.release());
      }
      r.flush().get();
      long callNanos = 0;
      long t0 = System.nanoTime();
      CompletableFuture<Ack> last = null;
      for (int i = 0; i < n; i++) {
        inflight.acquire();
        long c0 = System.nanoTime();
        last = r.append(draft);
        callNanos += System.nanoTime() - c0;
        last.whenComplete((a, e) -> inflight.release());
      }
      last.get();
      r.flush().get();
      long total = System.nanoTime() - t0;
      // one append at a time, waiting for its ack: what a gateway with acknowledge: durable waits per request
      long[] ack = new long[seq];
      for (int i = 0; i < seq; i++) {
        long c0 = System.nanoTime();
        r.append(draft).get();
        ack[i] = System.nanoTime() - c0;
      }
      if (r.stats().refused() > 0 || r.stats().dropped() > 0) {
        throw new IllegalStateException("records were refused or dropped: " + r.stats());
      }
      Arrays.sort(ack);
      System.out.printf("| %s | %s | %,d | %,d | %,.1f | %,.1f |%n", fsync, sqlite ? "SQLite" : "none", callNanos / n,
          (long) (n / (total / 1e9)), ack[seq / 2] / 1000.0, ack[(int) (seq * 0.99)] / 1000.0);
    }
  }
}
