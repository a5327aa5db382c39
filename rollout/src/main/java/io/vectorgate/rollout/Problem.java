package io.vectorgate.rollout;

import java.util.Comparator;
import java.util.Objects;

/**
 * One diagnostic of a failed stage: the file relative to the policy directory (empty when none),
 * 1-based line and column (0 when unknown) and the message.
 */
public record Problem(String file, int line, int column, String message) implements Comparable<Problem> {
  private static final Comparator<Problem> ORDER = Comparator.comparing(Problem::file)
      .thenComparingInt(Problem::line).thenComparingInt(Problem::column).thenComparing(Problem::message);

  public Problem {
    file = file == null ? "" : file;
    Objects.requireNonNull(message, "message");
    line = Math.max(0, line);
    column = Math.max(0, column);
  }

  public static Problem of(String message) {
    return new Problem("", 0, 0, message);
  }

  /** {@code file:line:column: message}, leaving out what is unknown. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    if (!file.isEmpty()) {
      sb.append(file);
      if (line > 0) {
        sb.append(':').append(line);
        if (column > 0) {
          sb.append(':').append(column);
        }
      }
      sb.append(": ");
    }
    return sb.append(message).toString();
  }

  @Override
  public int compareTo(Problem o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return render();
  }
}
