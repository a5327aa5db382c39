package io.vectorgate.engine;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@link PolicyCompiler#compile} produced: a loaded {@link PolicyBundle} on success, or the
 * diagnostics that stopped it (sorted by location). Never both.
 */
public record CompileResult(Optional<PolicyBundle> bundle, List<Diagnostic> diagnostics) {
  public CompileResult {
    diagnostics = List.copyOf(diagnostics);
    if (bundle.isPresent() == !diagnostics.isEmpty()) {
      // a success carries no diagnostics; a failure always carries at least one
      if (bundle.isPresent()) {
        throw new IllegalArgumentException("a compiled bundle cannot carry diagnostics");
      }
      throw new IllegalArgumentException("a failed compile must carry diagnostics");
    }
  }

  public static CompileResult success(PolicyBundle bundle) {
    return new CompileResult(Optional.of(bundle), List.of());
  }

  public static CompileResult failure(List<Diagnostic> diagnostics) {
    return new CompileResult(Optional.empty(), diagnostics.stream().sorted().collect(Collectors.toList()));
  }

  public boolean succeeded() {
    return bundle.isPresent();
  }

  /** The bundle, or an exception listing every diagnostic. */
  public PolicyBundle orThrow() {
    return bundle.orElseThrow(() -> new PolicyCompileException(diagnostics));
  }

  /** Thrown by {@link #orThrow()}: the message lists every diagnostic, one per line. */
  public static final class PolicyCompileException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> diagnostics;

    public PolicyCompileException(List<Diagnostic> diagnostics) {
      super("policy does not compile:\n" + diagnostics.stream().map(Diagnostic::toString)
          .collect(Collectors.joining("\n")));
      this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
      return diagnostics;
    }
  }
}
