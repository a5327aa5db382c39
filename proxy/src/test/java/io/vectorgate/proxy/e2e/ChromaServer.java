package io.vectorgate.proxy.e2e;

import io.vectorgate.proxy.testing.MilvusLite;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Chroma behind the HTTP gateway in tests: {@code chroma run --host 127.0.0.1 --port P
 * --path D} from the project venv (chromadb 1.5.9) on a free loopback port, fresh data directory.
 */
public final class ChromaServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private ChromaServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static ChromaServer start(Path workDir) throws IOException, InterruptedException {
    Path exe = MilvusLite.venvBin("chroma");
    int p = MilvusLite.freePort();
    Path data = Files.createDirectories(workDir.resolve("chroma-data"));
    Path log = workDir.resolve("chroma.log");
    ProcessBuilder pb = new ProcessBuilder(List.of(exe.toString(), "run", "--host", "127.0.0.1", "--port",
        String.valueOf(p), "--path", data.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("ANONYMIZED_TELEMETRY", "False");
    Process proc = pb.start();
    ChromaServer c = new ChromaServer(proc, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!proc.isAlive()) {
        throw new IllegalStateException("chroma exited with " + proc.exitValue() + ": " + Files.readString(log));
      }
      if (listening(p)) {
        return c;
      }
      Thread.sleep(100);
    }
    c.close();
    throw new IllegalStateException("chroma did not listen on 127.0.0.1:" + p + " within 60 s: " + Files.readString(log));
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
