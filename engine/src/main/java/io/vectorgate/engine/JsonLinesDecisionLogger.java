package io.vectorgate.engine;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON object per line per decision, with OPA's decision-log field names:
 * {@code decision_id}, {@code timestamp} (RFC 3339), {@code path}, {@code bundles.<name>.revision},
 * {@code input}, {@code result}, {@code error}, {@code metrics} ({@code timer_rego_query_eval_ns}
 * and {@code timer_vectorgate_decision_ns}), {@code labels} and {@code erased}.
 *
 * <p>{@link #log} only offers the entry to a bounded queue; a single writer thread parses the
 * input, applies the {@link DecisionLogMasker} and writes. When the queue is full the entry is
 * dropped, counted ({@link EngineMetrics#decisionLogDropped()}) and reported in the log.
 */
public final class JsonLinesDecisionLogger implements DecisionLogger {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesDecisionLogger.class);
  private static final DecisionLogEntry STOP = new DecisionLogEntry(null, null, null, null, null,
      null, null, null, 0, 0);

  private final BlockingQueue<DecisionLogEntry> queue;
  private final Writer out;
  private final DecisionLogMasker masker;
  private final EngineMetrics metrics;
  private final Map<String, String> labels;
  private final String bundleName;
  private final Thread writer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();

  /**
   * @param out where lines go (closed by {@link #close()})
   * @param capacity queue size; entries beyond it are dropped and counted
   * @param masker what to erase from each event
   * @param metrics where drops are counted
   * @param labels OPA-style {@code labels} on every event (e.g. the gateway id)
   */
  public JsonLinesDecisionLogger(OutputStream out, int capacity, DecisionLogMasker masker,
      EngineMetrics metrics, Map<String, String> labels) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("decision log queue capacity must be positive");
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.out = new BufferedWriter(new OutputStreamWriter(Objects.requireNonNull(out, "out"),
        StandardCharsets.UTF_8), 64 * 1024);
    this.masker = Objects.requireNonNull(masker, "masker");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.labels = Map.copyOf(labels);
    this.bundleName = "vectorgate";
    this.writer = new Thread(this::drain, "vectorgate-decision-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Appends to {@code file} (created if missing). */
  public static JsonLinesDecisionLogger toFile(Path file, int capacity, DecisionLogMasker masker,
      EngineMetrics metrics) {
    try {
      OutputStream os = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return new JsonLinesDecisionLogger(os, capacity, masker, metrics, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open decision log " + file, e);
    }
  }

  @Override
  public void log(DecisionLogEntry entry) {
    if (closed.get() || !queue.offer(entry)) {
      long n = dropped.incrementAndGet();
      metrics.decisionLogDropped();
      if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ... : visible without flooding
        LOG.warn("decision log dropped events dropped_total={} reason={}", n, closed.get() ? "closed" : "queue_full");
      }
    }
  }

  /** Events dropped so far (queue full, write failure or closed). */
  public long dropped() {
    return dropped.get();
  }

  /** Events written so far. */
  public long written() {
    return written.get();
  }

  /** Builds the event object for one entry (exposed for tests and for other sinks). */
  public ObjectNode toEvent(DecisionLogEntry e) {
    ObjectNode ev = ContractJson.mapper().createObjectNode();
    if (!labels.isEmpty()) {
      ObjectNode l = ev.putObject("labels");
      labels.forEach(l::put);
    }
    ev.put("decision_id", e.decisionId());
    ev.put("timestamp", e.timestamp().toString());
    ev.put("path", e.path());
    ev.putObject("bundles").putObject(bundleName).put("revision", e.revision());
    if (e.inputJson() != null) {
      try {
        ev.set("input", ContractJson.mapper().readTree(e.inputJson()));
      } catch (IOException ex) {
        ev.put("input_unparsed", true); // validated before evaluation, so this means a bug upstream
      }
    }
    if (e.result() != null) {
      ev.set("result", ContractJson.mapper().valueToTree(e.result()));
    }
    if (e.errorCode() != null) {
      ObjectNode err = ev.putObject("error");
      err.put("code", e.errorCode());
      err.put("message", e.errorMessage());
    }
    ObjectNode m = ev.putObject("metrics");
    m.put("timer_rego_query_eval_ns", e.evalNanos());
    m.put("timer_vectorgate_decision_ns", e.totalNanos());
    List<String> erased = new ArrayList<>();
    for (String p : masker.pointersToErase(ev)) {
      if (erase(ev, p)) {
        erased.add(p);
      }
    }
    if (!erased.isEmpty()) {
      ArrayNode a = ev.putArray("erased");
      erased.forEach(a::add);
    }
    return ev;
  }

  private static boolean erase(ObjectNode ev, String pointer) {
    if (!(pointer.startsWith("/input") || pointer.startsWith("/result"))) {
      LOG.warn("decision log mask pointer ignored pointer={} reason=not_under_input_or_result", pointer);
      return false;
    }
    JsonPointer ptr;
    try {
      ptr = JsonPointer.compile(pointer);
    } catch (IllegalArgumentException ex) {
      LOG.warn("decision log mask pointer ignored pointer={} reason=invalid", pointer);
      return false;
    }
    JsonNode parent = ev.at(ptr.head());
    String last = ptr.last().getMatchingProperty();
    if (parent instanceof ObjectNode o && o.has(last)) {
      o.remove(last);
      return true;
    }
    if (parent instanceof ArrayNode a && ptr.last().mayMatchElement()) {
      int i = ptr.last().getMatchingIndex();
      if (i >= 0 && i < a.size()) {
        a.remove(i);
        return true;
      }
    }
    return false;
  }

  private void drain() {
    List<DecisionLogEntry> batch = new ArrayList<>(256);
    boolean stop = false;
    while (!stop) {
      try {
        DecisionLogEntry first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 255);
        for (DecisionLogEntry e : batch) {
          if (e == STOP) {
            stop = true;
            break;
          }
          writeOne(e);
        }
        batch.clear();
        out.flush();
      } catch (InterruptedException ie) {
        stop = true;
      } catch (IOException ioe) {
        LOG.error("decision log flush failed error={}", ioe.toString());
      }
    }
    // write whatever is still queued after the stop marker
    List<DecisionLogEntry> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (DecisionLogEntry e : rest) {
      if (e != STOP) {
        writeOne(e);
      }
    }
    try {
      out.flush();
    } catch (IOException ioe) {
      LOG.error("decision log final flush failed error={}", ioe.toString());
    }
  }

  private void writeOne(DecisionLogEntry e) {
    try {
      out.write(ContractJson.mapper().writeValueAsString(toEvent(e)));
      out.write('\n');
      written.incrementAndGet();
    } catch (IOException | RuntimeException ex) {
      long n = dropped.incrementAndGet();
      metrics.decisionLogDropped();
      LOG.error("decision log write failed decision_id={} dropped_total={} error={}", e.decisionId(), n, ex.toString());
    }
  }

  /** Writes what is queued, stops the writer and closes the stream. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      queue.put(STOP);
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("interrupted while closing the decision log; queued events may be lost queued={}", queue.size());
    } finally {
      try {
        out.close();
      } catch (IOException e) {
        LOG.error("decision log close failed error={}", e.toString());
      }
    }
  }
}
