package io.vectorgate.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parsed and validated OPA Wasm bundle ({@code bundle.tar.gz} as written by
 * {@code opa build -t wasm}): the {@code policy.wasm} module, the merged base data as JSON, and
 * the {@code .manifest} (revision, roots, Wasm entrypoints). Immutable.
 *
 * <p>Reading enforces {@link BundleLimits}, rejects links, {@code ..} paths, duplicate entries,
 * more than one Wasm module, and modules that are not OPA Wasm ABI 1.3.
 */
public final class PolicyBundle {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyBundle.class);
  private static final ObjectReader DATA_READER = ContractJson.mapper().reader()
      .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final ObjectMapper YAML = YAMLMapper.builder().build();

  /** The bundle cannot be used; the message says what and where. */
  public static final class BundleException extends Exception {
    private static final long serialVersionUID = 1L;

    public BundleException(String message) {
      super(message);
    }

    public BundleException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final byte[] wasm;
  private final String dataJson;
  private final String revision;
  private final List<String> roots;
  private final List<String> manifestEntrypoints;
  private final String sha256;
  /** OPA's plan IR ({@code plan.json}) of the same policy, for the plan engine; null when absent. */
  private final byte[] plan;
  /** Why the plan build of this bundle failed (compile-time only; empty when unknown or planned). */
  private final List<Diagnostic> planDiagnostics;

  private PolicyBundle(byte[] wasm, String dataJson, String revision, List<String> roots,
      List<String> manifestEntrypoints, String sha256) {
    this(wasm, dataJson, revision, roots, manifestEntrypoints, sha256, null, List.of());
  }

  private PolicyBundle(byte[] wasm, String dataJson, String revision, List<String> roots,
      List<String> manifestEntrypoints, String sha256, byte[] plan, List<Diagnostic> planDiagnostics) {
    this.plan = plan;
    this.planDiagnostics = List.copyOf(planDiagnostics);
    this.wasm = wasm;
    this.dataJson = dataJson;
    this.revision = revision;
    this.roots = List.copyOf(roots);
    this.manifestEntrypoints = List.copyOf(manifestEntrypoints);
    this.sha256 = sha256;
  }

  /** Reads a bundle file with default limits. */
  public static PolicyBundle read(Path file) throws BundleException {
    return read(file, BundleLimits.DEFAULTS);
  }

  public static PolicyBundle read(Path file, BundleLimits limits) throws BundleException {
    try {
      long size = Files.size(file);
      if (size > limits.maxCompressedBytes()) {
        throw new BundleException("bundle " + file + " is " + size + " bytes, over the limit of "
            + limits.maxCompressedBytes());
      }
      return read(Files.readAllBytes(file), limits);
    } catch (IOException e) {
      throw new BundleException("cannot read bundle " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a bundle from the bytes of a {@code bundle.tar.gz}. */
  public static PolicyBundle read(byte[] tarGz, BundleLimits limits) throws BundleException {
    if (tarGz.length > limits.maxCompressedBytes()) {
      throw new BundleException("bundle is " + tarGz.length + " bytes compressed, over the limit of "
          + limits.maxCompressedBytes());
    }
    if (tarGz.length < 2 || (tarGz[0] & 0xff) != 0x1f || (tarGz[1] & 0xff) != 0x8b) {
      throw new BundleException("bundle is not a gzip file (expected a bundle.tar.gz from `opa build -t wasm`)");
    }
    Map<String, byte[]> files = new TreeMap<>();
    long total = 0;
    int entries = 0;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new ByteArrayInputStream(tarGz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        entries++;
        if (entries > limits.maxEntries()) {
          throw new BundleException("bundle has more than " + limits.maxEntries() + " entries");
        }
        String name = normalize(e.getName());
        if (e.isDirectory()) {
          continue;
        }
        if (!e.isFile() || e.isSymbolicLink() || e.isLink() || e.isCharacterDevice()
            || e.isBlockDevice() || e.isFIFO()) {
          throw new BundleException("bundle entry `" + e.getName() + "` is a link or special file; only regular files are allowed");
        }
        long budget = limits.maxUncompressedBytes() - total;
        byte[] content = readCapped(tar, budget);
        if (content == null) {
          throw new BundleException("bundle is larger than " + limits.maxUncompressedBytes()
              + " bytes uncompressed (at entry `" + e.getName() + "`)");
        }
        total += content.length;
        if (files.put(name, content) != null) {
          throw new BundleException("bundle has entry `" + name + "` twice");
        }
      }
    } catch (BundleException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new BundleException("bundle is corrupt or truncated: " + e.getMessage(), e);
    }
    return fromFiles(files, sha256(tarGz));
  }

  /** A bundle from parts, e.g. a module and data that did not come in a tarball. */
  public static PolicyBundle of(byte[] wasm, String dataJson, String revision) throws BundleException {
    Map<String, byte[]> files = new TreeMap<>();
    files.put("policy.wasm", wasm.clone());
    files.put("data.json", (dataJson == null ? "{}" : dataJson).getBytes(StandardCharsets.UTF_8));
    String manifest = "{\"revision\":" + quote(revision == null ? "" : revision) + "}";
    files.put(".manifest", manifest.getBytes(StandardCharsets.UTF_8));
    return fromFiles(files, sha256(concat(wasm, files.get("data.json"), files.get(".manifest"))));
  }

  private static PolicyBundle fromFiles(Map<String, byte[]> files, String sha) throws BundleException {
    String revision = "";
    List<String> roots = List.of("");
    Set<String> modules = new LinkedHashSet<>();
    List<String> entrypoints = new ArrayList<>();
    byte[] manifestBytes = files.get(".manifest");
    if (manifestBytes != null) {
      JsonNode manifest;
      try {
        manifest = ContractJson.mapper().readTree(manifestBytes);
      } catch (IOException e) {
        throw new BundleException("bundle .manifest is not JSON: " + e.getMessage(), e);
      }
      if (manifest == null || !manifest.isObject()) {
        throw new BundleException("bundle .manifest is not a JSON object");
      }
      JsonNode rev = manifest.get("revision");
      if (rev != null && !rev.isNull()) {
        if (!rev.isTextual()) {
          throw new BundleException("bundle .manifest revision is not a string");
        }
        revision = rev.asText();
      }
      if (manifest.has("roots")) {
        if (!manifest.get("roots").isArray()) {
          throw new BundleException("bundle .manifest roots is not an array");
        }
        roots = new ArrayList<>();
        for (JsonNode r : manifest.get("roots")) {
          roots.add(r.asText());
        }
      }
      JsonNode wasmList = manifest.path("wasm");
      if (!wasmList.isMissingNode() && !wasmList.isArray()) {
        throw new BundleException("bundle .manifest wasm is not an array");
      }
      for (JsonNode w : wasmList) {
        String module = normalize(w.path("module").asText("policy.wasm"));
        modules.add(module);
        if (w.hasNonNull("entrypoint")) {
          entrypoints.add(w.get("entrypoint").asText());
        }
      }
    }
    if (modules.size() > 1) {
      throw new BundleException("bundle has " + modules.size() + " Wasm modules " + modules
          + "; the engine runs exactly one");
    }
    String modulePath = modules.isEmpty() ? "policy.wasm" : modules.iterator().next();
    byte[] wasm = files.get(modulePath);
    if (wasm == null) {
      throw new BundleException("bundle has no `" + modulePath + "` (was it built with `opa build -t wasm`?)");
    }
    String problem = WasmModuleCheck.problem(wasm);
    if (problem != null) {
      throw new BundleException(problem);
    }
    if (files.containsKey(".signatures.json")) {
      LOG.warn("bundle carries .signatures.json; the engine does not verify bundle signatures revision={}", revision);
    }
    String data = mergeData(files);
    return new PolicyBundle(wasm, data, revision, roots, entrypoints, sha, files.get("plan.json"), List.of());
  }

  /** Base data: every {@code data.json}/{@code data.yaml} placed at its directory's path. */
  private static String mergeData(Map<String, byte[]> files) throws BundleException {
    List<String> dataFiles = new ArrayList<>();
    for (String name : files.keySet()) {
      String base = name.substring(name.lastIndexOf('/') + 1);
      if (base.equals("data.json") || base.equals("data.yaml") || base.equals("data.yml")) {
        dataFiles.add(name);
      }
    }
    if (dataFiles.isEmpty()) {
      return "{}";
    }
    if (dataFiles.size() == 1 && dataFiles.get(0).equals("data.json")) {
      byte[] raw = files.get("data.json");
      JsonNode node = parseData("data.json", raw);
      return node == null ? "{}" : new String(raw, StandardCharsets.UTF_8);
    }
    ObjectNode root = ContractJson.mapper().createObjectNode();
    for (String name : dataFiles) {
      JsonNode node = parseData(name, files.get(name));
      if (node == null) {
        continue;
      }
      int slash = name.lastIndexOf('/');
      String[] path = slash < 0 ? new String[0] : name.substring(0, slash).split("/");
      ObjectNode parent = root;
      for (String seg : path) {
        JsonNode child = parent.get(seg);
        if (child == null) {
          parent = parent.putObject(seg);
        } else if (child.isObject()) {
          parent = (ObjectNode) child;
        } else {
          throw new BundleException("bundle data file `" + name + "` conflicts with data at `" + seg + "`");
        }
      }
      merge(parent, node, name);
    }
    try {
      return ContractJson.mapper().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new BundleException("cannot serialize bundle data: " + e.getOriginalMessage(), e);
    }
  }

  private static void merge(ObjectNode into, JsonNode node, String file) throws BundleException {
    if (!node.isObject()) {
      throw new BundleException("bundle data file `" + file + "` is not a JSON object");
    }
    for (var f : node.properties()) {
      JsonNode existing = into.get(f.getKey());
      if (existing == null) {
        into.set(f.getKey(), f.getValue());
      } else if (existing.isObject() && f.getValue().isObject()) {
        merge((ObjectNode) existing, f.getValue(), file);
      } else {
        throw new BundleException("bundle data file `" + file + "` redefines `" + f.getKey() + "`");
      }
    }
  }

  private static JsonNode parseData(String name, byte[] raw) throws BundleException {
    try {
      JsonNode node = name.endsWith(".json") ? DATA_READER.readTree(raw) : YAML.readTree(raw);
      if (node == null || node.isMissingNode()) {
        return null;
      }
      if (!node.isObject()) {
        throw new BundleException("bundle data file `" + name + "` is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BundleException("bundle data file `" + name + "` is not valid: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new BundleException("bundle data file `" + name + "` cannot be read: " + e.getMessage(), e);
    }
  }

  private static byte[] readCapped(InputStream in, long budget) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16384];
    long n = 0;
    int r;
    while ((r = in.read(buf)) != -1) {
      n += r;
      if (n > budget) {
        return null;
      }
      out.write(buf, 0, r);
    }
    return out.toByteArray();
  }

  private static String normalize(String name) throws BundleException {
    String n = name.replace('\\', '/');
    while (n.startsWith("/") || n.startsWith("./")) {
      n = n.startsWith("/") ? n.substring(1) : n.substring(2);
    }
    for (String seg : n.split("/")) {
      if (seg.equals("..")) {
        throw new BundleException("bundle entry `" + name + "` escapes the bundle root");
      }
    }
    return n;
  }

  private static String quote(String s) {
    try {
      return ContractJson.mapper().writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot quote a string", e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The Wasm module (a copy). */
  public byte[] wasm() {
    return wasm.clone();
  }

  /** Package-private access without copying, for instance creation. */
  byte[] wasmBytes() {
    return wasm;
  }

  /**
   * The same policy planned by {@code opa build -t plan} ({@code plan.json}), which the plan engine
   * evaluates; empty when the bundle was built for Wasm only.
   */
  public java.util.Optional<byte[]> plan() {
    return java.util.Optional.ofNullable(plan == null ? null : plan.clone());
  }

  /** This bundle carrying {@code planJson} (the policy's {@code plan.json}) as well. */
  public PolicyBundle withPlan(byte[] planJson) {
    return new PolicyBundle(wasm, dataJson, revision, roots, manifestEntrypoints, sha256,
        planJson == null ? null : planJson.clone(), List.of());
  }

  /**
   * This bundle without a plan, remembering why {@code opa build -t plan} refused the policy (for
   * example {@code p.rego:7: rego_type_error: undefined function walk: builtin `walk` is not
   * supported by the Vectorgate plan engine ...}). Not part of the bundle file: a bundle read back
   * from {@link #toTarGz()} has none.
   */
  public PolicyBundle withoutPlan(List<Diagnostic> why) {
    return new PolicyBundle(wasm, dataJson, revision, roots, manifestEntrypoints, sha256, null, why);
  }

  /** Why this bundle has no plan, as the compiler saw it; empty when it has one or nobody knows. */
  public List<Diagnostic> planDiagnostics() {
    return planDiagnostics;
  }

  /** Base data as a JSON object text; {@code {}} when the bundle has none. */
  public String dataJson() {
    return dataJson;
  }

  /** The manifest revision; empty when the bundle sets none. */
  public String revision() {
    return revision;
  }

  public List<String> roots() {
    return roots;
  }

  /** Entrypoints listed in the manifest's {@code wasm} section (the module may export more). */
  public List<String> manifestEntrypoints() {
    return manifestEntrypoints;
  }

  /** SHA-256 (hex) of the bundle archive as read. */
  public String sha256() {
    return sha256;
  }

  /** Writes this bundle as a {@code bundle.tar.gz} OPA and this engine can read. */
  public byte[] toTarGz() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(buf))) {
      ObjectNode manifest = ContractJson.mapper().createObjectNode();
      manifest.put("revision", revision);
      roots.forEach(manifest.putArray("roots")::add);
      var wasmArr = manifest.putArray("wasm");
      for (String ep : manifestEntrypoints) {
        wasmArr.addObject().put("entrypoint", ep).put("module", "/policy.wasm");
      }
      putEntry(tar, "/data.json", dataJson.getBytes(StandardCharsets.UTF_8));
      putEntry(tar, "/policy.wasm", wasm);
      if (plan != null) {
        putEntry(tar, "/plan.json", plan);
      }
      putEntry(tar, "/.manifest", ContractJson.mapper().writeValueAsBytes(manifest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write bundle", e);
    }
    return buf.toByteArray();
  }

  private static void putEntry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  @Override
  public String toString() {
    return "PolicyBundle[revision=" + revision + ", sha256=" + sha256.substring(0, 12)
        + ", wasm=" + wasm.length + "B, plan=" + (plan == null ? 0 : plan.length) + "B, data=" + dataJson.length() + "ch, entrypoints="
        + manifestEntrypoints + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyBundle b && b.sha256.equals(sha256) && b.revision.equals(revision)
        && Arrays.equals(b.wasm, wasm) && b.dataJson.equals(dataJson);
  }

  @Override
  public int hashCode() {
    return sha256.hashCode();
  }
}
