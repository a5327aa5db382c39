package io.vectorgate.harness.traffic;

import io.vectorgate.engine.DecisionEngine;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.harness.replay.InputRebuilder;
import io.vectorgate.harness.replay.RecordedRequest;
import io.vectorgate.harness.replay.Replayer;
import io.vectorgate.harness.replay.Traffic;
import io.vectorgate.model.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs traffic-test files against one engine: every case's request is rebuilt through the gateway's
 * adapters ({@link InputRebuilder}), decided, and checked against its {@link Expectation}. A case
 * whose record is missing is an error of that case; a recording that cannot be read is an error of
 * every case referring to it.
 */
public final class TrafficTestRunner {
  private final DecisionEngine engine;
  private final int threads;
  private final Map<java.nio.file.Path, Traffic> recordings = new ConcurrentHashMap<>();

  public TrafficTestRunner(DecisionEngine engine, int threads) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.threads = threads;
  }

  /** Runs every case of {@code file}. */
  public List<CaseResult> run(TrafficTestFile file, Replayer.Progress progress) {
    String suite = file.file().getFileName().toString();
    Traffic traffic = null;
    String trafficError = null;
    if (file.recording() != null) {
      try {
        traffic = recordings.computeIfAbsent(file.recording(), Traffic::load);
      } catch (HarnessException e) {
        trafficError = e.getMessage();
      }
    }
    List<CaseResult> results = new ArrayList<>();
    List<RecordedRequest> requests = new ArrayList<>();
    List<TrafficCase> decided = new ArrayList<>();
    for (TrafficCase c : file.cases()) {
      if (c.recordId() != null) {
        if (trafficError != null) {
          results.add(error(suite, c, "recording `" + file.recording() + "` cannot be used: " + trafficError));
          continue;
        }
        var rec = traffic.find(c.recordId());
        if (rec.isEmpty()) {
          results.add(error(suite, c, "record `" + c.recordId() + "` is not in the recording " + file.recording()));
          continue;
        }
        requests.add(override(rec.get(), c));
      } else {
        requests.add(inline(c));
      }
      decided.add(c);
    }
    InputRebuilder rebuilder = new InputRebuilder(traffic == null ? Traffic.of("inline", List.of()).state() : traffic.state());
    List<Replayer.Replayed> replayed = Replayer.replay(requests, rebuilder, List.of(engine), threads, progress);
    for (int i = 0; i < decided.size(); i++) {
      results.add(check(suite, decided.get(i), replayed.get(i)));
    }
    results.sort((a, b) -> Integer.compare(indexOf(file, a.name()), indexOf(file, b.name())));
    return results;
  }

  private static int indexOf(TrafficTestFile f, String name) {
    for (int i = 0; i < f.cases().size(); i++) {
      if (f.cases().get(i).name().equals(name)) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  static CaseResult check(String suite, TrafficCase c, Replayer.Replayed r) {
    if (!r.rebuilt().ok()) {
      var err = r.rebuilt().error();
      List<String> f = c.expect().checkError(err.code(), err.message() + (err.field().isEmpty() ? "" : " (at `" + err.field() + "`)"));
      return new CaseResult(suite, c.name(), c.location(), f.isEmpty() ? CaseResult.Status.PASSED
          : (c.expect().error() == null ? CaseResult.Status.ERROR : CaseResult.Status.FAILED), f, null, List.of(), 0);
    }
    Decision d = r.decisions().get(0);
    List<String> f = c.expect().check(d);
    return new CaseResult(suite, c.name(), c.location(), f.isEmpty() ? CaseResult.Status.PASSED : CaseResult.Status.FAILED,
        f, d, r.rebuilt().drift(), 0);
  }

  private static CaseResult error(String suite, TrafficCase c, String message) {
    return new CaseResult(suite, c.name(), c.location(), CaseResult.Status.ERROR, List.of(message), null, List.of(), 0);
  }

  private static RecordedRequest override(RecordedRequest r, TrafficCase c) {
    return new RecordedRequest(r.id(), r.location(), c.time() != null ? c.time() : r.time(), r.requestId(),
        c.clientAddress() != null ? c.clientAddress() : r.clientAddress(),
        c.identity() != null ? c.identity() : r.identity(), r.connection(), r.operation(), r.decision(),
        r.request(), r.response(), c.context() != null ? c.context() : r.context(), r.upstreamStatus());
  }

  private static RecordedRequest inline(TrafficCase c) {
    return new RecordedRequest(c.name(), c.location(), c.time() != null ? c.time() : Instant.now(), "harness-" + c.name(),
        c.clientAddress(), c.identity(), c.connection(), null, null, c.request(), null, c.context());
  }
}
