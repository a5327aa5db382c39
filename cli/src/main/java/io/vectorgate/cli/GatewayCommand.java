package io.vectorgate.cli;

import io.vectorgate.proxy.GatewayMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vectorgate gateway --config gateway.yaml}: runs the gateway from the CLI distribution,
 * which also carries the policy test harness, so a git rollout's test stage runs the harness's
 * traffic tests (not only {@code opa test}). The CLI logs warnings only; this command logs the
 * gateway's lifecycle at INFO and one line per request ({@code io.vectorgate.requests}), as text
 * or JSON lines ({@link GatewayLogging}).
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = "Run the gateway (listeners, identity, policy, enforcement) until interrupted.",
    footer = {"", "Logs go to standard error: lifecycle lines (event=...) at INFO, one `io.vectorgate.requests` line",
        "per request. For a logback configuration of your own: java -Dlogback.configurationFile=FILE -jar ..."})
public final class GatewayCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "the gateway's YAML configuration")
  Path config;

  @Option(names = "--check", description = "check the configuration and exit: keys, secrets (env/file), listen "
      + "ports free, the policy compiles, the policy source is reachable; unreachable upstreams are warnings")
  boolean check;

  @Option(names = "--log-level", defaultValue = "${env:VECTORGATE_LOG_LEVEL:-info}",
      description = "trace|debug|info|warn|error (default: info; env VECTORGATE_LOG_LEVEL)")
  String logLevel;

  @Option(names = "--log-format", defaultValue = "${env:VECTORGATE_LOG_FORMAT:-text}",
      description = "text|json lines on stderr (default: text; env VECTORGATE_LOG_FORMAT)")
  String logFormat;

  @Option(names = "--request-log", defaultValue = "${env:VECTORGATE_REQUEST_LOG:-on}",
      description = "on|off: one io.vectorgate.requests line per request (default: on; env VECTORGATE_REQUEST_LOG)")
  String requestLog;

  @Override
  public Integer call() {
    // --check prints its findings itself; the compile's INFO lines would only bury them
    GatewayLogging.configure(check ? "warn" : logLevel, logFormat, check ? "off" : requestLog);
    List<String> args = new ArrayList<>(List.of("--config", config.toString()));
    if (check) {
      args.add("--check");
    }
    return GatewayMain.run(args.toArray(String[]::new));
  }
}
