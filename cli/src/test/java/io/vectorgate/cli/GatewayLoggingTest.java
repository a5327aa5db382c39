package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** `vectorgate gateway` logging: lifecycle at INFO by default, JSON lines on request, request lines switchable. */
class GatewayLoggingTest {
  static final String ACTIVATED = "event=rollout_activated instance=gw-1 revision=0123abc previous=null pinned=false";
  static final String REQUEST = "event=request request_id=r1 subject=bob rpc=Query decision_id=d1 revision=0123abc";

  @AfterEach
  void restore() {
    GatewayLogging.configure("warn", "text", "off"); // quiet again for the other tests of this JVM
  }

  private static String captured(Consumer<Void> body) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      body.accept(null);
    } finally {
      System.setErr(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static void logBoth() {
    LoggerFactory.getLogger("io.vectorgate.rollout.RolloutController").info(ACTIVATED);
    LoggerFactory.getLogger("io.vectorgate.requests").info(REQUEST);
    LoggerFactory.getLogger("io.vectorgate.proxy.admin.PolicyAdminHandler").debug("event=debug_detail");
  }

  @Test
  void defaultsShowLifecycleAndRequestLinesAsText() {
    String out = captured(v -> {
      GatewayLogging.configure("info", "text", "on");
      logBoth();
    });
    assertTrue(out.contains("INFO  i.v.r.RolloutController " + ACTIVATED), out);
    assertTrue(out.contains(REQUEST), out);
    assertFalse(out.contains("event=debug_detail"), out);
  }

  @Test
  void jsonLinesCarryLevelLoggerAndMessage() throws Exception {
    String out = captured(v -> {
      GatewayLogging.configure("INFO", "json", "on");
      logBoth();
    });
    String[] lines = out.strip().split("\n");
    assertEquals(2, lines.length, out);
    JsonNode first = new ObjectMapper().readTree(lines[0]);
    assertEquals("INFO", first.path("level").asText(), lines[0]);
    assertEquals("io.vectorgate.rollout.RolloutController", first.path("loggerName").asText(), lines[0]);
    assertEquals(ACTIVATED, first.path("message").asText(), lines[0]);
    assertEquals(REQUEST, new ObjectMapper().readTree(lines[1]).path("message").asText(), lines[1]);
  }

  @Test
  void requestLinesCanBeSwitchedOffAndBadValuesAreRefused() {
    String out = captured(v -> {
      GatewayLogging.configure("info", "text", "off");
      logBoth();
    });
    assertTrue(out.contains(ACTIVATED), out);
    assertFalse(out.contains(REQUEST), out);
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> GatewayLogging.configure("info", "xml", "on"));
    assertTrue(e.getMessage().contains("--log-format must be text or json; was `xml`"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> GatewayLogging.configure("loud", "text", "on"));
    assertTrue(e.getMessage().contains("--log-level"), e.getMessage());
  }
}
