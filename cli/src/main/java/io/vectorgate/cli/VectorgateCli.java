package io.vectorgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code vectorgate} command. Each subcommand group lives in its own class;
 * exit codes: 0 success, 1 the checked thing failed (policy does not compile, chain does not
 * verify, ...), 2 usage or input errors.
 */
@Command(name = "vectorgate", mixinStandardHelpOptions = true, version = "vectorgate 0.1.0",
    description = "Policy gateway for vector databases: policies, sessions, approvals, connections.",
    subcommands = {PolicyCommand.class, DslCommand.class, TestCommand.class, ImpactCommand.class, ApprovalsCommand.class,
        SessionsCommand.class, GatewayCommand.class, ConnectionsCommand.class, DevCommand.class})
public final class VectorgateCli {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * The message of a failed command. A missing or unreadable file names the option or parameter
   * that gave it and what is wrong with it, instead of the bare path a {@code NoSuchFileException} carries.
   */
  static String describe(Exception e, CommandLine.ParseResult parsed) {
    if (e instanceof java.nio.file.FileSystemException fse && fse.getFile() != null) {
      String why = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.NotDirectoryException ? "not a directory"
          : fse.getReason() != null ? fse.getReason() : e.getClass().getSimpleName();
      String given = givenAs(fse.getFile(), parsed);
      return "cannot read " + (given == null ? "" : given + " ") + "`" + fse.getFile() + "`: " + why;
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** The option or parameter label whose value is (or contains) {@code file}, or null. */
  private static String givenAs(String file, CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
      for (CommandLine.Model.ArgSpec a : r.matchedArgs()) {
        Object v = a.getValue();
        boolean match = v instanceof java.util.Collection<?> c ? c.stream().anyMatch(x -> file.equals(String.valueOf(x)))
            : file.equals(String.valueOf(v));
        if (match) {
          return a instanceof CommandLine.Model.OptionSpec o ? "the " + o.longestName() + " file"
              : "the " + a.paramLabel() + " argument";
        }
      }
    }
    return null;
  }

  /** The command line with every subcommand, as {@link #run} executes it (tests set its writers). */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("vectorgate: " + describe(e, parsed));
      return 2;
    });
    return cl;
  }
}
