package io.vectorgate.rego;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The packaged library matches the sources: index, module contents, schema. */
class RegoLibraryTest {
  @Test
  void indexListsExactlyTheSourceModules() throws IOException {
    List<String> onDisk;
    try (Stream<Path> files = Files.walk(Examples.REGO)) {
      onDisk = files.filter(p -> p.toString().endsWith(".rego"))
          .map(p -> Examples.REGO.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
    assertEquals(onDisk, RegoLibrary.modules());
    assertTrue(onDisk.contains("vectorgate/core.rego"));
  }

  @Test
  void classpathSourcesEqualTheFiles() throws IOException {
    Map<String, String> sources = RegoLibrary.sources();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      assertEquals(Files.readString(Examples.REGO.resolve(e.getKey())), e.getValue(), e.getKey());
    }
    assertTrue(sources.get("vectorgate/core.rego").contains("entrypoint: true"));
  }

  @Test
  void rejectsPathsOutsideTheLibrary() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegoLibrary.read("../../etc/passwd"));
    assertTrue(e.getMessage().contains("../../etc/passwd"));
    assertThrows(IllegalArgumentException.class, () -> RegoLibrary.read("/vectorgate/core.rego"));
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> RegoLibrary.read("vectorgate/nope.rego"));
    assertTrue(missing.getMessage().contains("vectorgate/rego/vectorgate/nope.rego"));
  }

  @Test
  void configSchemaIsPackaged() {
    assertTrue(RegoLibrary.configSchema().contains("\"vectorgate_config\""));
    assertEquals("vectorgate/decision", RegoLibrary.ENTRYPOINT);
  }
}
