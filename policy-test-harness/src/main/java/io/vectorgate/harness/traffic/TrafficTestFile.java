package io.vectorgate.harness.traffic;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.model.Connection;
import io.vectorgate.model.Identity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A traffic-test file ({@code *.traffic.yaml}, {@code *.traffic.yml} or {@code *.traffic.json}),
 * version {@value #VERSION}. See {@code docs/harness.md} for the format. Parsing is strict: unknown
 * fields, wrong types, duplicate keys, duplicate case names and cases that are neither recorded nor
 * inline are errors naming {@code file:line:col}.
 *
 * @param recording the recording directory or export file the {@code record} cases refer to
 *     (resolved against the file's directory), or null
 */
public record TrafficTestFile(Path file, String version, Path recording, List<TrafficCase> cases) {
  public static final String VERSION = "vectorgate-traffic-test/v1";
  /** Largest file accepted. */
  public static final long MAX_BYTES = 16L << 20;

  private static final Set<String> TOP = Set.of("version", "recording", "defaults", "cases");
  private static final Set<String> DEFAULTS = Set.of("identity", "connection", "time", "client_address");
  private static final Set<String> CASE = Set.of("name", "record", "request", "identity", "connection", "time",
      "client_address", "context", "expect");

  /** Whether a file name is a traffic-test file. */
  public static boolean isTrafficFile(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".traffic.yaml") || n.endsWith(".traffic.yml") || n.endsWith(".traffic.json");
  }

  public static TrafficTestFile read(Path file) {
    String where = file.toString();
    try {
      if (!Files.isRegularFile(file)) {
        throw new HarnessException(where, "traffic-test file does not exist");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new HarnessException(where, "traffic-test file is larger than " + MAX_BYTES + " bytes");
      }
      String name = file.getFileName().toString();
      ObjectMapper mapper = name.endsWith(".json") ? jsonMapper() : yamlMapper();
      try (JsonParser p = mapper.getFactory().createParser(file.toFile())) {
        return parse(file, mapper, p);
      }
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      String loc = l == null ? where : where + ":" + l.getLineNr() + ":" + l.getColumnNr();
      throw new HarnessException(loc, "not valid " + (where.endsWith(".json") ? "JSON" : "YAML") + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new HarnessException(where, "cannot read: " + e.getMessage(), e);
    }
  }

  static ObjectMapper yamlMapper() {
    YAMLFactory f = YAMLFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(128).build())
        .build();
    f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return new YAMLMapper(f);
  }

  static ObjectMapper jsonMapper() {
    JsonFactory f = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(128).build())
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return JsonMapper.builder(f).build();
  }

  private static String loc(Path file, JsonLocation l) {
    return file + ":" + l.getLineNr() + ":" + l.getColumnNr();
  }

  private static TrafficTestFile parse(Path file, ObjectMapper mapper, JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new HarnessException(loc(file, p.currentTokenLocation()), "a traffic-test file must be a mapping with `version` and `cases`");
    }
    String version = null;
    Path recording = null;
    JsonNode defaults = null;
    String defaultsLoc = null;
    List<JsonNode> caseNodes = new ArrayList<>();
    List<String> caseLocs = new ArrayList<>();
    boolean sawCases = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      String fieldLoc = loc(file, p.currentTokenLocation());
      if (!TOP.contains(field)) {
        throw new HarnessException(fieldLoc, "unknown field `" + field + "` (allowed: cases, defaults, recording, version)");
      }
      JsonToken t = p.nextToken();
      switch (field) {
        case "version" -> {
          if (t != JsonToken.VALUE_STRING) {
            throw new HarnessException(fieldLoc, "`version` must be a string");
          }
          version = p.getText();
        }
        case "recording" -> {
          if (t != JsonToken.VALUE_STRING) {
            throw new HarnessException(fieldLoc, "`recording` must be a path string");
          }
          Path base = file.toAbsolutePath().getParent();
          recording = base.resolve(p.getText()).normalize();
        }
        case "defaults" -> {
          defaultsLoc = fieldLoc;
          defaults = mapper.readTree(p);
        }
        default -> { // cases
          sawCases = true;
          if (t != JsonToken.START_ARRAY) {
            throw new HarnessException(fieldLoc, "`cases` must be a list");
          }
          while (p.nextToken() != JsonToken.END_ARRAY) {
            caseLocs.add(loc(file, p.currentTokenLocation()));
            caseNodes.add(mapper.readTree(p));
          }
        }
      }
    }
    String top = file.toString();
    if (version == null) {
      throw new HarnessException(top, "missing `version` (expected `" + VERSION + "`)");
    }
    if (!VERSION.equals(version)) {
      throw new HarnessException(top, "unsupported version `" + version + "` (this harness reads `" + VERSION + "`)");
    }
    if (!sawCases) {
      throw new HarnessException(top, "missing `cases`");
    }
    Defaults d = Defaults.parse(defaults, defaultsLoc);
    List<TrafficCase> cases = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < caseNodes.size(); i++) {
      TrafficCase c = parseCase(caseNodes.get(i), caseLocs.get(i), i, d, recording);
      String prev = names.putIfAbsent(c.name(), c.location());
      if (prev != null) {
        throw new HarnessException(c.location(), "case name `" + c.name() + "` is used twice (first at " + prev + ")");
      }
      cases.add(c);
    }
    return new TrafficTestFile(file, version, recording, List.copyOf(cases));
  }

  private record Defaults(Identity identity, Connection connection, Instant time, String clientAddress) {
    static Defaults parse(JsonNode n, String loc) {
      if (n == null || n.isNull()) {
        return new Defaults(null, null, null, null);
      }
      Fields f = new Fields(n, loc, "defaults", DEFAULTS);
      return new Defaults(
          f.has("identity") ? convert(f.get("identity"), Identity.class, "defaults.identity", loc) : null,
          f.has("connection") ? convert(f.get("connection"), Connection.class, "defaults.connection", loc) : null,
          parseTime(f.text("time", false), "defaults.time", loc),
          f.text("client_address", false));
    }
  }

  private static TrafficCase parseCase(JsonNode n, String loc, int index, Defaults d, Path recording) {
    Fields f = new Fields(n, loc, "cases[" + index + "]", CASE);
    String name = f.text("name", true);
    String where = loc + " (case `" + name + "`)";
    String record = f.text("record", false);
    JsonNode request = f.get("request");
    if (record != null && request != null) {
      throw new HarnessException(where, "a case names either a `record` or an inline `request`, not both");
    }
    if (record == null && request == null) {
      throw new HarnessException(where, "a case needs a `record` id (from the file's recording) or an inline `request`");
    }
    if (record != null && recording == null) {
      throw new HarnessException(where, "case refers to record `" + record + "` but the file names no `recording`");
    }
    if (!f.has("expect")) {
      throw new HarnessException(where, "missing `expect`");
    }
    Identity identity = f.has("identity") ? convert(f.get("identity"), Identity.class, "identity", where) : d.identity();
    Connection connection = f.has("connection") ? convert(f.get("connection"), Connection.class, "connection", where)
        : d.connection();
    Instant time = f.has("time") ? parseTime(f.text("time", false), "time", where) : d.time();
    String client = f.has("client_address") ? f.text("client_address", false) : d.clientAddress();
    JsonNode context = f.get("context");
    if (context != null && !context.isObject()) {
      throw new HarnessException(where, "`context` must be an object");
    }
    if (request != null) {
      if (identity == null) {
        throw new HarnessException(where, "inline case without `identity` (and no `defaults.identity`)");
      }
      if (connection == null) {
        throw new HarnessException(where, "inline case without `connection` (and no `defaults.connection`)");
      }
      checkInlineRequest(request, connection, where);
    } else if (f.has("connection")) {
      throw new HarnessException(where, "a recorded case takes its connection from the record; `connection` is not allowed");
    }
    Expectation e = Expectation.parse(f.get("expect"), where);
    return new TrafficCase(name, loc, record, f.has("identity") || request != null ? identity : null,
        request != null ? connection : null, f.has("time") || request != null ? time : null,
        f.has("client_address") || request != null ? client : null, request, context, e);
  }

  private static void checkInlineRequest(JsonNode request, Connection c, String where) {
    if (!request.isObject()) {
      throw new HarnessException(where, "`request` must be an object");
    }
    switch (c.kind()) {
      case MILVUS -> {
        new Fields(request, where, "request", Set.of("rpc", "message", "dbname")).text("rpc", true);
        if (!request.path("message").isObject()) {
          throw new HarnessException(where, "`request.message` must be the request message as protobuf JSON (an object)");
        }
      }
      default -> {
        Fields f = new Fields(request, where, "request", Set.of("method", "path", "query", "headers", "body"));
        f.text("method", true);
        f.text("path", true);
      }
    }
  }

  private static Instant parseTime(String t, String field, String where) {
    if (t == null) {
      return null;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new HarnessException(where, "`" + field + "` is not an RFC 3339 UTC instant: `" + t + "`", e);
    }
  }

  private static <T> T convert(JsonNode n, Class<T> type, String field, String where) {
    if (!n.isObject()) {
      throw new HarnessException(where, "`" + field + "` must be an object");
    }
    try {
      return ContractJson.mapper().copy()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .treeToValue(n, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new HarnessException(where, "`" + field + "` is not a valid " + type.getSimpleName().toLowerCase() + ": " + msg, e);
    }
  }
}
