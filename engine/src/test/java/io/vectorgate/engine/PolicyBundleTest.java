package io.vectorgate.engine;

import static io.vectorgate.engine.BundleFiles.tarGz;
import static io.vectorgate.engine.BundleFiles.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyBundleTest {
  @TempDir Path tmp;

  private static byte[] validWasm() {
    return TestPolicies.bundle("modes").wasm();
  }

  private static Map<String, byte[]> validFiles() {
    Map<String, byte[]> f = new LinkedHashMap<>();
    f.put("/data.json", utf8("{\"modes\":{\"cap\":7}}"));
    f.put("/policy.wasm", validWasm());
    f.put("/.manifest", utf8("{\"revision\":\"r9\",\"roots\":[\"\"],\"wasm\":[{\"entrypoint\":\"vectorgate/decision\",\"module\":\"/policy.wasm\"}]}"));
    return f;
  }

  private static String rejected(byte[] bytes) {
    return rejected(bytes, BundleLimits.DEFAULTS);
  }

  private static String rejected(byte[] bytes, BundleLimits limits) {
    return assertThrows(PolicyBundle.BundleException.class, () -> PolicyBundle.read(bytes, limits)).getMessage();
  }

  @Test
  void readsABundleWithManifestDataAndModule() throws Exception {
    PolicyBundle b = PolicyBundle.read(tarGz(validFiles()), BundleLimits.DEFAULTS);
    assertEquals("r9", b.revision());
    assertEquals(List.of(""), b.roots());
    assertEquals(List.of("vectorgate/decision"), b.manifestEntrypoints());
    assertEquals("{\"modes\":{\"cap\":7}}", b.dataJson());
    assertArrayEquals(validWasm(), b.wasm());
    assertEquals(64, b.sha256().length());
  }

  @Test
  void readsABundleThatOpaBuiltDirectly() throws Exception {
    Path out = tmp.resolve("bundle.tar.gz");
    OpaCli.Result r = TestPolicies.opa().run(null, List.of("build", "-t", "wasm", "-e", "vectorgate/decision",
        "-r", "user-42", "-o", out.toString(), TestPolicies.dir("acme").toString()));
    assertEquals(0, r.exitCode(), r.stderr());
    PolicyBundle b = PolicyBundle.read(out);
    assertEquals("user-42", b.revision());
    assertTrue(b.dataJson().contains("\"acme\""));
    try (PolicyEngine engine = PolicyEngine.start(TestPolicies.config().poolSize(1).build(), b)) {
      assertEquals("user-42", engine.activeRevision().orElseThrow());
    }
  }

  @Test
  void roundTripsThroughToTarGz() throws Exception {
    PolicyBundle b = TestPolicies.bundle("acme");
    PolicyBundle again = PolicyBundle.read(b.toTarGz(), BundleLimits.DEFAULTS);
    assertEquals(b.revision(), again.revision());
    assertEquals(b.dataJson(), again.dataJson());
    assertArrayEquals(b.wasm(), again.wasm());
    assertEquals(b.manifestEntrypoints(), again.manifestEntrypoints());
  }

  @Test
  void aBundleWithoutManifestOrDataStillLoads() throws Exception {
    PolicyBundle b = PolicyBundle.read(tarGz(Map.of("policy.wasm", validWasm())), BundleLimits.DEFAULTS);
    assertEquals("", b.revision());
    assertEquals("{}", b.dataJson());
  }

  @Test
  void nestedDataFilesAndYamlMergeAtTheirDirectories() throws Exception {
    Map<String, byte[]> f = validFiles();
    f.put("/teams/red/data.json", utf8("{\"lead\":\"ana\"}"));
    f.put("/teams/data.yaml", utf8("count: 2\n"));
    PolicyBundle b = PolicyBundle.read(tarGz(f), BundleLimits.DEFAULTS);
    var data = ContractJson.mapper().readTree(b.dataJson());
    assertEquals(7, data.at("/modes/cap").asInt());
    assertEquals("ana", data.at("/teams/red/lead").asText());
    assertEquals(2, data.at("/teams/count").asInt());
  }

  @Test
  void rejectsWhatIsNotGzip() {
    assertTrue(rejected(utf8("PK\u0003\u0004 not a tarball")).contains("not a gzip"));
    assertTrue(rejected(new byte[0]).contains("not a gzip"));
  }

  @Test
  void rejectsATruncatedBundle() {
    byte[] ok = tarGz(validFiles());
    for (int cut : new int[] {10, ok.length / 3, ok.length / 2, ok.length - 30}) {
      String m = rejected(Arrays.copyOf(ok, cut));
      assertTrue(m.contains("corrupt or truncated") || m.contains("no `policy.wasm`") || m.contains("not a valid"),
          cut + ": " + m);
    }
  }

  @Test
  void rejectsCorruptCompressedBytes() {
    byte[] bad = tarGz(validFiles());
    for (int i = 20; i < 60; i++) {
      bad[i] ^= 0x5a;
    }
    assertTrue(rejected(bad).contains("corrupt or truncated"));
  }

  @Test
  void enforcesTheSizeAndEntryLimits() {
    byte[] ok = tarGz(validFiles());
    assertTrue(rejected(ok, new BundleLimits(ok.length - 1, 1L << 30, 100)).contains("over the limit"));

    Map<String, byte[]> bomb = validFiles();
    bomb.put("/filler.txt", new byte[4 << 20]); // compresses to a few KiB
    byte[] bombBytes = tarGz(bomb);
    assertTrue(bombBytes.length < 64 * 1024);
    assertTrue(rejected(bombBytes, new BundleLimits(1 << 20, 2 << 20, 100)).contains("uncompressed"));

    Map<String, byte[]> many = validFiles();
    for (int i = 0; i < 50; i++) {
      many.put("/x/" + i + ".rego", utf8("package x"));
    }
    assertTrue(rejected(tarGz(many), new BundleLimits(1 << 24, 1 << 26, 20)).contains("more than 20 entries"));
  }

  @Test
  void rejectsLinksAndPathsOutsideTheBundle() {
    Map<String, byte[]> link = validFiles();
    link.put("link:/data2.json", utf8("/etc/passwd"));
    assertTrue(rejected(tarGz(link)).contains("link"));

    Map<String, byte[]> escape = validFiles();
    escape.put("../../evil.rego", utf8("package evil"));
    assertTrue(rejected(tarGz(escape)).contains("escapes the bundle root"));
  }

  @Test
  void rejectsDuplicateEntries() {
    Map<String, byte[]> f = validFiles();
    f.put("data.json", utf8("{\"other\":1}")); // same file as /data.json once normalized
    assertTrue(rejected(tarGz(f)).contains("twice"));
  }

  @Test
  void rejectsMissingOrForeignModules() {
    Map<String, byte[]> none = validFiles();
    none.remove("/policy.wasm");
    assertTrue(rejected(tarGz(none)).contains("no `policy.wasm`"));

    Map<String, byte[]> text = validFiles();
    text.put("/policy.wasm", utf8("this is not wasm at all"));
    assertTrue(rejected(tarGz(text)).contains("not a WebAssembly module"));

    Map<String, byte[]> broken = validFiles();
    broken.put("/policy.wasm", Arrays.copyOf(validWasm(), 5000));
    assertTrue(rejected(tarGz(broken)).contains("not a valid WebAssembly module"));

    Map<String, byte[]> two = validFiles();
    two.put("/other.wasm", validWasm());
    two.put("/.manifest", utf8("{\"wasm\":[{\"entrypoint\":\"a/b\",\"module\":\"/policy.wasm\"},{\"entrypoint\":\"c/d\",\"module\":\"/other.wasm\"}]}"));
    assertTrue(rejected(tarGz(two)).contains("exactly one"));
  }

  @Test
  void rejectsTheWrongOpaAbi() {
    Map<String, byte[]> old = validFiles();
    old.put("/policy.wasm", BundleFiles.abiOnlyModule(1, 2));
    String m = rejected(tarGz(old));
    assertTrue(m.contains("ABI 1.2") && m.contains("only ABI 1.3"), m);

    Map<String, byte[]> plain = validFiles();
    plain.put("/policy.wasm", new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    assertTrue(rejected(tarGz(plain)).contains("not an OPA policy module"));
  }

  @Test
  void rejectsBadManifestsAndData() {
    Map<String, byte[]> m1 = validFiles();
    m1.put("/.manifest", utf8("{revision: r1"));
    assertTrue(rejected(tarGz(m1)).contains(".manifest is not JSON"));

    Map<String, byte[]> m2 = validFiles();
    m2.put("/.manifest", utf8("{\"revision\": 7}"));
    assertTrue(rejected(tarGz(m2)).contains("revision is not a string"));

    Map<String, byte[]> d1 = validFiles();
    d1.put("/data.json", utf8("[1,2]"));
    assertTrue(rejected(tarGz(d1)).contains("`data.json` is not a JSON object"));

    Map<String, byte[]> d2 = validFiles();
    d2.put("/data.json", utf8("{\"a\": "));
    assertTrue(rejected(tarGz(d2)).contains("`data.json` is not valid"));

    Map<String, byte[]> d3 = validFiles();
    d3.put("/modes/data.json", utf8("{\"cap\": 8}"));
    assertTrue(rejected(tarGz(d3)).contains("redefines `cap`"));

    Map<String, byte[]> deep = validFiles();
    deep.put("/data.json", utf8("{\"a\":" + "[".repeat(400) + "]".repeat(400) + "}"));
    assertTrue(rejected(tarGz(deep)).contains("`data.json` is not valid"));
  }

  @Test
  void readsFromAFileAndChecksItsSizeFirst() throws Exception {
    Path f = tmp.resolve("b.tar.gz");
    Files.write(f, tarGz(validFiles()));
    assertEquals("r9", PolicyBundle.read(f).revision());
    String m = assertThrows(PolicyBundle.BundleException.class,
        () -> PolicyBundle.read(f, new BundleLimits(100, 1000, 10))).getMessage();
    assertTrue(m.contains("over the limit"));
    assertTrue(assertThrows(PolicyBundle.BundleException.class, () -> PolicyBundle.read(tmp.resolve("missing.tar.gz")))
        .getMessage().contains("cannot read bundle"));
  }
}
