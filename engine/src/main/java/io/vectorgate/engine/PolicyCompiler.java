package io.vectorgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles directories of {@code .rego} files (plus {@code data.json} / {@code data.yaml}) into an
 * OPA Wasm bundle with the real {@code opa build -t wasm}, restricted to the engine's
 * {@link Capabilities}. Problems come back as {@link Diagnostic}s: first from
 * {@code opa check --format json} (structured), then from {@code opa build}'s text errors.
 */
public final class PolicyCompiler {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyCompiler.class);

  /** {@code file:line: code: message} as printed by {@code opa build}. */
  private static final Pattern TEXT_ERROR = Pattern.compile("^(\\S.*?):(\\d+): ([a-z][a-z0-9_]*): (.*)$");
  /** {@code file: message} for load errors without a line. */
  private static final Pattern FILE_ERROR =
      Pattern.compile("^(\\S[^:]*\\.(?:rego|json|yaml|yml)): (.*)$");
  /** {@code error: load error: 2 errors occurred during loading:} and the like, maybe followed by the error. */
  private static final Pattern HEADER = Pattern.compile(
      "^(?:[Ee]rror: )?(?:load error: )?\\d+ errors? occurred(?: during loading)?:?(.*)$");
  private static final Pattern UNDEFINED_FUNCTION = Pattern.compile("^undefined function ([A-Za-z0-9_.]+)$");

  /** What to compile. */
  public record CompileRequest(List<Path> sources, List<String> entrypoints, String revision,
      List<String> ignore) {
    public CompileRequest {
      sources = List.copyOf(sources);
      if (sources.isEmpty()) {
        throw new IllegalArgumentException("no policy sources given");
      }
      entrypoints = List.copyOf(entrypoints);
      if (entrypoints.isEmpty()) {
        throw new IllegalArgumentException("at least one entrypoint is required");
      }
      ignore = ignore == null ? List.of("*_test.rego") : List.copyOf(ignore);
    }

    /** The sources with entrypoint {@code vectorgate/decision}, a content-derived revision, tests ignored. */
    public static CompileRequest of(Path... sources) {
      return new CompileRequest(List.of(sources), List.of(EngineConfig.DEFAULT_ENTRYPOINT), null, null);
    }

    public CompileRequest withRevision(String rev) {
      return new CompileRequest(sources, entrypoints, rev, ignore);
    }

    public CompileRequest withEntrypoints(String... eps) {
      return new CompileRequest(sources, List.of(eps), revision, ignore);
    }
  }

  private final OpaCli opa;
  private final Capabilities capabilities;
  private final BundleLimits limits;

  public PolicyCompiler(OpaCli opa, Capabilities capabilities, BundleLimits limits) {
    this.opa = Objects.requireNonNull(opa, "opa");
    this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** The discovered {@code opa}, the engine's capabilities and default bundle limits. */
  public static PolicyCompiler create() {
    OpaCli opa = OpaCli.discover();
    return new PolicyCompiler(opa, Capabilities.forEngine(opa), BundleLimits.DEFAULTS);
  }

  public Capabilities capabilities() {
    return capabilities;
  }

  /** Compiles {@code sources} with entrypoint {@code vectorgate/decision}. */
  public CompileResult compile(Path... sources) {
    return compile(CompileRequest.of(sources));
  }

  public CompileResult compile(CompileRequest request) {
    BuildOutput out = build(request, "wasm", capabilities);
    if (!out.ok()) {
      return CompileResult.failure(out.diagnostics());
    }
    try {
      PolicyBundle bundle = PolicyBundle.read(out.bundle(), limits);
      bundle = withPlan(bundle, request);
      LOG.info("policy compiled sources={} revision={} entrypoints={} wasm_bytes={} plan={}", request.sources(),
          bundle.revision(), request.entrypoints(), bundle.wasm().length, bundle.plan().isPresent());
      return CompileResult.success(bundle);
    } catch (PolicyBundle.BundleException e) {
      return CompileResult.failure(List.of(new Diagnostic("bundle.tar.gz", 0, 0, "bundle_invalid",
          e.getMessage())));
    }
  }

  /**
   * Adds the plan IR of the same sources (same revision, {@code opa build -t plan}, the plan engine's
   * capabilities), so every compiled bundle runs on either engine. A policy the plan engine cannot
   * take (a builtin only the Wasm engine has) keeps a Wasm-only bundle that remembers the build's
   * diagnostics ({@link PolicyBundle#planDiagnostics()}); the plan engine then serves it on Wasm or
   * refuses it at activation ({@link EngineConfig#planFallback()}), naming them.
   */
  private PolicyBundle withPlan(PolicyBundle bundle, CompileRequest request) {
    Capabilities planCaps = planCapabilities();
    BuildOutput plan = build(request.withRevision(bundle.revision()), "plan", planCaps, false);
    if (!plan.ok()) {
      LOG.info("policy has no plan for the plan engine revision={} diagnostics={}", bundle.revision(),
          plan.diagnostics());
      return bundle.withoutPlan(plan.diagnostics());
    }
    try {
      return bundle.withPlan(io.vectorgate.engine.plan.PlanBundle.planJson(plan.bundle(), limits));
    } catch (io.vectorgate.engine.plan.PlanException e) {
      LOG.warn("plan build output unreadable revision={} error={}", bundle.revision(), e.getMessage());
      return bundle.withoutPlan(List.of(new Diagnostic(null, 0, 0, "plan_unreadable",
          "the output of `opa build -t plan` cannot be read: " + e.getMessage())));
    }
  }

  private volatile Capabilities planCapabilities;

  private Capabilities planCapabilities() {
    Capabilities c = planCapabilities;
    if (c == null) {
      c = Capabilities.exactly(opa, io.vectorgate.engine.plan.Builtins.standard().names());
      planCapabilities = c;
    }
    return c;
  }

  /** The bytes of a built {@code bundle.tar.gz}, or the diagnostics that stopped the build. */
  public record BuildOutput(List<Diagnostic> diagnostics, byte[] bundle) {
    public boolean ok() {
      return bundle != null;
    }
  }

  /**
   * Checks and builds {@code request} with {@code opa build -t <target>} ({@code wasm} or
   * {@code plan}) restricted to {@code caps}: the one build path of both engines.
   */
  public BuildOutput build(CompileRequest request, String target, Capabilities caps) {
    return build(request, target, caps, true);
  }

  private BuildOutput build(CompileRequest request, String target, Capabilities caps, boolean doCheck) {
    for (Path s : request.sources()) {
      if (!Files.exists(s)) {
        return new BuildOutput(List.of(new Diagnostic(s.toString(), 0, 0, "source_missing",
            "policy source `" + s + "` does not exist")), null);
      }
    }
    Path work;
    try {
      work = Files.createTempDirectory("vectorgate-compile");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for opa build", e);
    }
    try {
      Path capsFile = caps.writeTo(work.resolve("capabilities.json"));
      List<String> common = new ArrayList<>(List.of("--capabilities", capsFile.toString()));
      for (String ig : request.ignore()) {
        common.add("--ignore");
        common.add(ig);
      }
      List<String> srcs = request.sources().stream().map(Path::toString).collect(Collectors.toList());

      List<String> check = new ArrayList<>(List.of("check", "--format", "json"));
      check.addAll(common);
      check.addAll(srcs);
      OpaCli.Result checked = doCheck ? opa.run(null, check) : new OpaCli.Result(0, "", "");
      if (!checked.ok()) {
        List<Diagnostic> ds = parseJsonErrors(checked.stdout(), caps, target);
        if (ds.isEmpty()) {
          ds = parseJsonErrors(checked.stderr(), caps, target);
        }
        if (ds.isEmpty()) {
          ds = parseTextErrors(checked.stdout() + "\n" + checked.stderr(), caps, target);
        }
        return new BuildOutput(ds, null);
      }

      String revision = request.revision() != null ? request.revision() : contentRevision(request);
      Path out = work.resolve("bundle.tar.gz");
      List<String> build = new ArrayList<>(List.of("build", "-t", target, "-o", out.toString(),
          "-r", revision));
      for (String ep : request.entrypoints()) {
        build.add("-e");
        build.add(ep);
      }
      build.addAll(common);
      build.addAll(srcs);
      OpaCli.Result built = opa.run(null, build);
      if (!built.ok()) {
        return new BuildOutput(parseTextErrors(built.stdout() + "\n" + built.stderr(), caps, target), null);
      }
      try {
        return new BuildOutput(List.of(), Files.readAllBytes(out));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + out, e);
      }
    } finally {
      deleteRecursively(work);
    }
  }

  List<Diagnostic> parseJsonErrors(String text) {
    return parseJsonErrors(text, capabilities, "wasm");
  }

  List<Diagnostic> parseTextErrors(String text) {
    return parseTextErrors(text, capabilities, "wasm");
  }

  /** Parses {@code opa check --format json} output; empty when the text holds no such document. */
  List<Diagnostic> parseJsonErrors(String text, Capabilities caps, String target) {
    int start = text.indexOf('{');
    if (start < 0) {
      return List.of();
    }
    JsonNode doc;
    try {
      doc = ContractJson.mapper().readTree(text.substring(start));
    } catch (IOException e) {
      LOG.debug("opa check output is not JSON: {}", e.getMessage());
      return List.of();
    }
    List<Diagnostic> out = new ArrayList<>();
    for (JsonNode e : doc.path("errors")) {
      JsonNode loc = e.path("location");
      String file = loc.hasNonNull("file") ? loc.get("file").asText() : null;
      out.add(explain(caps, target, new Diagnostic(file, loc.path("row").asInt(0), loc.path("col").asInt(0),
          e.path("code").asText(null), e.path("message").asText(""))));
    }
    return out;
  }

  /** Parses {@code opa build}'s text errors; a line it cannot place becomes a location-less diagnostic. */
  List<Diagnostic> parseTextErrors(String text, Capabilities caps, String target) {
    List<Diagnostic> out = new ArrayList<>();
    for (String raw : text.split("\\R")) {
      if (raw.isBlank() || raw.startsWith("\t") || raw.startsWith(" ")) {
        continue; // blank lines and OPA's source snippets under a parse error
      }
      String line = raw.strip();
      Matcher h = HEADER.matcher(line);
      if (h.matches()) {
        line = h.group(1).strip(); // "1 error occurred during loading: <the error>" on one line
        if (line.isEmpty()) {
          continue; // a header announcing the list that follows
        }
      }
      Matcher m = TEXT_ERROR.matcher(line);
      if (m.matches()) {
        out.add(explain(caps, target, new Diagnostic(m.group(1), Integer.parseInt(m.group(2)), 0, m.group(3), m.group(4))));
        continue;
      }
      m = FILE_ERROR.matcher(line);
      if (m.matches()) {
        out.add(new Diagnostic(m.group(1), 0, 0, "opa_load_error", m.group(2)));
        continue;
      }
      String lower = line.toLowerCase(java.util.Locale.ROOT);
      String message = lower.startsWith("error: ") ? line.substring(7) : line;
      out.add(new Diagnostic(null, 0, 0, "opa_build_error", message));
    }
    if (out.isEmpty()) {
      out.add(new Diagnostic(null, 0, 0, "opa_build_error", "opa failed without an error message"));
    }
    return out;
  }

  /** Names the builtin when OPA reports an undefined function that is a builtin the engine lacks. */
  private static Diagnostic explain(Capabilities caps, String target, Diagnostic d) {
    Matcher m = UNDEFINED_FUNCTION.matcher(d.message());
    if (m.matches() && caps.isOpaBuiltin(m.group(1)) && !caps.allowedBuiltins().contains(m.group(1))) {
      String name = m.group(1);
      String why = target.equals("plan")
          ? " is not supported by the Vectorgate plan engine (it has no Java implementation)"
          : " is not supported by the Vectorgate Wasm engine (it is neither"
              + " native in OPA's Wasm nor provided by the engine's Java host builtins)";
      return new Diagnostic(d.file(), d.line(), d.column(), d.code(), d.message()
          + ": builtin `" + name + "`" + why);
    }
    return d;
  }

  /** A revision derived from the sources' paths and bytes, so the same sources give the same revision. */
  static String contentRevision(CompileRequest request) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path root : request.sources()) {
        List<Path> files;
        if (Files.isDirectory(root)) {
          try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString))
                .collect(Collectors.toList());
          }
        } else {
          files = List.of(root);
        }
        for (Path f : files) {
          sha.update(root.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
          sha.update((byte) 0);
          sha.update(Files.readAllBytes(f));
          sha.update((byte) 0);
        }
      }
      request.entrypoints().forEach(e -> sha.update(e.getBytes(StandardCharsets.UTF_8)));
      return "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy sources " + request.sources(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("cannot delete temporary compile directory dir={} error={}", dir, e.toString());
    }
  }
}
