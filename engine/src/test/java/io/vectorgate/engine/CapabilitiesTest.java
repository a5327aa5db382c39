package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.engine.builtins.HostBuiltins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapabilitiesTest {
  @TempDir Path tmp;

  @Test
  void capabilitiesListExactlyTheNativeAndHostBuiltins() {
    Capabilities caps = TestPolicies.compiler().capabilities();
    Set<String> expected = new TreeSet<>(Capabilities.WASM_NATIVE);
    expected.addAll(HostBuiltins.names());
    assertEquals(expected, new TreeSet<>(caps.allowedBuiltins()));
    Set<String> inJson = new TreeSet<>();
    for (JsonNode b : caps.json().get("builtins")) {
      inJson.add(b.get("name").asText());
      assertTrue(b.has("decl"), "declaration kept for " + b.get("name"));
    }
    assertEquals(expected, inJson);
    assertTrue(caps.isOpaBuiltin("http.send"));
    assertTrue(!caps.allowedBuiltins().contains("http.send"));
  }

  /**
   * Every builtin claimed native is used by one policy compiled with {@code -t wasm}; the module's
   * {@code builtins()} export (the host functions it would call) must list none of them.
   */
  @Test
  void theNativeListReallyIsNativeInOpaWasm() throws Exception {
    String policy = String.join("\n",
        "package native",
        "import rego.v1",
        "s := {1, 2, 3}",
        "t := {3, 4}",
        "probe := [",
        "  1 + 2, 3 - 1, 2 * 3, 6 / 3, 7 % 3, abs(-1), round(1.5), ceil(1.2), floor(1.8),",
        "  1 == 1, 1 != 2, 1 < 2, 1 <= 2, 2 > 1, 2 >= 1,",
        "  array.concat([1], [2]), array.slice([1, 2, 3], 0, 1), array.reverse([1, 2]),",
        "  s & t, s | t, s - t, intersection({s, t}), union({s, t}),",
        "  count(s), sum([1, 2]), product([2, 3]), max(s), min(s), sort([3, 1]),",
        "  2 in s, [k | some k, v in {\"a\": 1}],",
        "  is_number(1), is_string(\"a\"), is_boolean(true), is_array([]), is_set(s), is_object({}), is_null(null),",
        "  type_name(1),",
        "  bits.or(1, 2), bits.and(1, 3), bits.negate(1), bits.xor(1, 3), bits.lsh(1, 2), bits.rsh(4, 1),",
        "  base64.is_valid(\"YQ==\"), base64.decode(\"YQ==\"), base64.encode(\"a\"), base64url.encode(\"a\"), base64url.decode(\"YQ==\"),",
        "  json.marshal({}), json.unmarshal(\"{}\"), json.is_valid(\"{}\"), json.remove({\"a\": 1}, [\"a\"]), json.filter({\"a\": 1}, [\"a\"]),",
        "  net.cidr_contains(\"10.0.0.0/8\", \"10.1.1.1\"), net.cidr_intersects(\"10.0.0.0/8\", \"10.1.0.0/16\"),",
        "  glob.match(\"a*\", [], \"ab\"),",
        "  regex.is_valid(\"a+\"), regex.match(\"a+\", \"aa\"), regex.find_all_string_submatch_n(\"a(b)\", \"ab\", -1),",
        "  object.filter({\"a\": 1}, [\"a\"]), object.get({\"a\": 1}, \"a\", 0), object.keys({\"a\": 1}), object.remove({\"a\": 1}, [\"a\"]),",
        "  object.union({\"a\": 1}, {\"b\": 2}), object.union_n([{\"a\": 1}]),",
        "  concat(\",\", [\"a\"]), format_int(10, 16), indexof(\"abc\", \"b\"), substring(\"abc\", 0, 1), lower(\"A\"), upper(\"a\"),",
        "  contains(\"abc\", \"b\"), startswith(\"abc\", \"a\"), endswith(\"abc\", \"c\"), strings.reverse(\"ab\"), split(\"a,b\", \",\"),",
        "  replace(\"ab\", \"a\", \"b\"), strings.replace_n({\"a\": \"b\"}, \"a\"), trim(\" a \", \" \"), trim_left(\"aab\", \"a\"),",
        "  trim_prefix(\"ab\", \"a\"), trim_right(\"abb\", \"b\"), trim_suffix(\"ab\", \"b\"), trim_space(\" a \"),",
        "  numbers.range(1, 3), to_number(\"1\"), [p | walk({\"a\": 1}, [p, _])], graph.reachable({\"a\": [\"b\"]}, [\"a\"]),",
        "]",
        "");
    Path dir = tmp.resolve("native");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("native.rego"), policy);
    PolicyBundle bundle = TestPolicies.compiler().compile(
        new PolicyCompiler.CompileRequest(java.util.List.of(dir), java.util.List.of("native/probe"), "n", null))
        .orThrow();
    Map<String, Integer> hostCalls = WasmProbe.of(bundle.wasm(), 10, 1024).hostBuiltins();
    assertEquals(Map.of(), hostCalls, "builtins the module asks the host for");
    // the policy uses every native builtin except the planner-level ones
    // planner-level operators, and deprecated builtins that Rego v1 rejects (allowed for v0 policies)
    Set<String> notCalled = Set.of("eq", "assign", "print", "internal.member_3",
        "all", "any", "net.cidr_overlap", "re_match");
    for (String b : Capabilities.WASM_NATIVE) {
      if (notCalled.contains(b)) {
        continue;
      }
      String call = switch (b) {
        case "plus" -> "+"; case "minus" -> " - "; case "mul" -> "*"; case "div" -> "/"; case "rem" -> "%";
        case "equal" -> "=="; case "neq" -> "!="; case "lt" -> "<"; case "lte" -> "<="; case "gt" -> ">";
        case "gte" -> ">="; case "and" -> "&"; case "or" -> "|"; case "internal.member_2" -> " in ";
        default -> b + "(";
      };
      assertTrue(policy.contains(call), "probe policy does not exercise " + b);
    }
  }

  @Test
  void aHostBuiltinThatOpaDoesNotKnowIsRejected() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Capabilities.restrictedTo(TestPolicies.opa(), java.util.List.of("vectorgate.no_such_builtin")));
    assertTrue(e.getMessage().contains("vectorgate.no_such_builtin"));
  }

  @Test
  void writesACapabilitiesFileOpaAccepts() throws Exception {
    Path f = TestPolicies.compiler().capabilities().writeTo(tmp.resolve("caps.json"));
    Files.writeString(tmp.resolve("p.rego"), "package p\nimport rego.v1\nx := count([1])\n");
    OpaCli.Result r = TestPolicies.opa().run(null, java.util.List.of("check", "--capabilities", f.toString(),
        tmp.resolve("p.rego").toString()));
    assertEquals(0, r.exitCode(), r.stderr());
  }
}
