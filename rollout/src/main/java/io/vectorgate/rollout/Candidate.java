package io.vectorgate.rollout;

import io.vectorgate.engine.PolicyBundle;
import java.nio.file.Path;

/** A revision made available by a {@link PolicySource}: policy files to compile, or a bundle built elsewhere. */
public sealed interface Candidate {
  String revision();

  /**
   * The policy directory of {@code revision} (DSL, Rego, data, tests), checked out under staging;
   * {@code root} is its path inside the repository ("" for the repository root), the prefix every
   * diagnostic gets so it names the file as the repository does.
   */
  record Tree(String revision, Path dir, String root) implements Candidate {
    public Tree {
      root = root == null ? "" : root.replaceAll("^/+|/+$", "");
    }

    public Tree(String revision, Path dir) {
      this(revision, dir, "");
    }
  }

  /** A bundle built by CI ({@code opa build -t wasm}), already verified by the source. */
  record Bundle(String revision, PolicyBundle bundle) implements Candidate {}
}
