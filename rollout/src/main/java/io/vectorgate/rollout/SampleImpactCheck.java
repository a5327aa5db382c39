package io.vectorgate.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.Evaluation;
import io.vectorgate.engine.PolicyActivationException;
import io.vectorgate.engine.PolicyEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The built-in impact check. The sample is a JSON-lines file of {@code vectorgate/v1} policy
 * inputs (recent traffic, exported by the operator); the intended changes are a file in the
 * policy directory ({@code impact-expectations.yaml} by default) in the policy test harness's
 * format:
 *
 * <pre>
 * version: vectorgate-impact-expectations/v1
 * intended:
 *   - change: newly_denied        # newly_denied | newly_allowed | obligations_changed | reasons_changed
 *     action: delete              # optional
 *     collection: docs            # optional
 *     group: analysts             # optional: the caller is in this group
 *     obligation: mask            # optional, obligations_changed only: this obligation changed
 *     max: 20                     # optional
 * unreplayable: count             # accepted for the harness (a sample of inputs has no unreplayable record)
 * </pre>
 *
 * Without the file every change is unexpected. As with {@code vectorgate impact}, a change matching
 * no entry, an entry matching more than its {@code max}, an entry matching nothing (the declared
 * change never happens), a sample line that is not a JSON object, or a sample that cannot be read
 * fails the stage.
 */
public final class SampleImpactCheck implements ImpactCheck {
  public static final String VERSION = "vectorgate-impact-expectations/v1";
  public static final String DEFAULT_EXPECTATIONS = "impact-expectations.yaml";
  static final int MAX_SAMPLE_LINES = 100_000;
  static final int MAX_LINE_CHARS = 1024 * 1024;
  private static final Set<String> TOP = Set.of("version", "intended", "unreplayable");
  private static final Set<String> ENTRY = Set.of("change", "action", "collection", "group", "obligation", "max", "note");
  private static final Set<String> OBLIGATIONS = Set.of("mask", "strip_vectors", "row_filter", "limit_cap", "approval",
      "audit");
  private static final Set<String> KINDS = Set.of("newly_denied", "newly_allowed", "obligations_changed", "reasons_changed");

  private final Path sample;
  private final String expectationsFile;
  private final EngineConfig engineConfig;

  public SampleImpactCheck(Path sample, String expectationsFile, EngineConfig engineConfig) {
    this.sample = Objects.requireNonNull(sample, "sample");
    this.expectationsFile = expectationsFile == null ? DEFAULT_EXPECTATIONS : expectationsFile;
    this.engineConfig = engineConfig.toBuilder().poolSize(1).decisionLogger(io.vectorgate.engine.DecisionLogger.NONE).build();
  }

  record Intended(int index, String kind, String action, String collection, String group, String obligation,
      Long max) {
    boolean matches(String k, String act, String coll, List<String> groups, Set<String> changedObligations) {
      return kind.equals(k) && (action == null || action.equals(act)) && (collection == null || collection.equals(coll))
          && (group == null || groups.contains(group))
          && (obligation == null || changedObligations.contains(obligation));
    }

    /** As {@code vectorgate impact} names an entry. */
    String describe() {
      return kind + (action == null ? "" : " action=" + action) + (collection == null ? "" : " collection=" + collection)
          + (group == null ? "" : " group=" + group) + (obligation == null ? "" : " obligation=" + obligation);
    }
  }

  @Override
  public Report check(Context ctx) {
    List<Problem> errors = new ArrayList<>();
    List<Intended> intended;
    try {
      intended = readExpectations(ctx.policyDir().resolve(expectationsFile), expectationsFile);
    } catch (IllegalArgumentException e) {
      return new Report(0, Map.of(), List.of(), List.of(new Problem(expectationsFile, 0, 0, e.getMessage())));
    }
    if (ctx.baseline() == null || ctx.baselineRevision() == null) {
      return new Report(0, Map.of(), List.of(), List.of()); // first activation: nothing to compare with
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    KINDS.stream().sorted().forEach(k -> counts.put(k, 0));
    Map<Integer, Long> used = new LinkedHashMap<>();
    List<String> unexpected = new ArrayList<>();
    int decided = 0;
    ObjectMapper json = new ObjectMapper();
    try (PolicyEngine candidate = PolicyEngine.start(engineConfig.toBuilder().noWarmup().build(), ctx.candidate());
        BufferedReader in = Files.newBufferedReader(sample, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        if (n > MAX_SAMPLE_LINES || line.length() > MAX_LINE_CHARS) {
          errors.add(new Problem(sample.toString(), n, 0, "sample too large (at most " + MAX_SAMPLE_LINES
              + " lines of " + MAX_LINE_CHARS + " characters)"));
          break;
        }
        JsonNode input;
        try {
          input = json.readTree(line);
        } catch (JsonProcessingException e) {
          errors.add(new Problem(sample.toString(), n, 0, "not JSON: " + e.getOriginalMessage()));
          continue;
        }
        if (input == null || !input.isObject()) {
          errors.add(new Problem(sample.toString(), n, 0, "expected a JSON object (a vectorgate/v1 policy input)"));
          continue;
        }
        Evaluation before = ctx.baseline().evaluate(engineConfig.entrypoint(), line);
        Evaluation after = candidate.evaluate(engineConfig.entrypoint(), line);
        decided++;
        String kind = compare(before, after);
        if (kind == null) {
          continue;
        }
        counts.merge(kind, 1, Integer::sum);
        String action = input.path("operation").path("action").asText(null);
        String collection = input.path("operation").path("resource").path("collection").asText(null);
        List<String> groups = new ArrayList<>();
        input.path("identity").path("groups").forEach(g -> groups.add(g.asText()));
        Set<String> changedObligations = changedObligations(before, after);
        Intended match = intended.stream().filter(i -> i.matches(kind, action, collection, groups, changedObligations))
            .findFirst().orElse(null);
        if (match == null) {
          unexpected.add(kind + " at " + sample.getFileName() + ":" + n + " (action=" + action + " collection="
              + collection + ")");
        } else {
          used.merge(match.index(), 1L, Long::sum);
        }
      }
    } catch (PolicyActivationException e) {
      errors.add(Problem.of("the candidate does not load for the impact check: " + e.getMessage()));
    } catch (IOException e) {
      errors.add(Problem.of("cannot read the traffic sample " + sample + ": " + e.getMessage()));
    }
    for (Intended i : intended) {
      long u = used.getOrDefault(i.index(), 0L);
      String where = expectationsFile + " intended[" + i.index() + "]: intended change `" + i.describe() + "`";
      if (i.max() != null && u > i.max()) {
        unexpected.add(where + " occurred " + u + " times, more than its max " + i.max());
      } else if (u == 0 && errors.isEmpty()) {
        unexpected.add(where + " did not occur in the sample " + sample.getFileName());
      }
    }
    return new Report(decided, counts, unexpected, errors);
  }

  /** The change from {@code before} to {@code after}, or null when the decision is the same. */
  static String compare(Evaluation before, Evaluation after) {
    boolean a = allowed(before);
    boolean b = allowed(after);
    if (a && !b) {
      return "newly_denied";
    }
    if (!a && b) {
      return "newly_allowed";
    }
    if (a && !Objects.equals(obligations(before), obligations(after))) {
      return "obligations_changed";
    }
    if (!Objects.equals(reasonCodes(before), reasonCodes(after))) {
      return "reasons_changed";
    }
    return null;
  }

  private static boolean allowed(Evaluation e) {
    if (!e.defined()) {
      return false;
    }
    JsonNode r = e.result();
    if (r.isArray() && r.size() == 1) {
      r = r.get(0).path("result");
    }
    return r.isBoolean() ? r.asBoolean() : r.path("allow").asBoolean(false);
  }

  /** The obligations (by contract name) whose values differ between two allowed decisions. */
  static Set<String> changedObligations(Evaluation before, Evaluation after) {
    Set<String> out = new java.util.TreeSet<>();
    JsonNode a = obligations(before);
    JsonNode b = obligations(after);
    if (a == null || b == null) {
      return out;
    }
    for (String k : OBLIGATIONS) {
      if (!Objects.equals(a.path(k), b.path(k))) {
        out.add(k);
      }
    }
    return out;
  }

  private static JsonNode obligations(Evaluation e) {
    JsonNode r = e.result();
    if (r != null && r.isArray() && r.size() == 1) {
      r = r.get(0).path("result");
    }
    return r == null ? null : r.path("obligations");
  }

  private static java.util.TreeSet<String> reasonCodes(Evaluation e) {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    if (!e.defined()) {
      out.add(e.reasonCode() == null ? "undefined" : e.reasonCode());
      return out;
    }
    JsonNode r = e.result();
    if (r.isArray() && r.size() == 1) {
      r = r.get(0).path("result");
    }
    r.path("reasons").forEach(x -> out.add(x.path("code").asText(x.asText())));
    return out;
  }

  /** Reads the expectations file; a missing file means no intended change. */
  static List<Intended> readExpectations(Path file, String name) {
    if (!Files.exists(file)) {
      return List.of();
    }
    JsonNode root;
    try {
      if (Files.size(file) > 1024 * 1024) {
        throw new IllegalArgumentException("larger than 1 MiB");
      }
      root = new YAMLMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a mapping with `version` and `intended`");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!TOP.contains(k)) {
        throw new IllegalArgumentException("unknown key `" + k + "` (allowed: version, intended, unreplayable)");
      }
    }
    if (!VERSION.equals(root.path("version").asText())) {
      throw new IllegalArgumentException("`version` must be `" + VERSION + "`");
    }
    if (root.has("unreplayable") && !Set.of("fail", "count", "ignore").contains(root.get("unreplayable").asText())) {
      throw new IllegalArgumentException("`unreplayable` must be one of fail, count, ignore; is " + root.get("unreplayable"));
    }
    List<Intended> out = new ArrayList<>();
    JsonNode list = root.path("intended");
    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
      throw new IllegalArgumentException("`intended` must be a list");
    }
    int i = 0;
    for (JsonNode e : list) {
      String where = "intended[" + i + "]";
      if (!e.isObject()) {
        throw new IllegalArgumentException(where + ": expected a mapping");
      }
      for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!ENTRY.contains(k)) {
          throw new IllegalArgumentException(where + ": unknown key `" + k + "`");
        }
      }
      String kind = e.path("change").asText("");
      if (!KINDS.contains(kind)) {
        throw new IllegalArgumentException(where + ".change: `" + kind + "` is not one of " + new java.util.TreeSet<>(KINDS));
      }
      Long max = null;
      if (e.has("max")) {
        if (!e.get("max").canConvertToLong() || e.get("max").asLong() < 0) {
          throw new IllegalArgumentException(where + ".max: must be a non-negative integer");
        }
        max = e.get("max").asLong();
      }
      String obligation = text(e, "obligation");
      if (obligation != null && (!kind.equals("obligations_changed") || !OBLIGATIONS.contains(obligation))) {
        throw new IllegalArgumentException(where + ".obligation: only for obligations_changed, one of "
            + new java.util.TreeSet<>(OBLIGATIONS));
      }
      out.add(new Intended(i, kind, text(e, "action"), text(e, "collection"), text(e, "group"), obligation, max));
      i++;
    }
    return out;
  }

  private static String text(JsonNode e, String k) {
    JsonNode v = e.get(k);
    return v == null || v.isNull() ? null : v.asText();
  }
}
