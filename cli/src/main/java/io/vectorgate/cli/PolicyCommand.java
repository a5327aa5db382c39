package io.vectorgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.DecisionExplainer;
import io.vectorgate.engine.Diagnostic;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.Evaluation;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vectorgate policy check|compile|eval}: compile Rego to a bundle (Wasm module and plan IR) and
 * evaluate it in-process on the default engine (see {@code EngineConfig.Engine.defaultEngine()}).
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = {"Compile and evaluate policies (Rego → OPA Wasm module and plan IR → in-process engine).",
        "The engine is the plan engine unless -Dvectorgate.engine=wasm or VECTORGATE_ENGINE=wasm select Wasm;"
            + " a bundle the plan engine cannot run (no plan, a builtin only Wasm has) runs on Wasm, with a warning."},
    subcommands = {PolicyCommand.Check.class, PolicyCommand.Compile.class, PolicyCommand.Eval.class, PolicyCommand.Fmt.class,
        RolloutCommand.Status.class, RolloutCommand.Pin.class, RolloutCommand.Rollback.class})
public final class PolicyCommand {

  /**
   * Compiles sources (DSL directories prepared first). Prints diagnostics and returns null when
   * the DSL or the Rego does not compile.
   */
  static PolicyBundle compile(CommandSpec spec, List<Path> sources,
      java.util.function.UnaryOperator<PolicyCompiler.CompileRequest> customize) throws Exception {
    return compile(spec, sources, customize, Progress.OFF);
  }

  /** As above, reporting the DSL and opa steps on {@code progress}. */
  static PolicyBundle compile(CommandSpec spec, List<Path> sources,
      java.util.function.UnaryOperator<PolicyCompiler.CompileRequest> customize, Progress progress) throws Exception {
    progress.step("preparing " + sources.size() + (sources.size() == 1 ? " source" : " sources"));
    PolicySources.Prepared prepared = PolicySources.prepare(sources);
    progress.close(); // diagnostics start on a clean line
    PrintWriter err = spec.commandLine().getErr();
    // every diagnostic names the file as the repository does, never the folder a DSL directory was prepared in
    io.vectorgate.harness.RepoPaths paths = io.vectorgate.harness.RepoPaths.of(sources.get(0));
    for (int i = 0; i < sources.size(); i++) {
      Path given = sources.get(i);
      Path used = prepared.sources().get(i);
      if (!used.equals(given)) {
        paths.alias(used, given);
      }
      // a directory's diagnostics name files inside it; a single .vg file's name the file itself
      Path base = Files.isRegularFile(given) ? given.toAbsolutePath().getParent() : given;
      for (io.vectorgate.dsl.diag.Diagnostic d : prepared.diagnosticsOf(i)) {
        err.println(paths.show(base.resolve(d.span().file())) + ":" + d.span().line() + ":" + d.span().column() + ": "
            + d.severity().label() + " " + d.code() + ": " + d.message()
            + (d.snippet().isEmpty() ? "" : "\n" + d.snippet()));
      }
    }
    if (!prepared.ok()) {
      err.println("the DSL policies have errors; nothing was compiled");
      return null;
    }
    progress.step("compiling with opa (Wasm)");
    CompileResult r = PolicyCompiler.create().compile(
        customize.apply(PolicyCompiler.CompileRequest.of(prepared.sources().toArray(Path[]::new))));
    progress.close();
    if (!r.succeeded()) {
      printDiagnostics(err, r.diagnostics(), paths);
      return null;
    }
    return r.orThrow();
  }

  static int printDiagnostics(PrintWriter err, List<Diagnostic> diagnostics, io.vectorgate.harness.RepoPaths paths) {
    for (Diagnostic d : diagnostics) {
      err.println(paths.text(d.toString()));
    }
    err.println(diagnostics.size() + (diagnostics.size() == 1 ? " error" : " errors"));
    return 1;
  }

  @Command(name = "check", mixinStandardHelpOptions = true, description = "Check policy sources (Rego and DSL directories) with the gateway's capabilities; prints file:line diagnostics.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Progress.Flag progress = new Progress.Flag();

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "Rego files/directories and data files")
    List<Path> sources;

    @Option(names = "--strict", description = "also OPA's strict checks (`opa check --strict`: unused imports, "
        + "unused local variables, deprecated built-ins, …) on the Rego sources")
    boolean strict;

    @Override
    public Integer call() throws Exception {
      PolicyBundle b;
      try (Progress p = progress.open(spec.commandLine().getErr())) {
        b = compile(spec, sources, r -> r, p);
      }
      if (b == null) {
        return 1;
      }
      if (strict && !strictCheck(spec.commandLine().getErr())) {
        return 1;
      }
      spec.commandLine().getOut().println("ok: revision " + b.revision() + (strict ? " (strict)" : ""));
      return 0;
    }

    /**
     * {@code opa check --strict} on the Rego the user wrote (the .rego files of the sources, not the
     * Rego generated from .vg files, which {@code dsl check} covers); problems name files as the
     * repository does.
     */
    private boolean strictCheck(PrintWriter err) throws Exception {
      List<Path> rego = new java.util.ArrayList<>();
      for (Path s : sources) {
        if (Files.isDirectory(s)) {
          try (var walk = Files.walk(s)) {
            walk.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".rego")).sorted()
                .forEach(rego::add);
          }
        } else if (s.getFileName().toString().endsWith(".rego")) {
          rego.add(s);
        }
      }
      if (rego.isEmpty()) {
        return true;
      }
      io.vectorgate.dsl.rego.OpaTool.Run r = io.vectorgate.dsl.rego.OpaTool.fromEnvironment().checkStrict(rego);
      if (r.ok()) {
        return true;
      }
      io.vectorgate.harness.RepoPaths paths = io.vectorgate.harness.RepoPaths.of(sources.get(0));
      String text = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
      for (String line : text.split("\n")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\S[^:]*):(\\d+): (.*)$").matcher(line);
        err.println(m.matches() ? paths.show(Path.of(m.group(1))) + ":" + m.group(2) + ": " + m.group(3) : line);
      }
      return false;
    }
  }

  @Command(name = "fmt", mixinStandardHelpOptions = true, description = "Format Rego files with `opa fmt` (.vg files: `vectorgate dsl fmt`): "
      + "--check lists the files that are not formatted and exits 1, --write rewrites them.")
  static final class Fmt implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "Rego files or directories")
    List<Path> sources;

    @Option(names = {"-w", "--write"}, description = "rewrite the files in place")
    boolean write;

    @Option(names = {"-c", "--check"}, description = "only list the files that need formatting (exit 1 when any does)")
    boolean check;

    @Option(names = {"-d", "--diff"}, description = "show the changes `opa fmt` would make")
    boolean diff;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (write == check) {
        err.println("vectorgate: give exactly one of --check or --write");
        return 2;
      }
      for (Path s : sources) {
        if (!Files.exists(s)) {
          err.println("vectorgate: " + s + ": no such file or directory");
          return 2;
        }
      }
      io.vectorgate.dsl.rego.OpaTool opa = io.vectorgate.dsl.rego.OpaTool.fromEnvironment();
      List<String> args = new java.util.ArrayList<>(List.of("fmt", "-l"));
      sources.forEach(p -> args.add(p.toString()));
      io.vectorgate.dsl.rego.OpaTool.Run listed = opa.run(args, null);
      if (!listed.stderr().isBlank()) { // a file that does not parse
        err.println(listed.stderr().strip());
        return 1;
      }
      io.vectorgate.harness.RepoPaths paths = io.vectorgate.harness.RepoPaths.of(sources.get(0));
      List<String> files = listed.stdout().lines().filter(l -> !l.isBlank()).toList();
      for (String f : files) {
        out.println((write ? "formatted " : "not formatted: ") + paths.show(Path.of(f)));
        if (diff) {
          out.println(opa.run(List.of("fmt", "-d", f), null).stdout().stripTrailing());
        }
      }
      if (write && !files.isEmpty()) {
        List<String> w = new java.util.ArrayList<>(List.of("fmt", "-w"));
        w.addAll(files);
        io.vectorgate.dsl.rego.OpaTool.Run r = opa.run(w, null);
        if (!r.ok()) {
          err.println(r.stderr().strip());
          return 1;
        }
      }
      return check && !files.isEmpty() ? 1 : 0;
    }
  }

  @Command(name = "compile", mixinStandardHelpOptions = true, description = "Compile policy sources into an OPA Wasm bundle (bundle.tar.gz).")
  static final class Compile implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Progress.Flag progress = new Progress.Flag();

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "Rego files/directories and data files")
    List<Path> sources;

    @Option(names = {"-o", "--output"}, required = true, description = "where to write the bundle")
    Path output;

    @Option(names = {"-r", "--revision"}, description = "bundle revision (default: a hash of the sources)")
    String revision;

    @Option(names = {"-e", "--entrypoint"}, description = "entrypoints (default: vectorgate/decision)")
    List<String> entrypoints;

    @Override
    public Integer call() throws Exception {
      PolicyBundle b;
      try (Progress p = progress.open(spec.commandLine().getErr())) {
        b = compile(spec, sources, req -> {
          PolicyCompiler.CompileRequest out = req;
          if (revision != null) {
            out = out.withRevision(revision);
          }
          if (entrypoints != null && !entrypoints.isEmpty()) {
            out = out.withEntrypoints(entrypoints.toArray(String[]::new));
          }
          return out;
        }, p);
      }
      if (b == null) {
        return 1;
      }
      Files.write(output, b.toTarGz());
      spec.commandLine().getOut().println("wrote " + output + " (revision " + b.revision() + ")");
      return 0;
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate an input with the in-process engine (plan by default; Wasm for a bundle without a"
      + " plan, e.g. from `opa build -t wasm`) and print the result as JSON.")
  static final class Eval implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin Progress.Flag progress = new Progress.Flag();

    @Option(names = {"-b", "--bundle"}, description = "a bundle.tar.gz (from `policy compile` or `opa build -t wasm`)")
    Path bundle;

    @Option(names = {"-s", "--source"}, description = "policy sources to compile first (instead of --bundle)")
    List<Path> sources;

    @Option(names = {"-i", "--input"}, required = true, description = "input JSON file (- for stdin)")
    String input;

    @Option(names = {"-e", "--entrypoint"}, defaultValue = EngineConfig.DEFAULT_ENTRYPOINT,
        description = "entrypoint (default: ${DEFAULT-VALUE})")
    String entrypoint;

    @Option(names = "--explain", paramLabel = "notes|full",
        description = "also explain the decision with the real opa (needs --source), on stderr: notes = the rules "
            + "that produced a value (file:line, rule); full = those and OPA's `--explain=full` trace")
    String explain;

    @Override
    public Integer call() throws Exception {
      if ((bundle == null) == (sources == null || sources.isEmpty())) {
        spec.commandLine().getErr().println("vectorgate: give exactly one of --bundle or --source");
        return 2;
      }
      if (explain != null && (!List.of("notes", "full").contains(explain) || bundle != null)) {
        spec.commandLine().getErr().println("vectorgate: --explain takes notes or full, and needs --source (a bundle "
            + "holds no Rego to explain)");
        return 2;
      }
      PolicyBundle b;
      if (bundle != null) {
        b = PolicyBundle.read(bundle);
      } else {
        try (Progress p = progress.open(spec.commandLine().getErr())) {
          b = compile(spec, sources, r -> r, p);
        }
        if (b == null) {
          return 1;
        }
      }
      String json = "-".equals(input) ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          : Files.readString(Path.of(input));
      EngineConfig cfg = EngineConfig.builder().poolSize(1).entrypoint(entrypoint).noWarmup().build();
      try (PolicyEngine engine = PolicyEngine.start(cfg, b)) {
        Evaluation ev = engine.evaluate(entrypoint, json);
        // the contract's names (decision_id, reason_code, …), as in the decision log
        JsonNode out = ContractJson.mapper().copy()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .valueToTree(ev);
        spec.commandLine().getOut().println(ContractJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        if (explain != null && !explain(json)) {
          return 1;
        }
        return ev.status() == Evaluation.Status.DEFINED ? 0 : 1;
      }
    }

    /**
     * Explains the decision with {@link DecisionExplainer} (the real {@code opa eval --explain=full}
     * on the same sources and input) and prints on stderr the rules that produced a value, then each
     * reason and obligation with the rules that produced it, files named as the repository does.
     */
    private boolean explain(String inputJson) throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      PolicySources.Prepared prepared = PolicySources.prepare(sources);
      io.vectorgate.harness.RepoPaths paths = io.vectorgate.harness.RepoPaths.of(sources.get(0));
      List<DecisionExplainer.Source> shown = new java.util.ArrayList<>();
      for (int i = 0; i < sources.size(); i++) {
        String name = paths.show(sources.get(i));
        shown.add(new DecisionExplainer.Source(prepared.sources().get(i), ".".equals(name) ? "" : name));
      }
      DecisionExplainer.Explanation e;
      try {
        e = DecisionExplainer.create(java.time.Duration.ofSeconds(60)).explain(new DecisionExplainer.Request(shown,
            inputJson, DecisionExplainer.Request.queryOf(entrypoint), explain.equals("full")));
      } catch (DecisionExplainer.ExplainException x) {
        err.println("vectorgate: cannot explain: " + x.getMessage());
        return false;
      }
      err.println("rules that produced a value:");
      java.util.Set<String> listed = new java.util.LinkedHashSet<>();
      e.notes().forEach(n -> listed.add(n.location() + "  " + n.rule()));
      listed.forEach(r -> err.println("  " + r));
      if (!e.reasons().isEmpty()) {
        err.println("reasons:");
        e.reasons().forEach(t -> printTraced(err, t));
      }
      if (!e.obligations().isEmpty()) {
        err.println("obligations:");
        e.obligations().forEach(t -> printTraced(err, t));
      }
      if (explain.equals("full")) {
        err.println("opa eval --explain=full:");
        err.println(e.trace().stripTrailing());
      }
      return true;
    }

    private static void printTraced(PrintWriter err, DecisionExplainer.Traced t) {
      String kind = t.element().path("kind").asText("");
      err.println("  " + (kind.isEmpty() ? "" : kind + " ") + t.code() + ": " + t.element().path("message").asText(""));
      if (t.rules().isEmpty()) {
        err.println("    (no rule in the trace produced it)");
      }
      t.rules().forEach(n -> err.println("    " + n.location() + "  " + n.rule()));
    }
  }
}
