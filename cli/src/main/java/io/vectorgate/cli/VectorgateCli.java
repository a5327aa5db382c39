package io.vectorgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code vectorgate} command. Each subcommand group lives in its own class;
 * exit codes: 0 success, 1 the checked thing failed (policy does not compile, chain does not
 * verify, ...), 2 usage or input errors.
 */
@Command(name = "vectorgate", mixinStandardHelpOptions = true, version = "vectorgate 0.1.0",
    description = "Policy gateway for vector databases: policies, sessions, approvals.",
    subcommands = {PolicyCommand.class, DslCommand.class, TestCommand.class, ImpactCommand.class, ApprovalsCommand.class,
        SessionsCommand.class, GatewayCommand.class})
public final class VectorgateCli {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The command line with every subcommand, as {@link #run} executes it (tests set its writers). */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new VectorgateCli());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("vectorgate: " + e.getMessage());
      return 2;
    });
    return cl;
  }
}
