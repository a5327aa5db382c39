package io.vectorgate.proxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.proxy.recording.ProtoJson;
import io.vectorgate.recorder.Ack;
import io.vectorgate.recorder.ClientInfo;
import io.vectorgate.recorder.Enforcement;
import io.vectorgate.recorder.FsyncPolicy;
import io.vectorgate.recorder.RecordDraft;
import io.vectorgate.recorder.Recorder;
import io.vectorgate.recorder.RecorderConfig;
import io.vectorgate.recorder.SessionStart;
import io.vectorgate.recorder.Upstream;
import io.vectorgate.recorder.index.IndexConfig;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What recording costs the gateway's CPU per request, without the gateway: a real {@link Recorder}
 * (segments, chain, fsync policy, SQLite index) fed the draft the pipeline builds for a pymilvus
 * search on the sample {@code docs} collection (identity, operation, decision, enforcement and the
 * gRPC payloads as {@link ProtoJson#lazy} messages, taken from a recorded entry:
 * {@code bench/milvus-search-entry.json}), paced at RATE appends per second from one producer,
 * or as fast as the queue takes them (RATE 0). After WARMUP seconds it measures SECONDS and prints
 * the CPU per entry of the recorder's writer and index threads (user and system, from
 * {@link ThreadMXBean}) and of the whole JVM, and the producer's append cost. With {@code durable}
 * the producer waits for each ack, as a gateway with {@code acknowledge: durable} waits per request.
 *
 * <p>Usage: {@code RecordingCostDriver RATE SECONDS WARMUP FSYNC(every_record|interval) INDEX(sqlite|none)
 * [durable] [ROUNDS]}. Prints one Markdown row per round.
 */
public final class RecordingCostDriver {
  private RecordingCostDriver() {}

  public static void main(String[] args) throws Exception {
    int rate = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    int warmup = Integer.parseInt(args[2]);
    FsyncPolicy fsync = args[3].equals("interval") ? FsyncPolicy.INTERVAL : FsyncPolicy.EVERY_RECORD;
    boolean sqlite = args[4].equals("sqlite");
    boolean durable = args.length > 5 && args[5].equals("durable");
    int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 1;
    Template t = Template.load();
    Path dir = Files.createTempDirectory("vg-reccost");
    RecorderConfig config = RecorderConfig.builder(dir).fsync(fsync)
        .index(sqlite ? IndexConfig.sqlite(dir.resolve("index.sqlite")) : IndexConfig.none()).build();
    try (Recorder recorder = Recorder.open(config)) {
      var ticket = recorder.startSession(new SessionStart(Instant.now(), t.identity, t.client));
      String session = ticket.sessionId();
      run(recorder, session, t, rate, warmup, durable);
      System.out.printf("| rate/s | fsync | index | ack | entries | entries/s | writer user µs | writer sys µs"
          + " | index user µs | index sys µs | JVM µs | append ns |%n|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|%n");
      for (int r = 0; r < rounds; r++) {
        Threads before = Threads.snap();
        long cpu0 = processCpu();
        long t0 = System.nanoTime();
        Result res = run(recorder, session, t, rate, seconds, durable);
        recorder.flush().get(30, TimeUnit.SECONDS);
        long wall = System.nanoTime() - t0;
        long cpu = processCpu() - cpu0;
        Threads after = Threads.snap();
        double n = res.entries;
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |%n",
            rate == 0 ? "flood" : Integer.toString(rate), args[3], args[4], durable ? "durable" : "queued",
            res.entries, n * 1e9 / wall,
            (after.writerUser - before.writerUser) / n / 1e3, (after.writerSys() - before.writerSys()) / n / 1e3,
            (after.indexUser - before.indexUser) / n / 1e3, (after.indexSys() - before.indexSys()) / n / 1e3,
            cpu / n / 1e3, res.appendNanos / n);
      }
    }
  }

  private record Result(long entries, long appendNanos) {}

  private static Result run(Recorder recorder, String session, Template t, int rate, int seconds, boolean durable)
      throws Exception {
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long interval = rate == 0 ? 0 : 1_000_000_000L / rate;
    long next = start;
    long n = 0;
    long appendNanos = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      if (interval > 0) {
        if (now < next) {
          LockSupport.parkNanos(next - now);
          continue;
        }
        next += interval;
      }
      RecordDraft draft = t.draft(session);
      long a = System.nanoTime();
      CompletableFuture<Ack> f = append(recorder, draft, durable);
      appendNanos += System.nanoTime() - a;
      n++;
      if (durable) {
        f.get(30, TimeUnit.SECONDS);
      } else if (interval == 0 && (n & 1023) == 0) {
        f.get(30, TimeUnit.SECONDS); // flood: keep the queue from refusing (fail-closed) by waiting now and then
      }
    }
    return new Result(n, appendNanos);
  }

  /**
   * {@code Recorder.append(draft, callerWaits)} as the gateway calls it; on a build before that
   * method existed (before/after runs), {@code append(draft)}.
   */
  @SuppressWarnings("unchecked")
  private static CompletableFuture<Ack> append(Recorder r, RecordDraft d, boolean waits) throws Exception {
    if (APPEND_WAITS != null) {
      try {
        return (CompletableFuture<Ack>) APPEND_WAITS.invoke(r, d, waits);
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }
    return r.append(d);
  }

  private static final java.lang.invoke.MethodHandle APPEND_WAITS = appendWaits();

  private static java.lang.invoke.MethodHandle appendWaits() {
    try {
      return java.lang.invoke.MethodHandles.publicLookup().findVirtual(Recorder.class, "append",
          java.lang.invoke.MethodType.methodType(CompletableFuture.class, RecordDraft.class, boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU times of the recorder's writer and index threads (ns). */
  private record Threads(long writerUser, long writerCpu, long indexUser, long indexCpu) {
    long writerSys() {
      return writerCpu - writerUser;
    }

    long indexSys() {
      return indexCpu - indexUser;
    }

    static Threads snap() {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long wu = 0, wc = 0, iu = 0, ic = 0;
      for (ThreadInfo info : mx.dumpAllThreads(false, false)) {
        String name = info.getThreadName();
        long id = info.getThreadId();
        if (name.equals("vectorgate-recorder-writer")) {
          wu += mx.getThreadUserTime(id);
          wc += mx.getThreadCpuTime(id);
        } else if (name.equals("vectorgate-recorder-index")) {
          iu += mx.getThreadUserTime(id);
          ic += mx.getThreadCpuTime(id);
        }
      }
      return new Threads(wu, wc, iu, ic);
    }
  }

  /** The parts of a recorded search entry, as the pipeline hands them to the recorder. */
  private static final class Template {
    final Identity identity;
    final ClientInfo client;
    final Connection connection;
    final Operation operation;
    final Decision decision;
    final Enforcement enforcement;
    final Upstream upstream;
    final SearchRequest request;
    final SearchResults response;

    private Template(JsonNode e) throws Exception {
      ObjectMapper m = new ObjectMapper();
      identity = m.treeToValue(e.get("identity"), Identity.class);
      JsonNode c = e.get("client");
      client = new ClientInfo(c.get("address").asText(), c.get("connection_id").asText(), c.get("transport").asText());
      connection = m.treeToValue(e.get("connection"), Connection.class);
      operation = m.treeToValue(e.get("operation"), Operation.class);
      decision = m.treeToValue(e.get("decision"), Decision.class);
      enforcement = m.treeToValue(e.get("enforcement"), Enforcement.class);
      upstream = new Upstream(e.get("upstream").get("status").asText(), e.get("upstream").get("duration_us").asLong());
      ObjectNode req = e.get("request").deepCopy();
      req.remove("placeholder_group"); // recorded stripped; the client sends one 128-dim float vector
      SearchRequest.Builder rb = SearchRequest.newBuilder();
      JsonFormat.parser().merge(req.toString(), rb);
      request = rb.setPlaceholderGroup(ByteString.copyFrom(new byte[4 * 128 + 16])).build();
      SearchResults.Builder sb = SearchResults.newBuilder();
      JsonFormat.parser().merge(e.get("response").toString(), sb);
      response = sb.build();
    }

    static Template load() throws Exception {
      try (InputStream in = RecordingCostDriver.class.getResourceAsStream("/bench/milvus-search-entry.json")) {
        return new Template(new ObjectMapper().readTree(in));
      }
    }

    /** A new draft per request, as the pipeline builds one (fresh ids and time; immutable messages wrapped). */
    RecordDraft draft(String session) {
      Decision d = new Decision(decision.allow(), decision.reasons(), decision.obligations(),
          UUID.randomUUID().toString(), decision.revision());
      return RecordDraft.builder()
          .time(Instant.now())
          .sessionId(session)
          .requestId(UUID.randomUUID().toString())
          .identity(identity)
          .client(client)
          .connection(connection)
          .operation(operation)
          .request(ProtoJson.lazy(request))
          .decision(d)
          .enforcement(enforcement)
          .upstream(upstream)
          .response(ProtoJson.lazy(response))
          .build();
    }
  }
}
