package io.vectorgate.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * The logging of {@code vectorgate gateway}. The CLI's own commands log warnings only (stdout stays
 * machine-readable); a gateway needs its lifecycle on record, so it is reconfigured from
 * {@code vectorgate-gateway-logback.xml}: {@code level} for everything (default INFO), text or JSON
 * lines ({@code format}), and the per-request lines of {@code io.vectorgate.requests} on or off.
 */
public final class GatewayLogging {
  static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
  static final Set<String> FORMATS = Set.of("text", "json");

  private GatewayLogging() {}

  /**
   * @throws IllegalArgumentException naming the option when a value is not one of the allowed ones
   */
  public static void configure(String level, String format, String requests) {
    String lv = level.toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(lv)) {
      throw new IllegalArgumentException("--log-level must be one of trace, debug, info, warn, error; was `" + level + "`");
    }
    String fmt = format.toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(fmt)) {
      throw new IllegalArgumentException("--log-format must be text or json; was `" + format + "`");
    }
    String req = requests.toLowerCase(Locale.ROOT);
    if (!req.equals("on") && !req.equals("off")) {
      throw new IllegalArgumentException("--request-log must be on or off; was `" + requests + "`");
    }
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    URL config = GatewayLogging.class.getResource("/vectorgate-gateway-logback.xml");
    if (config == null) {
      throw new IllegalStateException("vectorgate-gateway-logback.xml is missing from the distribution");
    }
    ctx.reset();
    ctx.putProperty("vectorgate.log.level", lv);
    ctx.putProperty("vectorgate.log.format", fmt);
    ctx.putProperty("vectorgate.log.requests", req.equals("on") ? lv : "OFF");
    JoranConfigurator j = new JoranConfigurator();
    j.setContext(ctx);
    try {
      j.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure logging from " + config + ": " + e.getMessage(), e);
    }
  }
}
