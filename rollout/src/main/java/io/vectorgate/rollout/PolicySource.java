package io.vectorgate.rollout;

import java.nio.file.Path;
import java.util.Optional;

/** Where revisions come from: a git repository ({@link GitPolicySource}) or a bundle server ({@link BundleServerSource}). */
public interface PolicySource extends AutoCloseable {
  /** For logs and status, without credentials. */
  String describe();

  /**
   * Stage {@link Stage#FETCH}: the newest revision the source offers (the branch head, the served
   * bundle's revision), or empty when the source has none.
   */
  Optional<String> latest() throws RolloutException;

  /**
   * Stage {@link Stage#CHECKOUT}: makes {@code revision} available, writing files under the empty
   * directory {@code staging} when the source has files.
   */
  Candidate checkout(String revision, Path staging) throws RolloutException;

  /**
   * Up to {@code limit} revisions before {@code revision} on the source's history, newest first
   * (for a git branch: the first-parent ancestors); empty when the source has no history.
   */
  default java.util.List<String> ancestors(String revision, int limit) {
    return java.util.List.of();
  }

  @Override
  default void close() {}
}
