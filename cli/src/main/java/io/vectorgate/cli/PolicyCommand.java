package io.vectorgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.ContractJson;
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

/** {@code vectorgate policy check|compile|eval}: compile Rego to a Wasm bundle and evaluate it in-process. */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = "Compile and evaluate policies (Rego → OPA Wasm → in-process engine).",
    subcommands = {PolicyCommand.Check.class, PolicyCommand.Compile.class, PolicyCommand.Eval.class,
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
    prepared.diagnostics().forEach(d -> err.println(d.render()));
    if (!prepared.ok()) {
      err.println("the DSL policies have errors; nothing was compiled");
      return null;
    }
    progress.step("compiling with opa (Wasm)");
    CompileResult r = PolicyCompiler.create().compile(
        customize.apply(PolicyCompiler.CompileRequest.of(prepared.sources().toArray(Path[]::new))));
    progress.close();
    if (!r.succeeded()) {
      printDiagnostics(err, r.diagnostics());
      return null;
    }
    return r.orThrow();
  }

  static int printDiagnostics(PrintWriter err, List<Diagnostic> diagnostics) {
    for (Diagnostic d : diagnostics) {
      err.println(d);
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

    @Override
    public Integer call() throws Exception {
      PolicyBundle b;
      try (Progress p = progress.open(spec.commandLine().getErr())) {
        b = compile(spec, sources, r -> r, p);
      }
      if (b == null) {
        return 1;
      }
      spec.commandLine().getOut().println("ok: revision " + b.revision());
      return 0;
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

  @Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate an input with the in-process engine and print the result as JSON.")
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

    @Override
    public Integer call() throws Exception {
      if ((bundle == null) == (sources == null || sources.isEmpty())) {
        spec.commandLine().getErr().println("vectorgate: give exactly one of --bundle or --source");
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
        JsonNode out = ContractJson.mapper().valueToTree(ev);
        spec.commandLine().getOut().println(ContractJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return ev.status() == Evaluation.Status.DEFINED ? 0 : 1;
      }
    }
  }
}
