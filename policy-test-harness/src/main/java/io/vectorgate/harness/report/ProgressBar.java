package io.vectorgate.harness.report;

import io.vectorgate.harness.replay.Replayer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.io.OutputStreamWriter;

/**
 * A terminal progress bar for long replays, on stderr: redrawn in place at most every 200 ms, only
 * when the replay has more than {@link #MIN_TOTAL} requests; {@link #finish()} ends the line.
 */
public final class ProgressBar implements Replayer.Progress {
  public static final long MIN_TOTAL = 2_000;
  private static final int WIDTH = 30;

  private final PrintWriter out;
  private final String label;
  private final long startNanos = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  public ProgressBar(PrintWriter out, String label) {
    this.out = out;
    this.label = label;
  }

  public ProgressBar(PrintStream out, String label) {
    this(new PrintWriter(new OutputStreamWriter(out, Charset.defaultCharset()), true), label);
  }

  @Override
  public synchronized void update(long done, long total) {
    if (total < MIN_TOTAL) {
      return;
    }
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 200_000_000L) {
      return;
    }
    lastDraw = now;
    drawn = true;
    out.print("\r" + render(label, done, total, now - startNanos));
    out.flush();
  }

  /** One bar: {@code label [#####.....]  45% 45000/100000  12345/s}. */
  static String render(String label, long done, long total, long elapsedNanos) {
    int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
    double secs = Math.max(elapsedNanos / 1e9, 1e-9);
    return String.format("%s [%s%s] %3d%% %d/%d  %.0f/s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
        total == 0 ? 100 : (int) (100 * done / total), done, total, done / secs);
  }

  public synchronized void finish() {
    if (drawn) {
      out.println();
      out.flush();
    }
  }
}
