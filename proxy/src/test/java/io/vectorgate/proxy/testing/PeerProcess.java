package io.vectorgate.proxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real peer run as a child process on a loopback port (Milvus Lite, Chroma): started with its
 * output in a log file, ready once 127.0.0.1:port accepts connections (within 60 s, else the start
 * fails with the log), stopped with destroy and, after 10 s, destroyForcibly. The peer fixtures
 * ({@link MilvusLite}, {@code e2e.ChromaServer}) own one each.
 */
public final class PeerProcess implements AutoCloseable {
  private final String name;
  private final Process process;

  private PeerProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /** Starts {@code command} with {@code env} added, its output in {@code log}, and waits until {@code port} listens. */
  public static PeerProcess start(String name, List<String> command, Map<String, String> env, Path log, int port)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    PeerProcess peer = new PeerProcess(name, pb.start());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!peer.process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + peer.process.exitValue() + ": " + Files.readString(log));
      }
      if (listening(port)) {
        return peer;
      }
      Thread.sleep(100);
    }
    peer.close();
    throw new IllegalStateException(name + " did not listen on 127.0.0.1:" + port + " within 60 s: "
        + Files.readString(log));
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

  @Override
  public String toString() {
    return name;
  }
}
