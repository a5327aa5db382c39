package io.vectorgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Explains a decision: which rules produced each reason and obligation. Runs the real
 * {@code opa eval --explain=full --format=json} (OPA's own explanation, the model of
 * {@code --explain=notes|full}) on the Rego sources, the data and the input, and cuts out of the
 * trace every rule that produced a value ({@code Exit} events of rules), with the value it produced
 * (the element of a partial set, the value of a complete rule), its file:line named as the caller
 * names the sources ({@link Source#shownAs()}: relative to the policy root), never a temporary
 * folder.
 *
 * <p>Each reason of the decision is traced to the rules whose produced element has the reason's
 * code and message (the library's rule first, then the rules that pass it on into the contract's
 * set); a reason no rule produced as an element (the decision table's own {@code no_allow_rule})
 * is traced to the rules whose produced collection holds it. Each element of the contract's
 * {@code obligation} set (package of the query) is traced the same way.
 *
 * <p>The explanation is OPA's topdown evaluation of the same sources the engine's bundle was
 * compiled from; the Wasm engine is not asked. One run is bounded by the {@link OpaCli} timeout.
 */
public final class DecisionExplainer {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionExplainer.class);
  private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([A-Za-z0-9_.\\[\\]\"]+)");

  /**
   * A policy source: a directory of Rego and data files or one file, and how its files are named
   * in the explanation ({@code shownAs + "/" + path inside}; for a file source, {@code shownAs}
   * itself; {@code ""} for the policy root itself).
   */
  public record Source(Path path, String shownAs) {
    public Source {
      Objects.requireNonNull(path, "path");
      shownAs = shownAs == null ? "" : shownAs.replaceAll("/+$", "");
    }
  }

  /**
   * What to explain.
   *
   * @param query the rule to evaluate, e.g. {@code data.vectorgate.decision}
   * @param trace also return OPA's pretty {@code --explain=full} trace (a second run)
   */
  public record Request(List<Source> sources, String inputJson, String query, boolean trace) {
    public Request {
      sources = List.copyOf(sources);
      if (sources.isEmpty()) {
        throw new IllegalArgumentException("no policy sources given");
      }
      Objects.requireNonNull(inputJson, "inputJson");
      if (query == null || !query.matches("data(\\.[A-Za-z_][A-Za-z0-9_]*)+")) {
        throw new IllegalArgumentException("query must be a rule path like data.vectorgate.decision, was " + query);
      }
    }

    /** The query of an engine entrypoint ({@code vectorgate/decision} → {@code data.vectorgate.decision}). */
    public static String queryOf(String entrypoint) {
      return "data." + entrypoint.replace('/', '.');
    }
  }

  /**
   * A rule that produced a value.
   *
   * @param rule the rule's path, e.g. {@code data.vectorgate.library.deny}
   * @param file the file as the sources are shown (relative to the policy root)
   * @param value what this rule produced (an element of a partial set, a complete rule's value);
   *     null when the trace does not hold it
   */
  public record Note(String rule, String file, int line, JsonNode value) {
    /** {@code file:line}. */
    public String location() {
      return file + ":" + line;
    }
  }

  /** A reason or obligation of the decision and the rules that produced it (innermost first). */
  public record Traced(JsonNode element, List<Note> rules) {
    public Traced {
      rules = List.copyOf(rules);
    }

    /** The element's {@code code} ("" when it has none). */
    public String code() {
      return element.path("code").asText("");
    }
  }

  /**
   * The explanation.
   *
   * @param result the query's value as OPA computed it (null: undefined)
   * @param notes every rule that produced a value, in evaluation order, once per (rule, file:line, value)
   * @param reasons each reason of {@code result.reasons} with its rules
   * @param obligations each element of the contract's {@code obligation} set with its rules
   * @param trace OPA's pretty trace ({@link Request#trace()}), source paths shown as named; else null
   */
  public record Explanation(JsonNode result, List<Note> notes, List<Traced> reasons, List<Traced> obligations,
      String trace) {
    public Explanation {
      notes = List.copyOf(notes);
      reasons = List.copyOf(reasons);
      obligations = List.copyOf(obligations);
    }
  }

  /** opa could not be run, failed, or its output could not be read; the message says which. */
  public static final class ExplainException extends Exception {
    private static final long serialVersionUID = 1L;

    public ExplainException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final OpaCli opa;

  public DecisionExplainer(OpaCli opa) {
    this.opa = Objects.requireNonNull(opa, "opa");
  }

  /** The engine's {@code opa} ({@link OpaCli#locate()}), each run bounded by {@code timeout}. */
  public static DecisionExplainer create(Duration timeout) throws ExplainException {
    try {
      return new DecisionExplainer(new OpaCli(OpaCli.locate(), timeout));
    } catch (OpaCli.OpaCliException e) {
      throw new ExplainException(e.getMessage(), e);
    }
  }

  /**
   * The revision {@link PolicyCompiler} gives these sources when none is set: whether the files on
   * disk are still those a bundle without an explicit revision was compiled from.
   */
  public static String contentRevision(List<Path> sources, String entrypoint) {
    return PolicyCompiler.contentRevision(new PolicyCompiler.CompileRequest(sources, List.of(entrypoint), null, null));
  }

  public Explanation explain(Request request) throws ExplainException {
    for (Source s : request.sources()) {
      if (!Files.exists(s.path())) {
        throw new ExplainException("policy source `" + s.shownAs() + "` is not available to explain with", null);
      }
    }
    Path in;
    try {
      in = Files.createTempFile("vectorgate-explain-", ".json");
    } catch (IOException e) {
      throw new ExplainException("cannot write the input for opa: " + e.getMessage(), e);
    }
    try {
      Files.writeString(in, request.inputJson());
      List<String> base = new ArrayList<>(List.of("eval", "--ignore", "*_test.rego", "-i", in.toString()));
      for (Source s : request.sources()) {
        base.add("-d");
        base.add(s.path().toString());
      }
      List<String> json = new ArrayList<>(base);
      json.addAll(List.of("--format", "json", "--explain", "full", request.query()));
      OpaCli.Result r = run(json, request);
      JsonNode doc;
      try {
        doc = ContractJson.mapper().readTree(r.stdout());
      } catch (IOException e) {
        throw new ExplainException("opa eval gave no readable explanation: " + e.getMessage(), e);
      }
      String trace = null;
      if (request.trace()) {
        List<String> pretty = new ArrayList<>(base);
        pretty.addAll(List.of("--format", "pretty", "--explain", "full", request.query()));
        trace = show(run(pretty, request).stdout(), request.sources());
      }
      return explain(doc, request, trace);
    } catch (IOException e) {
      throw new ExplainException("cannot write the input for opa: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(in);
      } catch (IOException e) {
        LOG.warn("event=explain_cleanup_failed file={} error=\"{}\"", in, e.toString());
      }
    }
  }

  private OpaCli.Result run(List<String> args, Request request) throws ExplainException {
    OpaCli.Result r;
    try {
      r = opa.run(null, args);
    } catch (OpaCli.OpaCliException e) {
      throw new ExplainException(show(e.getMessage(), request.sources()), e);
    }
    if (!r.ok()) {
      String why = errors((r.stderr().isBlank() ? r.stdout() : r.stderr()).strip());
      throw new ExplainException("opa eval failed: " + show(why, request.sources()), null);
    }
    return r;
  }

  /** {@code opa eval --format json}'s errors as {@code file:line: code: message} lines (other text as it is). */
  private static String errors(String text) {
    try {
      JsonNode doc = ContractJson.mapper().readTree(text);
      if (doc != null && doc.path("errors").isArray() && !doc.path("errors").isEmpty()) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : doc.path("errors")) {
          JsonNode loc = e.path("location");
          out.add((loc.hasNonNull("file") ? loc.get("file").asText() + ":" + loc.path("row").asInt() + ": " : "")
              + e.path("code").asText("error") + ": " + e.path("message").asText(""));
        }
        return String.join("\n", out);
      }
    } catch (IOException e) {
      return text; // not JSON: opa's text as it is
    }
    return text;
  }

  private Explanation explain(JsonNode doc, Request request, String trace) {
    JsonNode result = doc.path("result").path(0).path("expressions").path(0).get("value");
    Map<String, String> packages = new HashMap<>();
    Set<Note> notes = new LinkedHashSet<>();
    for (JsonNode ev : doc.path("explanation")) {
      JsonNode head = ev.path("Node").path("head");
      if (!"Exit".equals(ev.path("Op").asText()) || head.isMissingNode()) {
        continue; // only rules (not bodies, comprehensions or expressions) that produced a value
      }
      String file = ev.path("Location").path("file").asText("");
      if (file.isEmpty()) {
        continue;
      }
      String pkg = packages.computeIfAbsent(file, DecisionExplainer::packageOf);
      Map<String, JsonNode> locals = new HashMap<>();
      for (JsonNode l : ev.path("Locals")) {
        locals.putIfAbsent(l.path("name").asText(), l);
      }
      JsonNode key = head.get("key");
      JsonNode value = head.get("value");
      JsonNode produced;
      if (key != null && value != null) {
        JsonNode k = plug(key, locals);
        JsonNode v = plug(value, locals);
        produced = k == null || v == null ? null : k.isTextual() ? JsonNodeFactory.instance.objectNode().set(k.asText(), v)
            : JsonNodeFactory.instance.arrayNode().add(k).add(v);
      } else if (key != null) {
        produced = plug(key, locals);
      } else {
        produced = value == null ? null : plug(value, locals);
      }
      notes.add(new Note(ruleName(pkg, head), show(file, request.sources()), ev.path("Location").path("row").asInt(),
          produced));
    }
    List<Note> all = List.copyOf(notes);
    List<Traced> reasons = new ArrayList<>();
    if (result != null) {
      for (JsonNode r : result.path("reasons")) {
        reasons.add(new Traced(r, producers(r, all)));
      }
    }
    String pkg = request.query().substring(0, request.query().lastIndexOf('.'));
    List<Traced> obligations = new ArrayList<>();
    Set<JsonNode> seen = new LinkedHashSet<>();
    for (Note n : all) {
      if (n.rule().equals(pkg + ".obligation") && n.value() != null && seen.add(n.value())) {
        obligations.add(new Traced(n.value(), producers(n.value(), all)));
      }
    }
    return new Explanation(result, all, reasons, obligations, trace);
  }

  /**
   * The rules that produced {@code element}: those whose value is it (compared by code and message
   * when it has a code); when none, those whose produced collection holds it.
   */
  private static List<Note> producers(JsonNode element, List<Note> notes) {
    List<Note> direct = new ArrayList<>();
    List<Note> holding = new ArrayList<>();
    for (Note n : notes) {
      if (n.value() == null) {
        continue;
      }
      if (same(n.value(), element)) {
        direct.add(n);
      } else if (n.value().isArray() || n.value().isObject() && !n.value().has("code")) {
        for (JsonNode x : n.value()) {
          if (same(x, element)) {
            holding.add(n);
            break;
          }
        }
      }
    }
    return dedupe(direct.isEmpty() ? holding : direct);
  }

  private static List<Note> dedupe(List<Note> notes) {
    Map<String, Note> out = new LinkedHashMap<>();
    notes.forEach(n -> out.putIfAbsent(n.rule() + "@" + n.location(), n));
    return List.copyOf(out.values());
  }

  private static boolean same(JsonNode a, JsonNode b) {
    if (a.equals(b)) {
      return true;
    }
    return a.isObject() && b.isObject() && a.has("code") && b.has("code") && a.get("code").equals(b.get("code"))
        && a.path("message").equals(b.path("message"));
  }

  /** The value of an AST term with the event's local bindings, as JSON; null when it is not a value. */
  private static JsonNode plug(JsonNode term, Map<String, JsonNode> locals) {
    JsonNode v = term.path("value");
    switch (term.path("type").asText()) {
      case "null":
        return JsonNodeFactory.instance.nullNode();
      case "boolean":
      case "number":
      case "string":
        return v;
      case "var": {
        JsonNode bound = locals.get(v.asText());
        return bound == null ? null : plug(bound, Map.of());
      }
      case "array":
      case "set": {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode t : v) {
          JsonNode x = plug(t, locals);
          if (x == null) {
            return null;
          }
          out.add(x);
        }
        return out;
      }
      case "object": {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (JsonNode pair : v) {
          JsonNode k = plug(pair.path(0), locals);
          JsonNode x = plug(pair.path(1), locals);
          if (k == null || x == null) {
            return null;
          }
          out.set(k.isTextual() ? k.asText() : k.toString(), x);
        }
        return out;
      }
      default:
        return null; // a reference or call the trace does not resolve
    }
  }

  private static String ruleName(String pkg, JsonNode head) {
    StringBuilder out = new StringBuilder(pkg);
    JsonNode ref = head.path("ref");
    if (ref.isEmpty()) {
      out.append('.').append(head.path("name").asText());
    }
    for (int i = 0; i < ref.size(); i++) {
      JsonNode t = ref.get(i);
      String s = t.path("value").asText();
      if (i == 0 || t.path("type").asText().equals("string") && s.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        out.append('.').append(s);
      } else {
        out.append('[').append(t.path("type").asText().equals("string") ? "\"" + s + "\"" : s).append(']');
      }
    }
    return out.toString();
  }

  /** {@code data.<package>} of a Rego file ("data" when it cannot be read). */
  private static String packageOf(String file) {
    try {
      Matcher m = PACKAGE.matcher(Files.readString(Path.of(file)));
      return m.find() ? "data." + m.group(1) : "data";
    } catch (IOException | RuntimeException e) {
      return "data";
    }
  }

  /** A file of the sources as they are shown; {@code text} with every source path replaced by its shown name. */
  static String show(String text, List<Source> sources) {
    String out = text;
    for (Source s : sources) {
      for (String base : new LinkedHashSet<>(List.of(s.path().toAbsolutePath().normalize().toString(),
          s.path().toString()))) {
        if (Files.isDirectory(s.path())) {
          out = out.replace(base + "/", s.shownAs().isEmpty() ? "" : s.shownAs() + "/");
        } else {
          out = out.replace(base, s.shownAs());
        }
      }
    }
    return out;
  }
}
