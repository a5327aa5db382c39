package io.vectorgate.cli;

import io.vectorgate.dsl.DslMain;
import io.vectorgate.harness.RepoPaths;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vectorgate dsl check|compile|fmt}: the Vectorgate policy language (.vg files). */
@Command(name = "dsl", mixinStandardHelpOptions = true,
    description = "Check, compile (to Rego) and format Vectorgate DSL policies (.vg).",
    subcommands = {DslCommand.Check.class, DslCommand.Compile.class, DslCommand.Fmt.class})
public final class DslCommand {

  /** Runs the DSL tool's command and copies its output to picocli's writers. */
  static int delegate(CommandSpec spec, List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = DslMain.run(args, o, e, RepoPaths::given); // files named as the repository names them
    }
    spec.commandLine().getOut().print(out.toString(StandardCharsets.UTF_8));
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().print(err.toString(StandardCharsets.UTF_8));
    spec.commandLine().getErr().flush();
    return code;
  }

  static List<String> args(String command, List<Path> files, String... flags) {
    List<String> a = new ArrayList<>();
    a.add(command);
    a.addAll(List.of(flags));
    files.forEach(f -> a.add(f.toString()));
    return a;
  }

  @Command(name = "check", mixinStandardHelpOptions = true, description = "Report every error and warning (code, file:line:col, caret snippet).")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(arity = "1..*", paramLabel = "FILE") List<Path> files;

    @Override
    public Integer call() {
      return delegate(spec, args("check", files));
    }
  }

  @Command(name = "compile", mixinStandardHelpOptions = true, description = "Print the Rego each policy compiles to (formatted by opa fmt).")
  static final class Compile implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(arity = "1..*", paramLabel = "FILE") List<Path> files;

    @Override
    public Integer call() {
      return delegate(spec, args("compile", files));
    }
  }

  @Command(name = "fmt", mixinStandardHelpOptions = true, description = "Print canonical DSL, or rewrite the files with --write.")
  static final class Fmt implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(arity = "1..*", paramLabel = "FILE") List<Path> files;
    @Option(names = "--write", description = "rewrite the files in place") boolean write;

    @Override
    public Integer call() {
      return write ? delegate(spec, args("fmt", files, "--write")) : delegate(spec, args("fmt", files));
    }
  }
}
