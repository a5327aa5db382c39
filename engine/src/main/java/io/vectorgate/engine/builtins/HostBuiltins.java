package io.vectorgate.engine.builtins;

import com.styra.opa.wasm.OpaBuiltin;
import java.util.List;

/**
 * The OPA builtins that are not native in OPA's Wasm and that the engine implements in Java.
 * The compiler's capabilities file lists exactly these plus the Wasm-native ones.
 */
public final class HostBuiltins {
  private HostBuiltins() {}

  /** Builtin implementations to register on every policy instance. */
  public static OpaBuiltin.Builtin[] all() {
    return new OpaBuiltin.Builtin[0];
  }

  /** Names of the builtins {@link #all()} provides, e.g. {@code time.now_ns}. */
  public static List<String> names() {
    return List.of();
  }
}
