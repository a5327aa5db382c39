package io.vectorgate.harness.source;

import io.vectorgate.dsl.PolicyDirectory;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.PolicyBundle;
import io.vectorgate.engine.PolicyBundle.BundleException;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.rego.RegoLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a {@link PolicySource} into a {@link PolicyBundle}, the way the gateway would: DSL files
 * compiled by {@link PolicyDirectory}, {@code .rego} copied, the decision table added when missing,
 * {@code data.json}/{@code data.yaml} files copied at their relative paths, optionally the shipped
 * Rego library, then {@code opa build -t wasm} through the engine's {@link PolicyCompiler}.
 */
public final class PolicyLoader {
  static final Set<String> DATA_FILES = Set.of("data.json", "data.yaml", "data.yml");

  private final PolicyCompiler compiler;
  private final OpaTool opa;
  private final boolean withLibrary;

  /**
   * @param withLibrary also add the shipped Rego library ({@code vectorgate-rego-policies}), so a
   *     directory holding only a {@code data.json} configures it
   */
  public PolicyLoader(PolicyCompiler compiler, OpaTool opa, boolean withLibrary) {
    this.compiler = compiler;
    this.opa = opa;
    this.withLibrary = withLibrary;
  }

  /** The compiler and {@code opa} found through {@code -Dvectorgate.opa} or the PATH. */
  public static PolicyLoader fromEnvironment(boolean withLibrary) {
    return new PolicyLoader(PolicyCompiler.create(), OpaTool.fromEnvironment(), withLibrary);
  }

  public OpaTool opa() {
    return opa;
  }

  /** A loaded policy: the bundle, and for sources the prepared Rego directory and the DSL diagnostics. */
  public record Loaded(PolicySource source, PolicyBundle bundle, Path preparedDir, List<Diagnostic> dslDiagnostics) {
    public String revision() {
      return bundle.revision();
    }
  }

  /** The prepared Rego of a policy directory (DSL compiled, library and data added). */
  public record Prepared(Path dir, List<Diagnostic> diagnostics) {
    public boolean ok() {
      return diagnostics.stream().noneMatch(Diagnostic::isError);
    }
  }

  /**
   * Loads a source; {@code workDir} receives checkouts and prepared directories (the caller deletes it).
   *
   * @throws HarnessException when the policy does not compile (every diagnostic listed) or cannot be read
   */
  public Loaded load(PolicySource source, Path workDir) {
    try {
      Files.createDirectories(workDir);
      if (source instanceof PolicySource.BundleFile b) {
        try {
          return new Loaded(source, PolicyBundle.read(b.path()), null, List.of());
        } catch (BundleException e) {
          throw new HarnessException(b.path().toString(), "unusable bundle: " + e.getMessage(), e);
        }
      }
      if (source instanceof PolicySource.Directory d) {
        return compileDir(source, d.path(), Files.createTempDirectory(workDir, "prepared-"), null);
      }
      PolicySource.GitRevision g = (PolicySource.GitRevision) source;
      Path checkout = Files.createTempDirectory(workDir, "checkout-");
      GitCheckout.Result r = GitCheckout.checkout(g, checkout);
      return compileDir(source, checkout, Files.createTempDirectory(workDir, "prepared-"), r.revisionLabel());
    } catch (IOException e) {
      throw new HarnessException(source.describe(), "cannot prepare the policy: " + e.getMessage(), e);
    }
  }

  private Loaded compileDir(PolicySource source, Path dir, Path out, String revision) {
    Prepared p = prepare(dir, out);
    if (!p.ok()) {
      throw new HarnessException(source.describe(), "policy language errors:\n" + render(p.diagnostics()));
    }
    PolicyCompiler.CompileRequest req = PolicyCompiler.CompileRequest.of(p.dir());
    if (revision != null) {
      req = req.withRevision(revision);
    }
    CompileResult r = compiler.compile(req);
    if (!r.succeeded()) {
      StringBuilder sb = new StringBuilder("policy does not compile:");
      r.diagnostics().forEach(d -> sb.append('\n').append(d));
      throw new HarnessException(source.describe(), sb.toString());
    }
    return new Loaded(source, r.orThrow(), p.dir(), p.diagnostics());
  }

  /** Compiles a prepared directory (see {@link #prepare}) with the content hash as revision. */
  public CompileResult compile(Prepared p) {
    return compiler.compile(PolicyCompiler.CompileRequest.of(p.dir()));
  }

  /** The loaded policy of a directory whose {@link #compile} succeeded. */
  public static Loaded loaded(PolicySource source, Prepared p, CompileResult r) {
    return new Loaded(source, r.orThrow(), p.dir(), p.diagnostics());
  }

  static String render(List<Diagnostic> ds) {
    StringBuilder sb = new StringBuilder();
    for (Diagnostic d : ds) {
      if (!sb.isEmpty()) {
        sb.append('\n');
      }
      sb.append(d.render());
    }
    return sb.toString();
  }

  /** Prepares {@code dir} into {@code out} (see the class comment). */
  public Prepared prepare(Path dir, Path out) {
    try {
      PolicyDirectory.Prepared p = PolicyDirectory.prepare(dir, out, opa);
      if (withLibrary) {
        for (Map.Entry<String, String> m : RegoLibrary.sources().entrySet()) {
          Path target = out.resolve(m.getKey());
          if (!Files.exists(target)) {
            Files.createDirectories(target.getParent());
            Files.writeString(target, m.getValue(), StandardCharsets.UTF_8);
          }
        }
      }
      for (Path data : dataFiles(dir)) {
        Path target = out.resolve(dir.relativize(data).toString());
        Files.createDirectories(target.getParent());
        Files.copy(data, target);
      }
      return new Prepared(out, p.diagnostics());
    } catch (IOException e) {
      throw new HarnessException(dir.toString(), "cannot prepare the policy directory: " + e.getMessage(), e);
    } catch (OpaTool.OpaException e) {
      throw new HarnessException(dir.toString(), "opa failed while compiling DSL files: " + e.getMessage(), e);
    }
  }

  /** {@code data.json}/{@code data.yaml} files of a policy directory, outside hidden directories. */
  static List<Path> dataFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile)
          .filter(f -> DATA_FILES.contains(f.getFileName().toString()))
          .filter(f -> {
            for (Path part : dir.relativize(f)) {
              if (part.toString().startsWith(".")) {
                return false;
              }
            }
            return true;
          })
          .sorted()
          .forEach(out::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }
}
