package io.vectorgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.vectorgate.proxy.GatewayMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vectorgate gateway --config gateway.yaml}: runs the gateway from the CLI distribution,
 * which also carries the policy test harness, so a git rollout's test stage runs the harness's
 * traffic tests (not only {@code opa test}). The CLI logs warnings only; this command logs the
 * gateway's lifecycle at INFO and, unless {@code --no-request-log}, one line per request
 * ({@code io.vectorgate.requests}); {@code --log-level} changes the gateway's level.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = "Run the gateway (listeners, identity, policy, enforcement) until interrupted.",
    footer = {"", "Logs go to standard error: lifecycle lines (event=...) at INFO, one `io.vectorgate.requests` line",
        "per request. For a logback configuration of your own: java -Dlogback.configurationFile=FILE -jar ..."})
public final class GatewayCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "the gateway's YAML configuration")
  Path config;

  @Option(names = "--check", description = "check the configuration and exit: keys, secrets (env/file), listen "
      + "ports free, the policy compiles; unreachable upstreams are warnings")
  boolean check;

  @Option(names = "--log-level", defaultValue = "INFO", description = "level of the gateway's log (io.vectorgate): "
      + "ERROR, WARN, INFO, DEBUG (default: ${DEFAULT-VALUE})")
  String logLevel;

  @Option(names = "--no-request-log", description = "no per-request log lines (io.vectorgate.requests)")
  boolean noRequestLog;

  @Override
  public Integer call() {
    // --check prints its findings itself; the compile's INFO lines would only bury them
    configureLogging(check ? "WARN" : logLevel, !noRequestLog && !check);
    List<String> args = new ArrayList<>(List.of("--config", config.toString()));
    if (check) {
      args.add("--check");
    }
    return GatewayMain.run(args.toArray(String[]::new));
  }

  /** Sets the gateway's log levels on the CLI's logback (whose root level is WARN). */
  static void configureLogging(String level, boolean requestLines) {
    Level l = Level.toLevel(level, null);
    if (l == null) {
      throw new IllegalArgumentException("--log-level: unknown level `" + level + "` (ERROR, WARN, INFO, DEBUG, TRACE)");
    }
    if (LoggerFactory.getLogger("io.vectorgate") instanceof Logger gateway) {
      gateway.setLevel(l);
    }
    if (LoggerFactory.getLogger("io.vectorgate.requests") instanceof Logger requests) {
      requests.setLevel(requestLines ? Level.INFO : Level.OFF);
    }
  }
}
