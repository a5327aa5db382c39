package io.vectorgate.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * Progress of a long command on standard error: one status line per step ({@code vectorgate:
 * compiling 3 sources with opa...}) and its duration when it ends. Off unless the command runs
 * in a terminal or {@code --progress} is given; {@code --no-progress} turns it off. In a terminal
 * each step overwrites the previous one and the line is cleared at the end; otherwise (forced with
 * {@code --progress}) every step is its own line. Standard output is never touched.
 */
final class Progress implements AutoCloseable {
  /** The {@code --progress / --no-progress} option, as a picocli mixin. */
  static final class Flag {
    @Option(names = "--progress", negatable = true,
        description = "show progress on standard error (default: only in a terminal)")
    Boolean progress;

    Progress open(PrintWriter err) {
      boolean terminal = System.console() != null;
      return new Progress(err, progress != null ? progress : terminal, terminal);
    }
  }

  static final Progress OFF = new Progress(null, false, false);

  private final PrintWriter err;
  private final boolean on;
  private final boolean overwrite;
  private String current;
  private long started;
  private int width;

  Progress(PrintWriter err, boolean on, boolean overwrite) {
    this.err = err;
    this.on = on && err != null;
    this.overwrite = overwrite;
  }

  /** Starts a step (ending the previous one). */
  void step(String text) {
    end();
    if (!on) {
      return;
    }
    current = text;
    started = System.nanoTime();
    show("vectorgate: " + text + "...");
  }

  /** Ends the current step, showing how long it took. */
  void end() {
    if (!on || current == null) {
      return;
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    show("vectorgate: " + current + ": done in " + (ms < 1000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0)));
    current = null;
  }

  private void show(String line) {
    if (overwrite) {
      err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
      width = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  @Override
  public void close() {
    end();
    if (on && overwrite && width > 0) {
      err.print("\r" + " ".repeat(width) + "\r"); // leave the terminal line clean
      err.flush();
    }
    width = 0; // a later step starts a new line
  }
}
