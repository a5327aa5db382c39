package io.vectorgate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.builtins.HostBuiltins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The OPA capabilities a Vectorgate policy may use: the builtins OPA compiles natively into Wasm
 * plus the host builtins the engine implements in Java ({@link HostBuiltins#names()}), taken from
 * {@code opa capabilities --current} so declarations match the pinned OPA exactly. A policy using
 * anything else fails at compile time.
 */
public final class Capabilities {

  /**
   * Builtins implemented inside OPA's Wasm module (OPA's {@code internal/compiler/wasm} builtin
   * table), plus the operators the planner handles itself ({@code eq}, {@code assign}) and
   * {@code print}, which {@code opa build} erases. Checked by {@code CapabilitiesTest}, which compiles
   * a policy using all of them and asserts the module asks its host for none.
   */
  public static final Set<String> WASM_NATIVE = Collections.unmodifiableSet(new TreeSet<>(List.of(
      // planner-level operators and erased calls
      "eq", "assign", "print",
      // comparison
      "equal", "neq", "lt", "lte", "gt", "gte",
      // arithmetic
      "plus", "minus", "mul", "div", "rem", "abs", "round", "ceil", "floor",
      // arrays, sets, aggregates
      "array.concat", "array.slice", "array.reverse", "and", "or", "intersection", "union",
      "count", "sum", "product", "max", "min", "sort", "all", "any",
      "internal.member_2", "internal.member_3",
      // types
      "is_number", "is_string", "is_boolean", "is_array", "is_set", "is_object", "is_null",
      "type_name",
      // bits
      "bits.or", "bits.and", "bits.negate", "bits.xor", "bits.lsh", "bits.rsh",
      // encoding
      "base64.is_valid", "base64.decode", "base64.encode", "base64url.encode", "base64url.decode",
      "json.marshal", "json.unmarshal", "json.is_valid", "json.remove", "json.filter",
      // net, glob, regex
      "net.cidr_contains", "net.cidr_intersects", "net.cidr_overlap", "glob.match",
      "regex.is_valid", "regex.match", "re_match", "regex.find_all_string_submatch_n",
      // objects
      "object.filter", "object.get", "object.keys", "object.remove", "object.union",
      "object.union_n",
      // strings
      "concat", "format_int", "indexof", "substring", "lower", "upper", "contains", "startswith",
      "endswith", "strings.reverse", "split", "replace", "strings.replace_n", "trim", "trim_left",
      "trim_prefix", "trim_right", "trim_suffix", "trim_space",
      // numbers, graphs
      "numbers.range", "to_number", "walk", "graph.reachable")));

  private final ObjectNode json;
  private final Set<String> allowed;
  private final Set<String> allOpaBuiltins;

  private Capabilities(ObjectNode json, Set<String> allowed, Set<String> allOpaBuiltins) {
    this.json = json;
    this.allowed = Collections.unmodifiableSet(allowed);
    this.allOpaBuiltins = Collections.unmodifiableSet(allOpaBuiltins);
  }

  /** Native Wasm builtins plus {@link HostBuiltins#names()}, declared as the given OPA declares them. */
  public static Capabilities forEngine(OpaCli opa) {
    return restrictedTo(opa, HostBuiltins.names());
  }

  /** Native Wasm builtins plus the given host builtin names (which OPA must know). */
  public static Capabilities restrictedTo(OpaCli opa, Collection<String> hostBuiltins) {
    Set<String> wanted = new TreeSet<>(WASM_NATIVE);
    wanted.addAll(hostBuiltins);
    return exactly(opa, wanted, hostBuiltins);
  }

  /**
   * Exactly the builtins in {@code builtins} that this OPA knows, plus the planner's operators
   * ({@code eq}, {@code assign}, {@code print}); for engines other than Wasm (the plan engine).
   */
  public static Capabilities exactly(OpaCli opa, Collection<String> builtins) {
    Set<String> wanted = new TreeSet<>(builtins);
    wanted.addAll(List.of("eq", "assign", "print"));
    return exactly(opa, wanted, List.of());
  }

  private static Capabilities exactly(OpaCli opa, Set<String> wanted, Collection<String> mustExist) {
    OpaCli.Result r = opa.run(null, List.of("capabilities", "--current"));
    if (!r.ok()) {
      throw new OpaCli.OpaCliException("`opa capabilities --current` failed: " + r.stderr().strip());
    }
    JsonNode current;
    try {
      current = ContractJson.mapper().readTree(r.stdout());
    } catch (IOException e) {
      throw new OpaCli.OpaCliException("`opa capabilities --current` printed no JSON", e);
    }
    if (!(current instanceof ObjectNode) || !current.path("builtins").isArray()) {
      throw new OpaCli.OpaCliException("`opa capabilities --current` has no builtins array");
    }
    Set<String> all = new TreeSet<>();
    Set<String> kept = new TreeSet<>();
    ObjectNode out = ((ObjectNode) current).deepCopy();
    ArrayNode builtins = out.putArray("builtins");
    for (JsonNode b : current.get("builtins")) {
      String name = b.path("name").asText();
      all.add(name);
      if (wanted.contains(name)) {
        builtins.add(b);
        kept.add(name);
      }
    }
    Set<String> unknownHost = new TreeSet<>(mustExist);
    unknownHost.removeAll(all);
    if (!unknownHost.isEmpty()) {
      throw new IllegalArgumentException("host builtins unknown to " + opa.binary() + ": " + unknownHost);
    }
    return new Capabilities(out, kept, all);
  }

  /** Builtin names a policy may call. */
  public Set<String> allowedBuiltins() {
    return allowed;
  }

  /** Whether {@code name} is a builtin of this OPA at all (allowed or not). */
  public boolean isOpaBuiltin(String name) {
    return allOpaBuiltins.contains(name);
  }

  /** The capabilities document, as {@code opa build --capabilities} reads it. */
  public ObjectNode json() {
    return json.deepCopy();
  }

  /** Writes the capabilities JSON to {@code file}. */
  public Path writeTo(Path file) {
    try {
      Files.write(file, ContractJson.mapper().writeValueAsBytes(json));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write capabilities to " + file, e);
    }
  }
}
