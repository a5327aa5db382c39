package io.vectorgate.harness.report;

import java.util.Locale;
import java.util.Map;

/** Self-contained HTML pieces: inline CSS and SVG, no scripts, nothing loaded from elsewhere. */
final class Html {
  private Html() {}

  static void head(StringBuilder sb, String title) {
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
        .append("<title>").append(Xml.esc(title)).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}")
        .append("td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}")
        .append("th{background:#f3f3f3}tr.bad td{background:#fdecea}p.ok{color:#2e7d32;font-weight:bold}")
        .append("p.bad{color:#c62828;font-weight:bold}pre{margin:0;white-space:pre-wrap}")
        .append("svg text{font-size:12px;font-family:system-ui,sans-serif}\n</style>\n</head>\n<body>\n");
  }

  /**
   * A horizontal stacked bar chart: one bar per key, one segment per series (values in key order).
   */
  static String stackedBars(Map<String, long[]> rows, String[] series, String[] colors) {
    long max = 1;
    for (long[] v : rows.values()) {
      long s = 0;
      for (long x : v) {
        s += x;
      }
      max = Math.max(max, s);
    }
    int labelW = 260;
    int barW = 480;
    int rowH = 22;
    int height = rows.size() * rowH + 30;
    StringBuilder sb = new StringBuilder();
    sb.append("<svg role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(labelW + barW + 80)
        .append("\" height=\"").append(height).append("\">\n");
    int y = 0;
    for (Map.Entry<String, long[]> e : rows.entrySet()) {
      sb.append("<text x=\"0\" y=\"").append(y + 15).append("\">").append(Xml.esc(truncate(e.getKey(), 40))).append("</text>\n");
      double x = labelW;
      long total = 0;
      for (int i = 0; i < e.getValue().length; i++) {
        long v = e.getValue()[i];
        total += v;
        double w = barW * (double) v / max;
        if (v > 0) {
          sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %d</title></rect>%n",
              x, y + 3, Math.max(w, 1.0), rowH - 6, colors[i % colors.length], Xml.esc(series[i]), v));
        }
        x += w;
      }
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%d</text>%n", x + 4, y + 15, total));
      y += rowH;
    }
    int lx = 0;
    for (int i = 0; i < series.length; i++) {
      sb.append("<rect x=\"").append(lx).append("\" y=\"").append(y + 8).append("\" width=\"12\" height=\"12\" fill=\"")
          .append(colors[i % colors.length]).append("\"/><text x=\"").append(lx + 16).append("\" y=\"").append(y + 18)
          .append("\">").append(Xml.esc(series[i])).append("</text>\n");
      lx += 20 + series[i].length() * 8;
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  static String truncate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
