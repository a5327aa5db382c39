package io.vectorgate.rollout;

import java.util.Comparator;
import java.util.Objects;

/**
 * One diagnostic of a failed stage: the file relative to the repository root (empty when none),
 * 1-based line and column (0 when unknown) and the message.
 */
public record Problem(String file, int line, int column, String message) implements Comparable<Problem> {
  /** By file, line, column, message; numbers inside names and messages compare by value (`x:2` before `x:12`). */
  private static final Comparator<Problem> ORDER = Comparator.comparing(Problem::file, Problem::natural)
      .thenComparingInt(Problem::line).thenComparingInt(Problem::column).thenComparing(Problem::message, Problem::natural);

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

  /** Compares runs of digits by value and everything else by character. */
  static int natural(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (Character.isDigit(x) && Character.isDigit(y)) {
        int i2 = i;
        int j2 = j;
        while (i2 < a.length() && Character.isDigit(a.charAt(i2))) {
          i2++;
        }
        while (j2 < b.length() && Character.isDigit(b.charAt(j2))) {
          j2++;
        }
        String na = a.substring(i, i2).replaceFirst("^0+(?=.)", "");
        String nb = b.substring(j, j2).replaceFirst("^0+(?=.)", "");
        int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
        if (c != 0) {
          return c;
        }
        i = i2;
        j = j2;
      } else {
        if (x != y) {
          return Character.compare(x, y);
        }
        i++;
        j++;
      }
    }
    int c = Integer.compare(a.length() - i, b.length() - j);
    return c != 0 ? c : a.compareTo(b);
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
