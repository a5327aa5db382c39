package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reader of impact expectations files (rollout impact stage and `vectorgate impact`): entries and file:line:col errors. */
class ImpactExpectationsFileTest {
  @TempDir Path tmp;

  private Path write(String text) throws Exception {
    Path f = tmp.resolve("impact-expectations.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void readsEntriesWithTheirPlaceInTheFile() throws Exception {
    ImpactExpectationsFile f = ImpactExpectationsFile.read(write("""
        version: vectorgate-impact-expectations/v1
        unreplayable: count
        intended:
          - change: newly_denied
            action: delete
            collection: docs
            max: 3
            note: deletes stop
          - {change: obligations_changed, group: analysts, obligation: mask}
        """), "policies/impact-expectations.yaml");
    assertEquals(ImpactExpectationsFile.Unreplayable.COUNT, f.unreplayable());
    assertEquals(2, f.intended().size());
    ImpactExpectationsFile.Entry a = f.intended().get(0);
    assertEquals(List.of(0, 4, "newly_denied", "delete", "docs", 3L, "deletes stop"),
        List.of(a.index(), a.line(), a.change(), a.action(), a.collection(), a.max(), a.note()));
    assertNull(a.group());
    assertEquals("policies/impact-expectations.yaml:4:" + a.column() + " intended[0]", a.where(f.shown()));
    ImpactExpectationsFile.Entry b = f.intended().get(1);
    assertEquals(9, b.line());
    assertEquals("obligations_changed group=analysts obligation=mask", b.describe());
    assertEquals(ImpactExpectationsFile.Unreplayable.FAIL, ImpactExpectationsFile.read(write(
        "{\"version\": \"vectorgate-impact-expectations/v1\", \"intended\": []}"), "e.json").unreplayable(),
        "JSON reads as YAML; fail is the default");
  }

  @Test
  void theShippedSampleReads() {
    Path sample = Path.of(System.getProperty("vectorgate.root", "..")).resolve("samples/harness/impact-expectations.yaml");
    ImpactExpectationsFile f = ImpactExpectationsFile.read(sample, "samples/harness/impact-expectations.yaml");
    assertEquals(false, f.intended().isEmpty());
  }

  @Test
  void everyProblemNamesFileLineAndColumn() throws Exception {
    String v = "version: vectorgate-impact-expectations/v1\n";
    Object[][] cases = {
        {"version: v2\nintended: []\n", 1, 10, "`version` must be `vectorgate-impact-expectations/v1`, is `v2`"},
        {"intended: []\n", 1, 1, "`version` is missing"},
        {v, 1, 1, "`intended` is missing"},
        {v + "intended: {change: newly_denied}\n", 2, 11, "`intended` must be a list (it may be empty)"},
        {v + "intended: []\nsurprise: 1\n", 3, 1, "unknown field `surprise` (allowed: intended, unreplayable, version)"},
        {v + "intended: []\nunreplayable: sometimes\n", 3, 15, "`unreplayable` must be one of fail, count, ignore; is `sometimes`"},
        {v + "intended:\n  - change: newly_dropped\n", 3, 13, "intended[0]: `change` must be one of newly_denied, "
            + "newly_allowed, obligations_changed, reasons_changed; is `newly_dropped`"},
        {v + "intended:\n  - change: newly_denied\n  - action: delete\n", 4, 5, "intended[1]: `change` is missing"},
        {v + "intended:\n  - change: newly_denied\n    acton: delete\n", 4, 5, "intended[0]: unknown field `acton`"},
        {v + "intended:\n  - change: newly_denied\n    max: -1\n", 4, 10, "intended[0]: `max` must be a non-negative "
            + "integer; is `-1`"},
        {v + "intended:\n  - change: newly_denied\n    max: 2.5\n", 4, 10, "intended[0]: `max` must be a non-negative"},
        {v + "intended:\n  - change: newly_denied\n    collection: [docs]\n", 4, 17, "intended[0]: `collection` must be "
            + "a string; is a list"},
        {v + "intended:\n  - change: newly_denied\n    obligation: mask\n", 4, 17, "intended[0]: `obligation` is only "
            + "for obligations_changed"},
        {v + "intended:\n  - just a string\n", 3, 5, "intended[0]: must be a mapping"},
        {v + "intended: []\nintended: []\n", 3, 9, "not valid YAML/JSON: Duplicate field 'intended'"},
        {v + "intended: [\n", 2, 0, "not valid YAML/JSON"},
        {"- a list\n", 1, 1, "an expectations file must be a mapping"},
    };
    for (Object[] c : cases) {
      Path f = write((String) c[0]);
      ImpactExpectationsFile.Invalid e = assertThrows(ImpactExpectationsFile.Invalid.class,
          () -> ImpactExpectationsFile.read(f, "policies/e.yaml"), (String) c[0]);
      assertEquals("policies/e.yaml", e.file());
      assertEquals(c[1], e.line(), c[0] + " -> " + e.getMessage());
      if ((int) c[2] > 0) {
        assertEquals(c[2], e.column(), c[0] + " -> " + e.getMessage());
      }
      assertEquals(true, e.detail().startsWith((String) c[3]), c[0] + " -> " + e.getMessage());
      assertEquals(true, e.getMessage().startsWith("policies/e.yaml:" + e.line()), e.getMessage());
    }
    ImpactExpectationsFile.Invalid missing = assertThrows(ImpactExpectationsFile.Invalid.class,
        () -> ImpactExpectationsFile.read(tmp.resolve("nope.yaml"), "nope.yaml"));
    assertEquals("nope.yaml: expectations file does not exist", missing.getMessage());
    Path big = tmp.resolve("big.yaml");
    Files.writeString(big, "version: vectorgate-impact-expectations/v1\nintended: []\n# " + "x".repeat(1024 * 1024));
    assertEquals("big.yaml: expectations file is larger than 1 MiB", assertThrows(ImpactExpectationsFile.Invalid.class,
        () -> ImpactExpectationsFile.read(big, "big.yaml")).getMessage());
  }
}
