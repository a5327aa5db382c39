package io.vectorgate.proxy.e2e;

import io.vectorgate.proxy.testing.MilvusLite;
import io.vectorgate.proxy.testing.PeerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The real Chroma behind the HTTP gateway in tests: {@code chroma run --host 127.0.0.1 --port P
 * --path D} from the project venv (chromadb 1.5.9) on a free loopback port, fresh data directory.
 */
public final class ChromaServer implements AutoCloseable {
  private final PeerProcess process;
  private final int port;

  private ChromaServer(PeerProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  public static ChromaServer start(Path workDir) throws IOException, InterruptedException {
    Path exe = MilvusLite.venvBin("chroma");
    int p = MilvusLite.freePort();
    Path data = Files.createDirectories(workDir.resolve("chroma-data"));
    Path log = workDir.resolve("chroma.log");
    PeerProcess proc = PeerProcess.start("chroma", List.of(exe.toString(), "run", "--host", "127.0.0.1", "--port",
        String.valueOf(p), "--path", data.toString()), Map.of("ANONYMIZED_TELEMETRY", "False"), log, p);
    return new ChromaServer(proc, p);
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.close();
  }
}
