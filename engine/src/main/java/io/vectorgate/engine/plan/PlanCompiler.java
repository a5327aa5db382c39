package io.vectorgate.engine.plan;

import io.vectorgate.engine.BundleLimits;
import io.vectorgate.engine.Capabilities;
import io.vectorgate.engine.Diagnostic;
import io.vectorgate.engine.OpaCli;
import io.vectorgate.engine.PolicyCompiler;
import java.util.List;
import java.util.Objects;

/**
 * Compiles Rego to a {@link PlanBundle} with the real {@code opa build -t plan}: the same checks,
 * entrypoints, ignore patterns and diagnostics as the Wasm build ({@link PolicyCompiler#build}),
 * with capabilities restricted to the builtins the plan engine implements ({@link Builtins}), so a
 * policy calling anything else fails at compile time naming the builtin.
 */
public final class PlanCompiler {
  /** A compiled plan bundle or the diagnostics that stopped it. */
  public record Result(PlanBundle bundle, List<Diagnostic> diagnostics) {
    public boolean ok() {
      return bundle != null;
    }

    public PlanBundle orThrow() {
      if (bundle == null) {
        throw new PlanException("policy does not compile: " + diagnostics);
      }
      return bundle;
    }
  }

  private final PolicyCompiler compiler;
  private final Capabilities capabilities;
  private final BundleLimits limits;
  private final Builtins builtins;

  public PlanCompiler(OpaCli opa, BundleLimits limits) {
    this.builtins = Builtins.standard();
    this.capabilities = Capabilities.exactly(Objects.requireNonNull(opa, "opa"), builtins.names());
    this.compiler = new PolicyCompiler(opa, capabilities, limits);
    this.limits = limits;
  }

  public Capabilities capabilities() {
    return capabilities;
  }

  public Result compile(PolicyCompiler.CompileRequest request) {
    PolicyCompiler.BuildOutput out = compiler.build(request, "plan", capabilities);
    if (!out.ok()) {
      return new Result(null, out.diagnostics());
    }
    try {
      return new Result(PlanBundle.read(out.bundle(), limits, builtins), List.of());
    } catch (PlanException e) {
      return new Result(null, List.of(new Diagnostic("plan.json", 0, 0, "plan_invalid", e.getMessage())));
    }
  }
}
