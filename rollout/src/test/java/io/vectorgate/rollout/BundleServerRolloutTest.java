package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vectorgate.dsl.PolicyDirectory;
import io.vectorgate.engine.BundleLimits;
import io.vectorgate.engine.PolicyEngine;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle server (JDK HttpServer on loopback, ETags and 304s) serving bundles built and signed by
 * the real {@code opa build --signing-key}.
 */
class BundleServerRolloutTest {
  @TempDir Path tmp;
  HttpServer server;
  final AtomicReference<byte[]> served = new AtomicReference<>();
  final AtomicReference<String> etag = new AtomicReference<>();
  final AtomicInteger requests = new AtomicInteger();
  final List<String> authHeaders = new ArrayList<>();
  Path privateKey;
  Path publicKey;
  PolicyEngine engine;

  @BeforeEach
  void setUp() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/bundles/policy.tar.gz", ex -> {
      requests.incrementAndGet();
      synchronized (authHeaders) {
        authHeaders.add(ex.getRequestHeaders().getFirst("Authorization"));
      }
      String tag = etag.get();
      if (tag != null && tag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
        ex.sendResponseHeaders(304, -1);
        ex.close();
        return;
      }
      byte[] body = served.get();
      ex.getResponseHeaders().set("ETag", tag);
      ex.getResponseHeaders().set("Content-Type", "application/gzip");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    KeyPair kp = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    privateKey = pem(tmp.resolve("private.pem"), "PRIVATE KEY", kp.getPrivate().getEncoded());
    publicKey = pem(tmp.resolve("public.pem"), "PUBLIC KEY", kp.getPublic().getEncoded());
    engine = new PolicyEngine(RolloutFixture.engineConfig());
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
    engine.close();
  }

  static Path pem(Path file, String type, byte[] der) throws Exception {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(file, "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n");
    return file;
  }

  /** {@code opa build -b -t wasm --signing-key} of the decision table plus {@code rule}, with {@code data}. */
  byte[] opaBuild(String revision, String rule, String dataJson, Path signingKey) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "bundle-src-");
    Files.createDirectories(dir.resolve("vectorgate"));
    Files.writeString(dir.resolve("vectorgate/core.rego"), PolicyDirectory.coreRego());
    Files.writeString(dir.resolve("rules.rego"), "package vectorgate\n\nimport rego.v1\n\n" + rule + "\n");
    Files.writeString(dir.resolve("data.json"), dataJson);
    Path out = tmp.resolve("bundle-" + revision + ".tar.gz");
    List<String> cmd = new ArrayList<>(List.of(System.getProperty("vectorgate.opa"), "build", "-b", "-t", "wasm",
        "-e", "vectorgate/decision", "-r", revision, "-o", out.toString()));
    if (signingKey != null) {
      cmd.addAll(List.of("--signing-key", signingKey.toString(), "--signing-alg", "RS256"));
    }
    cmd.add(dir.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), log);
    return Files.readAllBytes(out);
  }

  static final String ALLOW_ALL = "allow contains {\"code\": \"ok\", \"message\": \"all\"} if true";
  static final String DENY_DELETE = ALLOW_ALL + "\n\ndeny contains {\"code\": \"no_delete\", \"message\": \"x\"} if "
      + "input.operation.action == \"delete\"";

  void publish(byte[] bundle, String tag) {
    served.set(bundle);
    etag.set(tag);
  }

  RolloutController controller(BundleServerSource source, RolloutState state) {
    RolloutPipeline pipeline = new RolloutPipeline(RolloutFixture.COMPILER, RolloutFixture.opa(), List.of(), null,
        tmp.resolve("work"), new RolloutMetrics());
    return new RolloutController("gw-b", source, pipeline, engine, state, Clock.systemUTC(), Duration.ofHours(1));
  }

  BundleServerSource source(BundleSignatureVerifier verifier, String token) {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bundles/policy.tar.gz");
    return new BundleServerSource(new BundleServerConfig(url, token, verifier, Duration.ofSeconds(10), null));
  }

  BundleSignatureVerifier verifier() throws Exception {
    return new BundleSignatureVerifier(Map.of("default",
        BundleSignatureVerifier.publicKeyFromPem(Files.readString(publicKey))), "default", null);
  }

  boolean allows(String action) {
    return engine.evaluate(Policies.input(action, "docs")).result().path("allow").asBoolean();
  }

  @Test
  void signedBundlesRollOutAndEtagsAvoidDownloads() throws Exception {
    publish(opaBuild("ci-1", ALLOW_ALL, "{\"org\": {\"name\": \"acme\"}}", privateKey), "\"e1\"");
    BundleServerSource src = source(verifier(), "s3cret-token");
    InMemoryRolloutState state = new InMemoryRolloutState();
    RolloutController c = controller(src, state);
    assertEquals(new RolloutController.CheckResult.Activated("ci-1", null), c.checkNow());
    assertEquals(new RolloutController.CheckResult.Unchanged("ci-1"), c.checkNow());
    assertEquals(new RolloutController.CheckResult.Unchanged("ci-1"), c.checkNow());
    assertEquals(1, src.downloads());
    assertEquals(2, src.notModified(), "If-None-Match answered with 304");
    assertTrue(allows("delete"));
    assertEquals("Bearer s3cret-token", authHeaders.get(0));
    assertTrue(!src.describe().contains("s3cret") && !String.valueOf(c.status()).contains("s3cret"));

    publish(opaBuild("ci-2", DENY_DELETE, "{}", privateKey), "\"e2\"");
    assertEquals(new RolloutController.CheckResult.Activated("ci-2", "ci-1"), c.checkNow());
    assertTrue(!allows("delete"));
    assertEquals("ci-2", engine.evaluate(Policies.input("search", "docs")).revision());
    // rollback to the kept bundle, without a download
    assertEquals(new RolloutController.CheckResult.Activated("ci-1", "ci-2"), c.rollback("ops", null));
    assertTrue(allows("delete"));
    assertEquals(2, src.downloads());
  }

  @Test
  void tamperedBundleIsRefusedAndTheActiveOneStays() throws Exception {
    publish(opaBuild("ci-1", ALLOW_ALL, "{}", privateKey), "\"e1\"");
    BundleServerSource src = source(verifier(), null);
    RolloutController c = controller(src, new InMemoryRolloutState());
    c.checkNow();
    byte[] good2 = opaBuild("ci-2", DENY_DELETE, "{\"limits\": {\"max\": 10}}", privateKey);
    publish(rewrite(good2, "data.json", "{\"limits\": {\"max\": 1000}}"), "\"e2\"");
    RolloutController.CheckResult.Failed f = assertInstanceOf(RolloutController.CheckResult.Failed.class, c.checkNow());
    assertEquals(Stage.FETCH, f.failure().stage());
    assertTrue(f.failure().message().contains("`data.json` does not match its signed digest"), f.failure().message());
    assertEquals("ci-1", engine.activeRevision().orElseThrow());
    assertEquals(1, c.metrics().failures(Stage.FETCH));
  }

  @Test
  void bundleSignedWithAnotherKeyOrUnsignedIsRefused() throws Exception {
    KeyPair other = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    Path otherKey = pem(tmp.resolve("other.pem"), "PRIVATE KEY", other.getPrivate().getEncoded());
    BundleSignatureVerifier v = verifier();
    byte[] foreign = opaBuild("x", ALLOW_ALL, "{}", otherKey);
    RolloutException e = assertThrows(RolloutException.class, () -> v.verify(foreign, BundleLimits.DEFAULTS));
    assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    byte[] unsigned = opaBuild("y", ALLOW_ALL, "{}", null);
    e = assertThrows(RolloutException.class, () -> v.verify(unsigned, BundleLimits.DEFAULTS));
    assertTrue(e.getMessage().contains("not signed"), e.getMessage());
    byte[] good = opaBuild("z", ALLOW_ALL, "{}", privateKey);
    byte[] extra = rewrite(good, "extra.rego", "package extra\n");
    e = assertThrows(RolloutException.class, () -> v.verify(extra, BundleLimits.DEFAULTS));
    assertTrue(e.getMessage().contains("`extra.rego` is not covered"), e.getMessage());
    byte[] missing = rewrite(good, "rules.rego", null);
    e = assertThrows(RolloutException.class, () -> v.verify(missing, BundleLimits.DEFAULTS));
    assertTrue(e.getMessage().contains("missing from the bundle"), e.getMessage());
    BundleSignatureVerifier scoped = new BundleSignatureVerifier(Map.of("default",
        BundleSignatureVerifier.publicKeyFromPem(Files.readString(publicKey))), "default", "prod");
    e = assertThrows(RolloutException.class, () -> scoped.verify(good, BundleLimits.DEFAULTS));
    assertTrue(e.getMessage().contains("scope"), e.getMessage());
  }

  @Test
  void canonicalJsonDigestsMatchOpaForAwkwardData() throws Exception {
    String data = "{\"z\": {\"y\": null, \"x\": true}, \"b\": \"<&> \\u2028 \\u00e9 \\t \\\" \\\\ \\u0001 \\ud83d\\ude00\","
        + " \"a\": [1.50, 1e3, -0, 12345678901234567890, 0.1E-2], \"\\u00e9\": 1, \"e\": 2, \"Z\": {}}";
    byte[] b = opaBuild("awkward", ALLOW_ALL, data, privateKey);
    verifier().verify(b, BundleLimits.DEFAULTS); // throws if any digest differs from opa's
  }

  @Test
  void serverErrorsAreFetchFailures() throws Exception {
    BundleServerSource src = new BundleServerSource(new BundleServerConfig(URI.create("http://127.0.0.1:"
        + server.getAddress().getPort() + "/nothing-here"), null, null, Duration.ofSeconds(5), null));
    RolloutException e = assertThrows(RolloutException.class, src::latest);
    assertEquals(Stage.FETCH, e.failure().stage());
    assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BundleServerConfig(URI.create("ftp://x/b.tar.gz"), null, null,
        null, null));
    assertThrows(IllegalArgumentException.class, () -> new BundleServerConfig(URI.create("https://u:p@x/b.tar.gz"), null,
        null, null, null));
  }

  /** The bundle with {@code name} replaced (null: removed, absent: added), signatures untouched. */
  static byte[] rewrite(byte[] tarGz, String name, String content) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    boolean seen = false;
    try (TarArchiveInputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(
        new java.io.ByteArrayInputStream(tarGz)));
        TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(bos))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        byte[] body = in.readAllBytes();
        if (BundleSignatureVerifier.normalize(e.getName()).equals(name) || e.getName().endsWith("/" + name)) {
          seen = true;
          if (content == null) {
            continue;
          }
          body = content.getBytes(StandardCharsets.UTF_8);
        }
        TarArchiveEntry n = new TarArchiveEntry(e.getName());
        n.setSize(body.length);
        out.putArchiveEntry(n);
        out.write(body);
        out.closeArchiveEntry();
      }
      if (!seen && content != null) {
        byte[] body = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry n = new TarArchiveEntry("/" + name);
        n.setSize(body.length);
        out.putArchiveEntry(n);
        out.write(body);
        out.closeArchiveEntry();
      }
    }
    return bos.toByteArray();
  }
}
