package io.vectorgate.engine.builtins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.styra.opa.wasm.OpaPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs builtin cases through the real {@code opa eval} and through a real Wasm module compiled by
 * {@code opa build -t wasm} and evaluated by opa-java-wasm with {@link HostBuiltins}, so the two
 * results can be compared. One opa eval and one opa build cover every group of cases.
 */
final class OpaDifferential {
  /** Numbers stay exact (BigDecimal) so that case texts reach both evaluators unchanged in value. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  /** A group: a Rego expression over {@code x} applying one builtin, and its argument cases. */
  record Group(String key, String expr, List<JsonNode> cases) {}

  /** What one evaluator said for one case: a value, undefined (null), or an error. */
  record Outcome(JsonNode value, Throwable error) {
    boolean defined() {
      return value != null;
    }
  }

  private final Path dir;
  private final Path opa;
  private final List<Group> groups;
  private OpaPolicy policy;

  OpaDifferential(Path dir, List<Group> groups) throws IOException, InterruptedException {
    this.dir = dir;
    this.opa = Path.of(System.getProperty("vectorgate.opa"));
    this.groups = groups;
    StringBuilder rego = new StringBuilder("package t\n\n");
    StringBuilder batch = new StringBuilder("batch := {\n");
    for (Group g : groups) {
      rego.append("f_").append(g.key()).append("(x) := ").append(g.expr()).append("\n");
      rego.append("r_").append(g.key()).append(" := f_").append(g.key()).append("(input.x)\n");
      rego.append("batch_").append(g.key()).append(" := {i: v | some i; v := f_").append(g.key())
          .append("(input.cases.").append(g.key()).append("[i])}\n\n");
      batch.append("  \"").append(g.key()).append("\": batch_").append(g.key()).append(",\n");
    }
    rego.append(batch).append("}\n");
    Files.writeString(dir.resolve("policy.rego"), rego.toString());
    Files.writeString(dir.resolve("capabilities.json"), run(List.of(opa.toString(), "capabilities", "--current"), null));
  }

  /** Evaluates every case with opa eval (non-strict: a builtin error leaves the case undefined). */
  Map<String, Map<Integer, JsonNode>> opaEval() throws IOException, InterruptedException {
    return opaEval(groups);
  }

  /** Evaluates other cases for the same groups (same keys and expressions) with opa eval. */
  Map<String, Map<Integer, JsonNode>> opaEval(List<Group> groups) throws IOException, InterruptedException {
    ObjectNode input = JsonNodeFactory.instance.objectNode();
    ObjectNode cases = input.putObject("cases");
    for (Group g : groups) {
      ArrayNode a = cases.putArray(g.key());
      g.cases().forEach(a::add);
    }
    Path in = dir.resolve("input.json");
    Files.writeString(in, JSON.writeValueAsString(input));
    String out = run(List.of(opa.toString(), "eval", "-f", "json", "-d", dir.resolve("policy.rego").toString(),
        "-i", in.toString(), "data.t.batch"), null);
    JsonNode value = JSON.readTree(out).path("result").path(0).path("expressions").path(0).path("value");
    assertTrue(value.isObject(), "opa eval gave no batch: " + out);
    Map<String, Map<Integer, JsonNode>> result = new LinkedHashMap<>();
    for (Group g : groups) {
      Map<Integer, JsonNode> byIndex = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = value.path(g.key()).fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        byIndex.put(Integer.parseInt(e.getKey()), e.getValue());
      }
      result.put(g.key(), byIndex);
    }
    return result;
  }

  /** Compiles the policy to Wasm (one entrypoint per group) and loads it with the host builtins. */
  void buildWasm(boolean compiler) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(opa.toString(), "build", "-t", "wasm", "--capabilities",
        dir.resolve("capabilities.json").toString(), "-o", dir.resolve("bundle.tar.gz").toString()));
    for (Group g : groups) {
      cmd.add("-e");
      cmd.add("t/r_" + g.key());
    }
    cmd.add(dir.resolve("policy.rego").toString());
    run(cmd, null);
    run(List.of("tar", "-xzf", dir.resolve("bundle.tar.gz").toString(), "-C", dir.toString(), "/policy.wasm"), null);
    OpaPolicy.Builder b = HostBuiltins.configure(OpaPolicy.builder().withPolicy(dir.resolve("policy.wasm")));
    if (!compiler) {
      b.disableCompiler();
    }
    policy = b.build();
    policy.data("{}");
  }

  /** Evaluates one case of a group in the Wasm module. */
  Outcome wasm(String key, JsonNode arg) throws IOException {
    ObjectNode input = JsonNodeFactory.instance.objectNode();
    input.set("x", arg);
    try {
      policy.entrypoint("t/r_" + key);
      String out = policy.evaluate(JSON.writeValueAsString(input));
      JsonNode rs = JSON.readTree(out);
      if (rs.isEmpty()) {
        return new Outcome(null, null);
      }
      return new Outcome(rs.get(0).get("result"), null);
    } catch (RuntimeException e) {
      return new Outcome(null, e);
    }
  }

  OpaPolicy policy() {
    return policy;
  }

  /** JSON equality where numbers compare by value (1000 equals 1e3), as Rego compares them. */
  static boolean sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<Map.Entry<String, JsonNode>> it = a.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!b.has(e.getKey()) || !sameValue(e.getValue(), b.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** True if the failure came from a host builtin (not, say, a guest abort). */
  static boolean isBuiltinError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BuiltinException) {
        return true;
      }
    }
    return false;
  }

  static String run(List<String> cmd, String stdin) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    byte[] err;
    byte[] out;
    var errReader = new java.util.concurrent.CompletableFuture<byte[]>();
    Thread t = new Thread(() -> {
      try {
        errReader.complete(p.getErrorStream().readAllBytes());
      } catch (IOException e) {
        errReader.completeExceptionally(e);
      }
    });
    t.start();
    out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + cmd);
    }
    try {
      err = errReader.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("cannot read stderr of " + cmd, e);
    }
    assertEquals(0, p.exitValue(), () -> "command failed: " + cmd + "\n" + new String(err, StandardCharsets.UTF_8)
        + new String(out, StandardCharsets.UTF_8));
    return new String(out, StandardCharsets.UTF_8);
  }
}
