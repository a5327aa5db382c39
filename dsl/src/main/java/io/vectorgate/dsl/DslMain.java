package io.vectorgate.dsl;

import io.vectorgate.dsl.rego.OpaTool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A small command line until the {@code vectorgate} CLI exposes the same:
 * {@code check FILE...} prints diagnostics; {@code compile FILE...} prints the Rego of each file
 * (via {@code opa fmt}); {@code fmt [--write] FILE...} prints or rewrites canonical text.
 * Exit code 0 = no errors, 1 = errors in a policy, 2 = usage or tool failure.
 */
public final class DslMain {
  private DslMain() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /** Runs one command, diagnostics naming each file as given; returns the exit code. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, out, err, Path::toString);
  }

  /**
   * Runs one command; every diagnostic names its file {@code shown.apply(file)} (the
   * {@code vectorgate} CLI passes the path relative to the policy repository's root).
   */
  public static int run(List<String> args, PrintStream out, PrintStream err, Function<Path, String> shown) {
    if (args.size() < 2) {
      err.println("usage: dsl check|compile|fmt [--write] FILE...");
      return 2;
    }
    String command = args.get(0);
    boolean write = args.contains("--write");
    List<Path> files = args.subList(1, args.size()).stream().filter(a -> !a.equals("--write")).map(Path::of).toList();
    int status = 0;
    try {
      for (Path f : files) {
        switch (command) {
          case "check" -> {
            DslCompiler.Compilation c = DslCompiler.check(f, shown.apply(f));
            err.print(c.report());
            status = Math.max(status, c.ok() ? 0 : 1);
          }
          case "compile" -> {
            DslCompiler.Compilation c = DslCompiler.compileToRego(f, shown.apply(f), OpaTool.fromEnvironment());
            err.print(c.report());
            if (c.rego() != null) {
              out.print(c.rego());
            }
            status = Math.max(status, c.ok() ? 0 : 1);
          }
          case "fmt" -> {
            DslCompiler.Formatted r = DslCompiler.format(shown.apply(f), Files.readString(f, StandardCharsets.UTF_8));
            r.diagnostics().forEach(d -> err.println(d.render()));
            if (r.text() == null) {
              status = Math.max(status, 1);
            } else if (write) {
              Files.writeString(f, r.text(), StandardCharsets.UTF_8);
            } else {
              out.print(r.text());
            }
          }
          default -> {
            err.println("unknown command `" + command + "`; expected check, compile or fmt");
            return 2;
          }
        }
      }
    } catch (IOException | OpaTool.OpaException | RuntimeException e) {
      err.println("dsl " + command + " failed: " + e.getMessage());
      return 2;
    }
    return status;
  }
}
