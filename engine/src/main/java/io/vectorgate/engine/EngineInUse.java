package io.vectorgate.engine;

import java.util.Objects;

/**
 * Which evaluator decides for one bundle revision: the configured engine, or
 * {@link EngineConfig.Engine#WASM} when the plan engine could not take the bundle and it fell back
 * ({@link EngineConfig#planFallback()}).
 *
 * @param revision the bundle's revision
 * @param engine the engine evaluating it
 * @param fallback why the plan engine could not take it (the builtin and {@code file:line} the plan
 *     build named, or the bundle's missing plan), or null when no fallback happened
 */
public record EngineInUse(String revision, EngineConfig.Engine engine, String fallback) {
  public EngineInUse {
    Objects.requireNonNull(engine, "engine");
  }

  /** Whether this revision runs on Wasm because the plan engine could not take it. */
  public boolean fellBack() {
    return fallback != null;
  }
}
