package io.vectorgate.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header row, then the rows, every column as wide as its widest value, two
 * spaces between columns, the last column unpadded. Widths come from the values, so a long value
 * widens its column instead of shifting the rest of its row.
 */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  /** Adds a row; null values print as {@code -}. */
  Table row(Object... values) {
    if (values.length != header.size()) {
      throw new IllegalArgumentException("a row of " + values.length + " values for " + header.size() + " columns");
    }
    List<String> r = new ArrayList<>(values.length);
    for (Object v : values) {
      r.add(v == null ? "-" : String.valueOf(v));
    }
    rows.add(r);
    return this;
  }

  int size() {
    return rows.size();
  }

  /** Prints the header and the rows (the header alone for an empty table). */
  void print(PrintWriter out) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    out.println(line(header, width));
    for (List<String> r : rows) {
      out.println(line(r, width));
    }
  }

  private static String line(List<String> values, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      sb.append(v);
      if (i < values.size() - 1) {
        sb.append(" ".repeat(width[i] - v.length() + 2));
      }
    }
    return sb.toString().stripTrailing();
  }
}
