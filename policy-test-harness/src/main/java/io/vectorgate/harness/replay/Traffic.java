package io.vectorgate.harness.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Decision;
import io.vectorgate.model.Identity;
import io.vectorgate.model.Operation;
import io.vectorgate.recorder.RecordFormat;
import io.vectorgate.recorder.RecordingCorruptException;
import io.vectorgate.recorder.RecordingReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Recorded traffic: the {@code request} entries of a recording directory (every segment, plain or
 * gzip) or of an export file ({@code vectorgate sessions export}, JSONL, optionally gzip), in seq
 * order, plus what the recording tells about collection schemas and Chroma collection ids
 * ({@link RecordedState}), which the replay needs to rebuild operations the way the gateway did.
 *
 * <p>Entries of other kinds are skipped. An entry that is not a {@code vectorgate-record/v1} entry,
 * or whose identity, connection, operation or decision does not have the contract's shape, fails the
 * whole load with a {@link HarnessException} naming the file and line: traffic is never silently
 * partial. Payloads that were not recorded ({@code request} absent) are not a load error; replaying
 * such an entry is reported as an error for that record.
 */
public final class Traffic {
  /** Most request entries one load accepts. */
  public static final int MAX_REQUESTS = 5_000_000;

  private static final ObjectMapper JSON = ContractJson.mapper();

  private final String source;
  private final List<RecordedRequest> requests;
  private final Map<String, RecordedRequest> byId;
  private final RecordedState state;

  private Traffic(String source, List<RecordedRequest> requests, RecordedState state) {
    this.source = source;
    this.requests = Collections.unmodifiableList(requests);
    Map<String, RecordedRequest> ids = new LinkedHashMap<>();
    for (RecordedRequest r : requests) {
      RecordedRequest prev = ids.putIfAbsent(r.id(), r);
      if (prev != null) {
        throw new HarnessException(r.location(), "record id `" + r.id() + "` appears twice (first at " + prev.location() + ")");
      }
    }
    this.byId = Collections.unmodifiableMap(ids);
    this.state = state;
  }

  /** Traffic built in memory (tests, inline cases). */
  public static Traffic of(String source, List<RecordedRequest> requests) {
    return new Traffic(source, new ArrayList<>(requests), new RecordedState());
  }

  /** Loads a recording directory or an export file. */
  public static Traffic load(Path path) {
    if (Files.isDirectory(path)) {
      return loadRecording(path);
    }
    if (Files.isRegularFile(path)) {
      return loadExport(path);
    }
    throw new HarnessException(path.toString(), "traffic source does not exist (expected a recording directory or an export file)");
  }

  private static Traffic loadRecording(Path dir) {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedState state = new RecordedState();
    RecordingReader reader = new RecordingReader(dir);
    Shared shared = new Shared();
    try {
      if (reader.segments().isEmpty()) {
        throw new HarnessException(dir.toString(), "not a recording: no segment-*.jsonl[.gz] files");
      }
      reader.forEach(e -> {
        String loc = dir.resolve(e.segment().fileName()) + " line " + e.line();
        accept(e.entry(), loc, out, state, shared);
        return true;
      });
    } catch (RecordingCorruptException e) {
      throw new HarnessException(dir.toString(), "recording is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new HarnessException(dir.toString(), "cannot read recording: " + e.getMessage(), e);
    }
    return new Traffic(dir.toString(), out, state);
  }

  /** Lines of an export parsed together, in parallel, before they are accepted in file order. */
  static final int BATCH = 2048;
  /** Characters of one batch at most (besides its last line), so large payloads do not pile up in memory. */
  static final long BATCH_CHARS = 32L << 20;

  private static Traffic loadExport(Path file) {
    return loadExport(file, true);
  }

  /**
   * Reads an export. Lines are parsed in batches ({@code parallel}: on the common fork-join pool) and
   * accepted strictly in file order, so the result, and the error (the first bad line's), are those of
   * a line-by-line read.
   */
  static Traffic loadExport(Path file, boolean parallel) {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedState state = new RecordedState();
    Shared shared = new Shared();
    try (InputStream raw = Files.newInputStream(file);
         InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>(BATCH);
      long first = 1;
      String line;
      long n = 0;
      long chars = 0;
      while ((line = r.readLine()) != null) {
        n++;
        lines.add(line);
        chars += line.length();
        if (lines.size() == BATCH || chars >= BATCH_CHARS) {
          acceptAll(file, first, lines, parallel, shared, out, state);
          first = n + 1;
          lines.clear();
          chars = 0;
        }
      }
      acceptAll(file, first, lines, parallel, shared, out, state);
    } catch (IOException e) {
      throw new HarnessException(file.toString(), "cannot read export: " + e.getMessage(), e);
    }
    return new Traffic(file.toString(), out, state);
  }

  /** One export line parsed: a request, an entry of another kind (both null), or why the line is refused. */
  private record Parsed(RecordedRequest request, HarnessException refused, HarnessException invalidRequest) {}

  private static void acceptAll(Path file, long first, List<String> lines, boolean parallel, Shared shared,
      List<RecordedRequest> out, RecordedState state) {
    java.util.stream.IntStream idx = java.util.stream.IntStream.range(0, lines.size());
    List<Parsed> parsed = (parallel ? idx.parallel() : idx)
        .mapToObj(i -> parseLine(file + " line " + (first + i), lines.get(i), shared)).toList();
    for (Parsed p : parsed) {
      if (p.refused() != null) {
        throw p.refused();
      }
      if (p.request() == null && p.invalidRequest() == null) {
        continue; // blank, or not a request entry
      }
      if (out.size() >= MAX_REQUESTS) {
        String loc = p.request() != null ? p.request().location() : p.invalidRequest().location();
        throw new HarnessException(loc, "more than " + MAX_REQUESTS + " request entries; replay an export of a smaller range");
      }
      if (p.invalidRequest() != null) {
        throw p.invalidRequest();
      }
      out.add(p.request());
      state.learn(p.request());
    }
  }

  /** Everything about one line that does not depend on the lines before it. */
  private static Parsed parseLine(String loc, String line, Shared shared) {
    try {
      if (line.isBlank()) {
        return new Parsed(null, null, null);
      }
      if (line.length() > RecordFormat.MAX_LINE_BYTES) {
        throw new HarnessException(loc, "line longer than " + RecordFormat.MAX_LINE_BYTES + " characters");
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new HarnessException(loc, "not valid JSON: " + e.getOriginalMessage(), e);
      }
      if (!(node instanceof ObjectNode o)) {
        throw new HarnessException(loc, "not a JSON object");
      }
      if (!isRequest(o, loc)) {
        return new Parsed(null, null, null);
      }
      try {
        return new Parsed(parseRequest(o, loc, shared), null, null);
      } catch (HarnessException e) {
        return new Parsed(null, null, e);
      }
    } catch (HarnessException e) {
      return new Parsed(null, e, null);
    }
  }

  private static void accept(ObjectNode e, String loc, List<RecordedRequest> out, RecordedState state, Shared shared) {
    if (!isRequest(e, loc)) {
      return;
    }
    if (out.size() >= MAX_REQUESTS) {
      throw new HarnessException(loc, "more than " + MAX_REQUESTS + " request entries; replay an export of a smaller range");
    }
    RecordedRequest r = parseRequest(e, loc, shared);
    out.add(r);
    state.learn(r);
  }

  /** Whether the entry is a request entry; an entry that is not {@code vectorgate-record/v1} is an error. */
  private static boolean isRequest(ObjectNode e, String loc) {
    String format = e.path(RecordFormat.F_FORMAT).asText(null);
    if (!RecordFormat.FORMAT.equals(format)) {
      throw new HarnessException(loc, "unknown record format `" + format + "` (this harness reads " + RecordFormat.FORMAT + ")");
    }
    return RecordFormat.KIND_REQUEST.equals(e.path(RecordFormat.F_KIND).asText());
  }

  /**
   * Identities and connections already converted in one load, by their JSON: a recording repeats a few
   * callers and upstreams on every line, and converting the same tree gives the same immutable value.
   * Bounded: past {@link #MAX_SHARED} distinct trees, further ones are converted each time.
   */
  static final class Shared {
    static final int MAX_SHARED = 10_000;
    private final Map<JsonNode, Identity> identities = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<JsonNode, Connection> connections = new java.util.concurrent.ConcurrentHashMap<>();

    static <T> T get(Map<JsonNode, T> cache, JsonNode n, Class<T> type, String field, String loc) {
      T v = cache.get(n);
      if (v == null) {
        v = convert(n, type, field, loc); // an error names this line; only values are kept
        if (cache.size() < MAX_SHARED) {
          cache.put(n, v);
        }
      }
      return v;
    }
  }

  /** Parses one {@code request} entry; {@code loc} names it in errors. */
  public static RecordedRequest parseRequest(ObjectNode e, String loc) {
    return parseRequest(e, loc, null);
  }

  private static RecordedRequest parseRequest(ObjectNode e, String loc, Shared shared) {
    String id = text(e, RecordFormat.F_ID, loc, true);
    Instant time;
    try {
      time = Instant.parse(text(e, RecordFormat.F_TIME, loc, true));
    } catch (DateTimeParseException ex) {
      throw new HarnessException(loc, "`time` is not an RFC 3339 instant: " + ex.getParsedString(), ex);
    }
    Identity identity = e.hasNonNull("identity") ? (shared == null
        ? convert(e.get("identity"), Identity.class, "identity", loc)
        : Shared.get(shared.identities, e.get("identity"), Identity.class, "identity", loc))
        : new Identity(null, null, List.of(), null, null, Map.of());
    if (!e.hasNonNull("connection")) {
      throw new HarnessException(loc, "record `" + id + "` has no `connection` (name and kind of the upstream)");
    }
    Connection connection = shared == null ? convert(e.get("connection"), Connection.class, "connection", loc)
        : Shared.get(shared.connections, e.get("connection"), Connection.class, "connection", loc);
    Operation operation = e.hasNonNull("operation") ? convert(e.get("operation"), Operation.class, "operation", loc) : null;
    Decision decision = e.hasNonNull("decision") ? convert(e.get("decision"), Decision.class, "decision", loc) : null;
    JsonNode client = e.path("client");
    String address = client.path("address").isTextual() ? client.get("address").textValue() : null;
    return new RecordedRequest(id, loc, time, optText(e, "request_id"), address, identity, connection, operation,
        decision, e.hasNonNull("request") ? e.get("request") : null,
        e.hasNonNull("response") ? e.get("response") : null,
        e.path("context").isObject() ? e.get("context") : null,
        e.path("upstream").path("status").isValueNode() && !e.path("upstream").path("status").isNull()
            ? e.path("upstream").path("status").asText() : null);
  }

  static <T> T convert(JsonNode n, Class<T> type, String field, String loc) {
    if (!n.isObject()) {
      throw new HarnessException(loc, "`" + field + "` must be an object, is " + n.getNodeType().toString().toLowerCase());
    }
    try {
      return JSON.treeToValue(n, type);
    } catch (JsonProcessingException | IllegalArgumentException ex) {
      String msg = ex instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : ex.getMessage();
      throw new HarnessException(loc, "`" + field + "` does not have the contract's shape: " + msg, ex);
    }
  }

  private static String text(JsonNode e, String field, String loc, boolean required) {
    JsonNode v = e.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new HarnessException(loc, "entry has no `" + field + "`");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new HarnessException(loc, "`" + field + "` must be a string");
    }
    return v.textValue();
  }

  private static String optText(JsonNode e, String field) {
    JsonNode v = e.get(field);
    return v != null && v.isTextual() ? v.textValue() : null;
  }

  public String source() {
    return source;
  }

  public List<RecordedRequest> requests() {
    return requests;
  }

  public Optional<RecordedRequest> find(String recordId) {
    return Optional.ofNullable(byId.get(recordId));
  }

  /** Schemas and Chroma collection names seen in this traffic. */
  public RecordedState state() {
    return state;
  }
}
