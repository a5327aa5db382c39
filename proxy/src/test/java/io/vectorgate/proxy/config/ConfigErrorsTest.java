package io.vectorgate.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a config typo reads like: file:line:column, the key path, a suggestion, the known keys in order. */
class ConfigErrorsTest {
  private static ConfigException fails(String yaml) {
    return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Path.of("/tmp"), "gateway.yaml"));
  }

  @Test
  void aYamlSyntaxErrorHasLineAndColumn() {
    ConfigException e = fails("listeners:\n  - name: milvus\n    kind: 'milvus-grpc\nconnections: []\n");
    assertTrue(e.getMessage().matches("(?s)gateway\\.yaml:\\d+:\\d+: not valid YAML: .*"), e.getMessage());
    ConfigException indent = fails("identity:\n  issuer: x\n audiences: [a]\n");
    assertTrue(indent.getMessage().startsWith("gateway.yaml:3:"), indent.getMessage());
    ConfigException tab = fails("listeners:\n\t- name: milvus\n");
    assertTrue(tab.getMessage().startsWith("gateway.yaml:2:"), tab.getMessage());
  }

  @Test
  void anUnknownKeySuggestsTheClosestAndListsKnownKeysSorted() {
    ConfigException e = fails("listners: []\n");
    String m = e.getMessage();
    assertTrue(m.startsWith("gateway.yaml:1:1: listners: unknown key `listners`; did you mean `listeners`? known keys here: "), m);
    String known = m.substring(m.indexOf("known keys here: ") + "known keys here: ".length());
    List<String> keys = List.of(known.split(", "));
    assertEquals(keys.stream().sorted().toList(), keys, known);
    assertTrue(keys.contains("listeners") && keys.contains("connections"), known);
  }

  @Test
  void aNestedUnknownKeyHasItsPathAndLine() {
    ConfigException e = fails("listeners:\n  - name: m\n    kind: milvus-grpc\n    adress: 127.0.0.1:0\n");
    assertTrue(e.getMessage().startsWith("gateway.yaml:4:"), e.getMessage());
    assertTrue(e.getMessage().contains("gateway.yaml:4:5: listeners[0].adress: unknown key `adress`; did you mean `address`?"), e.getMessage());
  }

  @Test
  void noSuggestionForSomethingUnlike() {
    ConfigException e = fails("zzzzzzzz: 1\n");
    assertTrue(e.getMessage().contains("unknown key `zzzzzzzz` known keys here: "), e.getMessage());
    assertNull(ConfigLoader.didYouMean("x", List.of("admin", "policy")));
    assertEquals("policy", ConfigLoader.didYouMean("Polcy", List.of("admin", "policy")));
  }
}
