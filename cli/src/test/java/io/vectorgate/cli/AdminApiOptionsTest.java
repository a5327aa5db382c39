package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** `vectorgate approvals` pointed at a port that speaks HTTP/2 or gRPC says so in one line, no binary frames. */
class AdminApiOptionsTest {

  @Test
  void aGrpcPortIsNamedNotDumped() throws Exception {
    try (ServerSocket grpcLike = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      // what a gRPC (HTTP/2-only) server sends to an HTTP/1.1 request: a SETTINGS frame and a GOAWAY
      CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
        try (Socket s = grpcLike.accept()) {
          s.getInputStream().read(new byte[1024]);
          s.getOutputStream().write(new byte[] {0, 0, 18, 4, 0, 0, 0, 0, 0, 0, 3, 127, (byte) 255, (byte) 255, (byte) 255,
              0, 4, 0, 16, 0, 0, 0, 6, 0, 1, 0, 0, 0, 0, 8, 7, 0, 0, 0, 0, 0});
          s.getOutputStream().write("Unexpected HTTP/1.x request: GET /v1/approvals ".getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      String gateway = "http://127.0.0.1:" + grpcLike.getLocalPort();
      PrintStream saved = System.err;
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code;
      try (PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8)) {
        System.setErr(p);
        code = VectorgateCli.run("approvals", "list", "--gateway", gateway, "--token", "t");
      } finally {
        System.setErr(saved);
      }
      server.join();
      String e = err.toString(StandardCharsets.UTF_8);
      assertEquals(2, code, e);
      assertTrue(e.startsWith("vectorgate: " + gateway + " is not the approvals API: it does not answer HTTP/1.1"), e);
      assertFalse(e.chars().anyMatch(c -> c < 0x20 && c != '\n'), "control characters in: " + e);
    }
  }

  @Test
  void otherFailuresKeepTheirMessage() {
    String m = AdminApiOptions.unreachable("the admin API", "http://127.0.0.1:1",
        new java.net.ConnectException("Connection refused"));
    assertEquals("vectorgate: cannot reach the admin API at http://127.0.0.1:1: ConnectException: Connection refused", m);
  }
}
