package io.vectorgate.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The built-in impact check. The sample is a JSON-lines file of {@code vectorgate/v1} policy
 * inputs (recent traffic, exported by the operator); the intended changes are a file in the
 * policy directory ({@code impact-expectations.yaml} by default), read by
 * {@link ImpactExpectationsFile}, the parser {@code vectorgate impact} uses too ({@code unreplayable}
 * is accepted; a sample of inputs has no unreplayable record).
 *
 * Without the file every change is unexpected. As with {@code vectorgate impact}, a change matching
 * no entry, an entry matching more than its {@code max}, an entry matching nothing (the declared
 * change never happens), a sample line that is not a JSON object, or a sample that cannot be read
 * fails the stage.
 */
public final class SampleImpactCheck implements ImpactCheck {
  public static final String VERSION = ImpactExpectationsFile.VERSION;
  public static final String DEFAULT_EXPECTATIONS = "impact-expectations.yaml";
  static final int MAX_SAMPLE_LINES = 100_000;
  static final int MAX_LINE_CHARS = 1024 * 1024;
  private static final List<String> OBLIGATIONS = ImpactExpectationsFile.OBLIGATIONS;
  private static final List<String> KINDS = ImpactExpectationsFile.CHANGES;

  private final Path sample;
  private final String expectationsFile;
  private final EngineConfig engineConfig;

  public SampleImpactCheck(Path sample, String expectationsFile, EngineConfig engineConfig) {
    this.sample = Objects.requireNonNull(sample, "sample");
    this.expectationsFile = expectationsFile == null ? DEFAULT_EXPECTATIONS : expectationsFile;
    this.engineConfig = engineConfig.toBuilder().poolSize(1).decisionLogger(io.vectorgate.engine.DecisionLogger.NONE).build();
  }

  /** Whether {@code e} covers a change of kind {@code k} of this request. */
  static boolean matches(ImpactExpectationsFile.Entry e, String k, String act, String coll, List<String> groups,
      Set<String> changedObligations) {
    return e.change().equals(k) && (e.action() == null || e.action().equals(act))
        && (e.collection() == null || e.collection().equals(coll))
        && (e.group() == null || groups.contains(e.group()))
        && (e.obligation() == null || changedObligations.contains(e.obligation()));
  }

  @Override
  public Report check(Context ctx) {
    List<Problem> errors = new ArrayList<>();
    List<ImpactExpectationsFile.Entry> intended;
    Path file = ctx.policyDir().resolve(expectationsFile);
    try {
      intended = Files.exists(file) ? ImpactExpectationsFile.read(file, expectationsFile).intended() : List.of();
    } catch (ImpactExpectationsFile.Invalid e) {
      return new Report(0, Map.of(), List.of(), List.of(new Problem(expectationsFile, e.line(), e.column(), e.detail())));
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
        ImpactExpectationsFile.Entry match = intended.stream()
            .filter(i -> matches(i, kind, action, collection, groups, changedObligations)).findFirst().orElse(null);
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
    for (ImpactExpectationsFile.Entry i : intended) {
      long u = used.getOrDefault(i.index(), 0L);
      String where = i.where(expectationsFile) + ": intended change `" + i.describe() + "`";
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
}
