package io.vectorgate.dsl.rego;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@code opa} CLI, for what the DSL compiler needs from it: {@code opa fmt} on generated
 * Rego, {@code opa check --strict} and {@code opa build -t wasm} of a policy directory.
 */
public final class OpaTool {
  private static final Logger LOG = LoggerFactory.getLogger(OpaTool.class);
  private static final long TIMEOUT_SECONDS = 120;

  private final Path opa;

  public OpaTool(Path opa) {
    if (!Files.isExecutable(opa)) {
      throw new IllegalArgumentException("opa binary " + opa + " is missing or not executable");
    }
    this.opa = opa;
  }

  /** The opa named by the system property {@code vectorgate.opa}, else {@code opa} on the PATH. */
  public static OpaTool fromEnvironment() {
    String p = System.getProperty("vectorgate.opa");
    if (p != null && !p.isBlank()) {
      return new OpaTool(Path.of(p));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "opa");
      if (Files.isExecutable(candidate)) {
        return new OpaTool(candidate);
      }
    }
    throw new IllegalStateException("no opa binary: set -Dvectorgate.opa=/path/to/opa or put opa on the PATH");
  }

  public Path binary() {
    return opa;
  }

  /** The output of a finished opa run. */
  public record Run(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** {@code opa fmt} of one module's text. */
  public String fmt(String rego) throws OpaException {
    Run r = run(List.of("fmt"), rego);
    if (!r.ok()) {
      throw new OpaException("opa fmt rejected the generated Rego: " + r.stderr().strip());
    }
    return r.stdout();
  }

  /** {@code opa check --strict} of files or directories. */
  public Run checkStrict(List<Path> paths) throws OpaException {
    List<String> args = new ArrayList<>(List.of("check", "--strict"));
    paths.forEach(p -> args.add(p.toString()));
    return run(args, null);
  }

  /** {@code opa build -t wasm -e vectorgate/decision} of a directory into {@code bundle}. */
  public Run buildWasm(Path dir, Path bundle, String entrypoint) throws OpaException {
    return run(List.of("build", "-t", "wasm", "-e", entrypoint, "-o", bundle.toString(), dir.toString()), null);
  }

  /** Runs opa with arguments and optional stdin; waits at most two minutes. */
  public Run run(List<String> args, String stdin) throws OpaException {
    List<String> command = new ArrayList<>();
    command.add(opa.toString());
    command.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new OpaException("cannot start " + command, e);
    }
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      p.destroyForcibly();
      throw new OpaException("cannot write to " + command, e);
    }
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new OpaException(command + " did not finish within " + TIMEOUT_SECONDS + "s");
      }
      Run r = new Run(p.exitValue(), out.get(), err.get());
      LOG.debug("opa_run command={} exit={}", args.get(0), r.exitCode());
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new OpaException("interrupted while running " + command, e);
    } catch (ExecutionException e) {
      throw new OpaException("cannot read the output of " + command, e);
    }
  }

  private static String drain(InputStream s) {
    try (s) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      s.transferTo(b);
      return b.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** opa could not be run or rejected its input. */
  public static final class OpaException extends Exception {
    private static final long serialVersionUID = 1L;

    public OpaException(String message) {
      super(message);
    }

    public OpaException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
