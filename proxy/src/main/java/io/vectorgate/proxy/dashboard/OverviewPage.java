package io.vectorgate.proxy.dashboard;

import io.vectorgate.engine.LongAdderEngineMetrics;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.recorder.RecorderStats;
import io.vectorgate.recorder.RecordingStore;
import io.vectorgate.recorder.index.IndexedRecord;
import io.vectorgate.recorder.index.Page;
import io.vectorgate.recorder.index.RecordQuery;
import io.vectorgate.rollout.RolloutController;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The overview: requests by outcome over time, top deny reasons, users and collections (from the
 * recording index), and the health of the policy engine, the rollout and the recorder. Charts are
 * inline SVG built here (no script, no external file), every label escaped; each chart has the
 * same numbers as a table for keyboard and screen-reader users.
 */
final class OverviewPage {
  /** The time windows offered, in hours. */
  static final List<Integer> WINDOWS = List.of(1, 6, 24, 168);
  static final int BUCKETS = 24;
  /** Requests counted per view at most (the page says when the window holds more). */
  static final int MAX_COUNTED = 50_000;
  static final int TOP = 8;
  /** Enforcement outcomes in chart order; anything else is {@code other}. */
  static final List<String> OUTCOMES = List.of("forwarded", "denied", "held", "approved", "rejected", "error", "other");

  private final RecordingStore store;
  private final PolicyEngine engine;
  private final RolloutController rollout;
  private final Supplier<Map<String, Long>> counters;
  private final Supplier<RecorderStats> recorderStats;

  OverviewPage(RecordingStore store, PolicyEngine engine, RolloutController rollout, Supplier<Map<String, Long>> counters,
      Supplier<RecorderStats> recorderStats) {
    this.store = store;
    this.engine = engine;
    this.rollout = rollout;
    this.counters = counters;
    this.recorderStats = recorderStats;
  }

  /** What the recorded requests of one window add up to. */
  record Traffic(Instant from, Instant to, long[][] buckets, Map<String, Long> denyReasons, Map<String, Long> users,
      Map<String, Long> collections, long counted, boolean truncated) {

    /** Counts {@code records} (requests in {@code [from, to)}) into {@code n} equal buckets by outcome. */
    static Traffic count(Iterable<IndexedRecord> records, Instant from, Instant to, int n, long max) {
      long[][] b = new long[n][OUTCOMES.size()];
      Map<String, Long> reasons = new HashMap<>();
      Map<String, Long> users = new HashMap<>();
      Map<String, Long> collections = new HashMap<>();
      long span = Duration.between(from, to).toNanos();
      long counted = 0;
      boolean truncated = false;
      for (IndexedRecord r : records) {
        if (r.time().isBefore(from) || !r.time().isBefore(to)) {
          continue;
        }
        if (counted == max) {
          truncated = true;
          break;
        }
        counted++;
        int i = (int) Math.min(n - 1, Duration.between(from, r.time()).toNanos() * n / span);
        b[i][outcomeIndex(r)]++;
        if (Boolean.FALSE.equals(r.allow())) {
          r.reasonCodes().forEach(c -> reasons.merge(c, 1L, Long::sum));
        }
        if (r.subject() != null) {
          users.merge(r.subject(), 1L, Long::sum);
        }
        if (r.collection() != null) {
          collections.merge(r.collection(), 1L, Long::sum);
        }
      }
      return new Traffic(from, to, b, reasons, users, collections, counted, truncated);
    }

    static int outcomeIndex(IndexedRecord r) {
      String o = r.outcome() != null ? r.outcome()
          : Boolean.TRUE.equals(r.allow()) ? "forwarded" : Boolean.FALSE.equals(r.allow()) ? "denied" : "error";
      int i = OUTCOMES.indexOf(o);
      return i < 0 ? OUTCOMES.size() - 1 : i;
    }

    long total(int outcome) {
      long t = 0;
      for (long[] bucket : buckets) {
        t += bucket[outcome];
      }
      return t;
    }
  }

  DashboardHandler.Result view(Map<String, String> q) throws DashboardHandler.PageError, IOException {
    for (String k : q.keySet()) {
      if (!k.equals("hours")) {
        throw new DashboardHandler.PageError(400, "unknown parameter `" + DashboardHandler.printable(k)
            + "`; known: hours");
      }
    }
    int hours = 24;
    if (q.containsKey("hours")) {
      try {
        hours = Integer.parseInt(q.get("hours"));
      } catch (NumberFormatException e) {
        hours = -1;
      }
      if (!WINDOWS.contains(hours)) {
        throw new DashboardHandler.PageError(400, "parameter `hours` must be one of " + WINDOWS);
      }
    }
    List<Html> windows = new ArrayList<>();
    for (int h : WINDOWS) {
      windows.add(h == hours ? Html.of("<li><strong aria-current=\"page\">%s</strong></li>", label(h))
          : Html.of("<li><a href=\"%s\">%s</a></li>", Pages.BASE + "/overview?hours=" + h, label(h)));
    }
    Html traffic;
    if (store == null || !store.hasIndex()) {
      traffic = Pages.notice("No recording index here: traffic charts need `recording:` with an index and"
          + " `recording.admin:`.", false);
    } else {
      Instant to = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
      Instant from = to.minus(Duration.ofHours(hours));
      traffic = traffic(Traffic.count(records(from, to), from, to, BUCKETS, MAX_COUNTED), hours);
    }
    Html body = Html.of("""
        <nav aria-label="Time window"><ul class="windows">%s</ul></nav>
        %s
        <section aria-labelledby="health"><h2 id="health">Health</h2><div class="cards">%s%s%s</div></section>""",
        Html.join(windows), traffic, engineHealth(), recorderHealth(), countersCard());
    return new DashboardHandler.Result.Page(200, "Overview", body);
  }

  /**
   * The window's request records, oldest first, read a page at a time until more than
   * {@link #MAX_COUNTED} are in hand (so {@link Traffic#count} can tell that the window held more).
   */
  private Iterable<IndexedRecord> records(Instant from, Instant to) throws IOException {
    List<IndexedRecord> out = new ArrayList<>();
    RecordQuery q = RecordQuery.builder().from(from).to(to).limit(RecordQuery.MAX_LIMIT).build();
    Page<IndexedRecord> page;
    do {
      page = store.list(q);
      out.addAll(page.items());
      q = q.withCursor(page.nextCursor());
    } while (page.nextCursor() != null && out.size() <= MAX_COUNTED);
    return out;
  }

  private static String label(int hours) {
    return hours < 24 ? hours + " h" : hours == 24 ? "24 h" : (hours / 24) + " days";
  }

  private static Html traffic(Traffic t, int hours) {
    String total = t.counted() + (t.truncated() ? "+" : "");
    return Html.of("""
        <section aria-labelledby="outcomes"><h2 id="outcomes">Requests by outcome, last %s (%s)</h2>
        %s%s%s
        <details><summary>The numbers as a table</summary>%s</details></section>
        <div class="cards">
        <section aria-labelledby="top-reasons" class="card"><h2 id="top-reasons">Top deny reasons</h2>%s</section>
        <section aria-labelledby="top-users" class="card"><h2 id="top-users">Top users</h2>%s</section>
        <section aria-labelledby="top-collections" class="card"><h2 id="top-collections">Top collections</h2>%s</section>
        </div>""", label(hours), total,
        t.truncated() ? Pages.notice("Only the first " + MAX_COUNTED + " requests of this window are counted.", false)
            : Html.EMPTY,
        chart(t, hours), legend(t), table(t, hours), top(t.denyReasons(), "reason"), top(t.users(), "user"),
        top(t.collections(), "collection"));
  }

  static final int W = 640;
  static final int H = 220;
  static final int LEFT = 44;
  static final int BOTTOM = 24;
  static final int TOP_PAD = 10;

  /** A stacked bar chart: one bar per bucket, one segment per outcome, each with a {@code <title>}. */
  static Html chart(Traffic t, int hours) {
    int n = t.buckets().length;
    long max = 1;
    for (long[] b : t.buckets()) {
      long sum = 0;
      for (long v : b) {
        sum += v;
      }
      max = Math.max(max, sum);
    }
    double plotH = H - BOTTOM - TOP_PAD;
    double bw = (W - LEFT - 4) / (double) n;
    List<Html> parts = new ArrayList<>();
    parts.add(Html.of("<line class=\"axis\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>", LEFT, H - BOTTOM, W - 2,
        H - BOTTOM));
    parts.add(Html.of("<text class=\"tick\" x=\"%s\" y=\"%s\" text-anchor=\"end\">%s</text>", LEFT - 6, TOP_PAD + 4,
        max));
    parts.add(Html.of("<text class=\"tick\" x=\"%s\" y=\"%s\" text-anchor=\"end\">0</text>", LEFT - 6, H - BOTTOM));
    Duration step = Duration.between(t.from(), t.to()).dividedBy(n);
    DateTimeFormatter fmt = DateTimeFormatter.ofPattern(hours > 24 ? "MM-dd HH:mm" : "HH:mm", Locale.ROOT)
        .withZone(ZoneOffset.UTC);
    for (int i = 0; i < n; i++) {
      Instant start = t.from().plus(step.multipliedBy(i));
      double x = LEFT + 2 + i * bw;
      double y = H - BOTTOM;
      for (int o = 0; o < OUTCOMES.size(); o++) {
        long v = t.buckets()[i][o];
        if (v == 0) {
          continue;
        }
        double h = v * plotH / max;
        y -= h;
        parts.add(Html.of("<rect class=\"s-%s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"><title>%s UTC, %s: %s %s</title></rect>",
            OUTCOMES.get(o), num(x), num(y), num(Math.max(1, bw - 2)), num(h), fmt.format(start), step.toMinutes()
            + " min", v, OUTCOMES.get(o)));
      }
      if (i % 6 == 0) {
        parts.add(Html.of("<text class=\"tick\" x=\"%s\" y=\"%s\">%s</text>", num(x), H - BOTTOM + 16,
            fmt.format(start)));
      }
    }
    return Html.of("<svg class=\"chart\" viewBox=\"0 0 %s %s\" role=\"img\" aria-labelledby=\"outcomes\">%s</svg>", W, H, Html.join(parts));
  }

  private static Html legend(Traffic t) {
    List<Html> items = new ArrayList<>();
    for (int o = 0; o < OUTCOMES.size(); o++) {
      long total = t.total(o);
      if (total > 0) {
        items.add(Html.of("<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect class=\"s-%s\" width=\"12\""
            + " height=\"12\"/></svg> %s: %s</li>", OUTCOMES.get(o), OUTCOMES.get(o), total));
      }
    }
    return items.isEmpty() ? Html.of("<p>No requests recorded in this window.</p>")
        : Html.of("<ul class=\"legend\">%s</ul>", Html.join(items));
  }

  private static Html table(Traffic t, int hours) {
    Duration step = Duration.between(t.from(), t.to()).dividedBy(t.buckets().length);
    DateTimeFormatter fmt = DateTimeFormatter.ofPattern(hours > 24 ? "MM-dd HH:mm" : "HH:mm", Locale.ROOT)
        .withZone(ZoneOffset.UTC);
    List<Html> head = new ArrayList<>();
    OUTCOMES.forEach(o -> head.add(Html.of("<th scope=\"col\">%s</th>", o)));
    List<Html> rows = new ArrayList<>();
    for (int i = 0; i < t.buckets().length; i++) {
      List<Html> cells = new ArrayList<>();
      for (long v : t.buckets()[i]) {
        cells.add(Html.of("<td>%s</td>", v));
      }
      rows.add(Html.of("<tr><th scope=\"row\">%s</th>%s</tr>", fmt.format(t.from().plus(step.multipliedBy(i))),
          Html.join(cells)));
    }
    return Html.of("<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">From (UTC)</th>%s</tr></thead>"
        + "<tbody>%s</tbody></table></div>", Html.join(head), Html.join(rows));
  }

  /** The {@link #TOP} largest counts, each with a bar scaled to the largest. */
  static Html top(Map<String, Long> counts, String what) {
    if (counts.isEmpty()) {
      return Html.of("<p>None in this window.</p>");
    }
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(new TreeMap<>(counts).entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    long max = sorted.get(0).getValue();
    List<Html> rows = new ArrayList<>();
    for (Map.Entry<String, Long> e : sorted.subList(0, Math.min(TOP, sorted.size()))) {
      rows.add(Html.of("<tr><td><code>%s</code></td><td>%s</td><td><svg class=\"bar\" viewBox=\"0 0 100 10\""
          + " preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect width=\"%s\" height=\"10\"/></svg></td></tr>",
          e.getKey(), e.getValue(), num(100.0 * e.getValue() / max)));
    }
    return Html.of("<table class=\"top\"><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">Requests</th>"
        + "<th scope=\"col\"><span class=\"sr-only\">share</span></th></tr></thead><tbody>%s</tbody></table>", what,
        Html.join(rows));
  }

  private Html engineHealth() {
    List<Html> rows = new ArrayList<>();
    boolean ok = engine == null || engine.activeRevision().isPresent();
    rows.add(kv("Active revision", engine == null ? "-" : engine.activeRevision().orElse("none: every request is denied")));
    io.vectorgate.engine.EngineInUse in = engine == null ? null : engine.activeEngine().orElse(null);
    if (in != null) {
      rows.add(kv("Engine", in.fellBack() ? "wasm (the plan engine cannot run this revision: " + in.fallback() + ")"
          : in.engine().wireName()));
    }
    if (engine != null && engine.config().metrics() instanceof LongAdderEngineMetrics m) {
      rows.add(kv("Decisions", m.allowed() + " allowed, " + m.denied() + " denied"));
      List<String> failClosed = new ArrayList<>();
      new TreeMap<>(m.snapshot()).forEach((k, v) -> {
        if (k.startsWith("fail_closed.") && v > 0) {
          failClosed.add(k.substring("fail_closed.".length()) + " " + v);
        }
      });
      rows.add(kv("Failed closed", failClosed.isEmpty() ? "none" : String.join(", ", failClosed)));
      rows.add(kv("Activations", m.activations() + " succeeded, " + m.activationFailures() + " failed"));
    }
    if (rollout != null) {
      RolloutController.Status st = rollout.status();
      boolean broken = st.brokenHead().isPresent() || st.brokenPin().isPresent();
      ok &= !broken;
      rows.add(kv("Rollout", st.source() + (st.pin().isPresent() ? ", pinned to " + st.pin().get().revision() : "")));
      rows.add(kv("Last failed check", st.lastFailure().map(f -> f.failure().stage().wireName() + " of "
          + f.revision() + " at " + f.at()).orElse("none")));
      if (broken) {
        rows.add(kv("Broken", st.brokenHead().isPresent() ? "the newest revision does not build; an earlier one serves"
            : "the pinned revision does not build; the branch is followed"));
      }
    } else {
      rows.add(kv("Rollout", "static policy"));
    }
    return card("Policy engine", ok, Html.join(rows));
  }

  private Html recorderHealth() {
    if (recorderStats == null) {
      return card("Recorder", true, kv("Recording", "off"));
    }
    RecorderStats s = recorderStats.get();
    return card("Recorder", s.healthy() && s.failures() == 0 && s.indexFailures() == 0, Html.join(
        kv("Accepting records", s.healthy() ? "yes" : "no"),
        kv("Written", s.written()),
        kv("Dropped / refused", s.dropped() + " / " + s.refused()),
        kv("Write / index failures", s.failures() + " / " + s.indexFailures()),
        kv("Queue depth", s.queueDepth()),
        kv("Last error", s.lastError() == null ? "none" : s.lastError())));
  }

  private Html countersCard() {
    if (counters == null) {
      return Html.EMPTY;
    }
    List<Html> rows = new ArrayList<>();
    new TreeMap<>(counters.get()).forEach((k, v) -> rows.add(kv(k, v)));
    return card("Gateway counters since start", true, rows.isEmpty() ? Html.of("<p>No requests yet.</p>")
        : Html.join(rows));
  }

  private static Html kv(String k, Object v) {
    return Html.of("<dt>%s</dt><dd>%s</dd>", k, v);
  }

  private static Html card(String title, boolean ok, Html rows) {
    return Html.of("<section class=\"card\"><h3>%s <span class=\"%s\">%s</span></h3><dl class=\"kv\">%s</dl></section>",
        title, ok ? "allow" : "deny", ok ? "ok" : "needs attention", rows);
  }

  private static String num(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }
}
