package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code decision_log:} section: one JSON line per policy decision (OPA's decision-log fields,
 * {@code bundles.vectorgate.revision} = the active revision), written by the engine's
 * {@code JsonLinesDecisionLogger} for the static policy and for rolled-out revisions alike.
 *
 * <ul>
 *   <li>{@code path}: a file (appended to; relative to the config file) or {@code stdout};
 *   <li>{@code mask}: JSON pointers erased from every event, each under {@code /input} or {@code /result};
 *   <li>{@code queue_size}: events waiting for the writer (default 10000); beyond it events are
 *       dropped and counted ({@code vectorgate_engine_decision_log_dropped_total});
 *   <li>{@code labels}: added to every event (e.g. {@code gateway: gw-1}).
 * </ul>
 */
public record DecisionLogConfig(
    @JsonProperty("path") String path,
    @JsonProperty("mask") List<String> mask,
    @JsonProperty("queue_size") Integer queueSize,
    @JsonProperty("labels") Map<String, String> labels) {

  public static final String STDOUT = "stdout";

  public DecisionLogConfig {
    mask = mask == null ? List.of() : List.copyOf(mask);
    queueSize = queueSize == null ? 10_000 : queueSize;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** True when events go to standard output. */
  public boolean toStdout() {
    return STDOUT.equals(path);
  }

  /** The file, when not {@code stdout}. */
  public Path file() {
    return toStdout() ? null : Path.of(path);
  }

  DecisionLogConfig resolve(Path base) {
    if (path == null || toStdout() || base == null) {
      return this;
    }
    return new DecisionLogConfig(base.resolve(path).normalize().toString(), mask, queueSize, labels);
  }

  void validate(String at) {
    if (path == null || path.isBlank()) {
      throw new ConfigException(at + ".path", "required: a file or `stdout`");
    }
    for (int i = 0; i < mask.size(); i++) {
      String p = mask.get(i);
      if (p == null || !(p.equals("/input") || p.startsWith("/input/") || p.equals("/result") || p.startsWith("/result/"))) {
        throw new ConfigException(at + ".mask[" + i + "]", "must be a JSON pointer under /input or /result, was `" + p + "`");
      }
    }
    if (queueSize < 1 || queueSize > 1_000_000) {
      throw new ConfigException(at + ".queue_size", "must be between 1 and 1000000, was " + queueSize);
    }
    if (!toStdout()) {
      Path parent = file().toAbsolutePath().getParent();
      if (parent != null && java.nio.file.Files.exists(parent) && !java.nio.file.Files.isDirectory(parent)) {
        throw new ConfigException(at + ".path", "the parent of `" + path + "` is not a directory");
      }
    }
  }
}
