package io.vectorgate.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locates and runs the {@code opa} binary. Lookup order: system property {@code vectorgate.opa},
 * environment variable {@code VECTORGATE_OPA}, {@code <root>/tools/bin/opa} (root from the system
 * property {@code vectorgate.root}, else the environment variable {@code VECTORGATE_ROOT}, else the
 * working directory), then every directory on {@code PATH}.
 */
public final class OpaCli {
  private static final Logger LOG = LoggerFactory.getLogger(OpaCli.class);

  /** Output of one finished {@code opa} run. */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** The binary could not be found, started, or did not finish in time. */
  public static final class OpaCliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OpaCliException(String message) {
      super(message);
    }

    public OpaCliException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Path binary;
  private final Duration timeout;

  public OpaCli(Path binary, Duration timeout) {
    this.binary = Objects.requireNonNull(binary, "binary");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (!Files.isExecutable(binary)) {
      throw new OpaCliException("opa binary `" + binary + "` does not exist or is not executable");
    }
  }

  /** The binary found by {@link #locate()}, with a 60 s timeout per run. */
  public static OpaCli discover() {
    return new OpaCli(locate(), Duration.ofSeconds(60));
  }

  /** Finds the {@code opa} binary (see the class comment for the order). */
  public static Path locate() {
    List<String> tried = new ArrayList<>();
    String prop = System.getProperty("vectorgate.opa");
    if (prop != null && !prop.isBlank()) {
      Path p = Path.of(prop);
      if (Files.isExecutable(p)) {
        return p;
      }
      tried.add("-Dvectorgate.opa=" + prop);
    }
    String env = System.getenv("VECTORGATE_OPA");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isExecutable(p)) {
        return p;
      }
      tried.add("VECTORGATE_OPA=" + env);
    }
    String root = System.getProperty("vectorgate.root");
    if (root == null || root.isBlank()) {
      root = System.getenv("VECTORGATE_ROOT");
    }
    Path rootPath = root == null || root.isBlank() ? Path.of("").toAbsolutePath() : Path.of(root);
    Path tools = rootPath.resolve("tools/bin/opa");
    if (Files.isExecutable(tools)) {
      return tools;
    }
    tried.add(tools.toString());
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path p = Path.of(dir, "opa");
        if (Files.isExecutable(p)) {
          return p;
        }
      }
      tried.add("PATH");
    }
    throw new OpaCliException("opa binary not found; tried " + String.join(", ", tried)
        + " (run scripts/bootstrap.sh or set -Dvectorgate.opa)");
  }

  public Path binary() {
    return binary;
  }

  /** Runs {@code opa <args>} in {@code workDir} and waits up to the configured timeout. */
  public Result run(Path workDir, List<String> args) {
    List<String> command = new ArrayList<>(args.size() + 1);
    command.add(binary.toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new OpaCliException("cannot start `" + binary + "`", e);
    }
    ExecutorService readers = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "opa-cli-reader");
      t.setDaemon(true);
      return t;
    });
    try {
      process.getOutputStream().close();
      Future<String> out = readers.submit(() -> readAll(process.getInputStream()));
      Future<String> err = readers.submit(() -> readAll(process.getErrorStream()));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new OpaCliException("`opa " + String.join(" ", args) + "` did not finish within " + timeout);
      }
      Result result = new Result(process.exitValue(), out.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
          err.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      LOG.debug("opa run args={} exit={}", args, result.exitCode());
      return result;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new OpaCliException("interrupted while running `opa " + String.join(" ", args) + "`", e);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new OpaCliException("cannot read the output of `opa " + String.join(" ", args) + "`", e);
    } catch (IOException e) {
      process.destroyForcibly();
      throw new OpaCliException("cannot talk to `opa " + String.join(" ", args) + "`", e);
    } finally {
      readers.shutdownNow();
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      return buf.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
