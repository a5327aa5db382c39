package io.vectorgate.proxy.dashboard;

import io.vectorgate.engine.DecisionExplainer;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.rollout.RolloutController;
import io.vectorgate.rollout.RolloutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the Rego of the gateway's active policy revision is, so the dashboard can explain a
 * decision under it: the static {@code policy.rego_dirs} and {@code data_file} (only while the
 * files still hash to the active revision), or the rollout's active revision checked out and
 * prepared again.
 */
@FunctionalInterface
public interface ActiveSources {

  /** Why the sources of the active revision cannot be given; the message is shown to the user. */
  final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The sources of the active {@code revision}; files this writes go under {@code scratch}, which the caller deletes. */
  List<DecisionExplainer.Source> sources(String revision, Path scratch) throws Unavailable;

  /**
   * A static policy ({@code policy.rego_dirs} plus {@code data_file}), compiled at start without an
   * explicit revision: refused when the files no longer hash to the active revision (they were
   * edited since), because the explanation would then describe another policy. Files are named
   * relative to the working directory when under it.
   */
  static ActiveSources files(List<Path> sources) {
    List<Path> all = List.copyOf(sources);
    return (revision, scratch) -> {
      for (Path p : all) {
        if (!Files.exists(p)) {
          throw new Unavailable("the policy source `" + p + "` no longer exists on this gateway", null);
        }
      }
      String now;
      try {
        now = DecisionExplainer.contentRevision(all, EngineConfig.DEFAULT_ENTRYPOINT);
      } catch (RuntimeException e) {
        throw new Unavailable("cannot read the policy sources " + all + ": " + e.getMessage(), e);
      }
      if (!now.equals(revision)) {
        throw new Unavailable("the files of `policy.rego_dirs` no longer hash to the active revision " + revision
            + " (they hash to " + now + "): they changed since the gateway compiled them, and an explanation would"
            + " describe another policy", null);
      }
      Path cwd = Path.of("").toAbsolutePath().normalize();
      List<DecisionExplainer.Source> out = new ArrayList<>();
      for (Path p : all) {
        Path abs = p.toAbsolutePath().normalize();
        out.add(new DecisionExplainer.Source(p, abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString()
            : abs.toString()));
      }
      return out;
    };
  }

  /**
   * The rollout's active revision, checked out of the source again and prepared as the pipeline
   * compiled it (DSL to Rego, data files beside it); files are named by their path in the
   * repository. A bundle-server source delivers prebuilt bundles with no Rego: unavailable.
   */
  static ActiveSources rollout(RolloutController controller) {
    Objects.requireNonNull(controller, "controller");
    return (revision, scratch) -> {
      Optional<RolloutController.PreparedTree> t;
      try {
        t = controller.prepare(revision, scratch);
      } catch (RolloutException e) {
        throw new Unavailable("cannot check out the active revision " + revision + " again: " + e.failure().render(), e);
      }
      if (t.isEmpty()) {
        throw new Unavailable("the active revision " + revision + " is a prebuilt bundle from the bundle server;"
            + " it holds no Rego to explain", null);
      }
      return List.of(new DecisionExplainer.Source(t.get().dir(), t.get().root()));
    };
  }
}
