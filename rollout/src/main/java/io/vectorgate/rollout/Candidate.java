package io.vectorgate.rollout;

import io.vectorgate.engine.PolicyBundle;
import java.nio.file.Path;

/** A revision made available by a {@link PolicySource}: policy files to compile, or a bundle built elsewhere. */
public sealed interface Candidate {
  String revision();

  /** The policy directory of {@code revision} (DSL, Rego, data, tests), checked out under staging. */
  record Tree(String revision, Path dir) implements Candidate {}

  /** A bundle built by CI ({@code opa build -t wasm}), already verified by the source. */
  record Bundle(String revision, PolicyBundle bundle) implements Candidate {}
}
