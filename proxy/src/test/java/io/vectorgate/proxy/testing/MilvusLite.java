package io.vectorgate.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Milvus behind the gateway in tests and the demo: {@code milvus-lite server} from the
 * project venv ({@code <root>/.venv}, created by scripts/bootstrap.sh) on a free loopback port.
 */
public final class MilvusLite implements AutoCloseable {
  private final PeerProcess process;
  private final int port;
  private final Path log;

  private MilvusLite(PeerProcess process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The repository root (system property {@code vectorgate.root}, else the working directory's parent). */
  public static Path root() {
    String r = System.getProperty("vectorgate.root");
    return r == null || r.isBlank() ? Path.of("").toAbsolutePath().getParent() : Path.of(r);
  }

  /** The venv's python; fails with a hint when the venv is missing. */
  public static Path venvBin(String name) {
    Path p = root().resolve(".venv/bin").resolve(name);
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException("the project Python venv is missing (" + p + " not found): run scripts/bootstrap.sh");
    }
    return p;
  }

  /** Starts milvus-lite on 127.0.0.1 with a fresh data directory under {@code workDir}. */
  public static MilvusLite start(Path workDir, int port) throws IOException, InterruptedException {
    Path exe = venvBin("milvus-lite");
    int p = port > 0 ? port : freePort();
    Path data = Files.createDirectories(workDir.resolve("milvus-data"));
    Path log = workDir.resolve("milvus-lite.log");
    PeerProcess proc = PeerProcess.start("milvus-lite", List.of(exe.toString(), "server", "--host", "127.0.0.1", "--port",
        String.valueOf(p), "--data-dir", data.toString()), java.util.Map.of(), log, p);
    return new MilvusLite(proc, p, log);
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() {
    process.close();
  }

  /** A free loopback port. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** Runs a python script of {@code <root>/python} with the venv's python; returns stdout, fails on non-zero exit. */
  public static String runPython(Path workDir, String script, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(venvBin("python").toString(), root().resolve("python").resolve(script).toString()));
    cmd.addAll(List.of(args));
    Path out = workDir.resolve(script + ".out");
    Path err = workDir.resolve(script + ".err");
    Process p = new ProcessBuilder(cmd).directory(root().resolve("python").toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(script + " did not finish within 240 s; stderr: " + Files.readString(err));
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(script + " failed with exit " + p.exitValue() + "\nstdout: " + Files.readString(out)
          + "\nstderr: " + Files.readString(err));
    }
    return Files.readString(out);
  }
}
