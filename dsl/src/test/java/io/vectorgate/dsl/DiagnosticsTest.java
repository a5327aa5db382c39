package io.vectorgate.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.diag.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every diagnostic code, with its location and caret snippet; all errors are reported, not the first. */
class DiagnosticsTest {
  private static final String HEADER = "policy \"t\" version 1\n";

  private static List<Diagnostic> diagnostics(String body) {
    return DslCompiler.compile("t.vg", HEADER + body).diagnostics();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      VG001 | allow search on any collection for | 2:35
      VG001 | allow search on collection products | 2:28
      VG003 | cap limit 99999999999999999999 | 2:11
      VG101 | allow serch on any collection | 2:7
      VG102 | allow search on any collection for analysts | 2:36
      VG103 | allow search on any collection when identity.tenantt == "a" | 2:37
      VG103 | filter rows tenant == collection on collection "docs" | 2:23
      VG104 | mask email using blur | 2:18
      VG107 | timezone "Mars/Olympus" | 2:10
      VG108 | allow search on collection "a[0-9]" | 2:28
      VG109 | allow search on any collection when weekday in [monday] | 2:49
      VG110 | allow search on any collection when time between 25:00 and 18:00 | 2:37
      VG112 | require 0 approvals from group "x" for delete | 2:1
      VG112 | require approval from group "x" expires after 31d for delete | 2:1
      VG113 | deny search on any collection reason "Not-Snake" | 2:38
      VG115 | mask "" on collection "c" | 2:6
      VG301 | allow search on any collection when ids > "100" | 2:43
      VG301 | allow search on any collection when ids | 2:37
      VG301 | allow search on any collection when identity.tenant in [1, 2] | 2:57
      VG301 | allow search on any collection when 1 < 2 | 2:37
      VG301 | allow search on any collection when identity.groups == "x" | 2:37
      VG302 | filter rows tenant == identity.groups | 2:23
      VG302 | filter rows tenant in "t1" | 2:23
      """)
  void reportsCodeAtLocation(String code, String body, String location) {
    List<Diagnostic> ds = diagnostics(body);
    assertTrue(ds.stream().anyMatch(d -> d.code().equals(code) && d.span().location().equals("t.vg:" + location)),
        () -> "expected " + code + " at " + location + ", got:\n" + render(ds));
    assertFalse(DslCompiler.compile("t.vg", HEADER + body).ok());
  }

  @Test
  void rolesDuplicateShadowingAndCycles() {
    List<Diagnostic> ds = diagnostics("""
        role a = group "x"
        role a = group "y"
        role ids = group "z"
        role b = c
        role c = b
        """);
    assertEquals(List.of("VG105", "VG106", "VG114"), ds.stream().map(Diagnostic::code).toList(), render(ds));
    assertTrue(ds.get(2).message().contains("b -> c -> b") || ds.get(2).message().contains("c -> b -> c"));
  }

  @Test
  void reportsEveryErrorSortedByLocationWithCarets() {
    List<Diagnostic> ds = diagnostics("""
        allow serch on any collection for nobody
        mask email using blur
        allow search on any collection when ids > "x"
        """);
    assertEquals(List.of("VG101", "VG102", "VG104", "VG301"), ds.stream().map(Diagnostic::code).toList(), render(ds));
    Diagnostic first = ds.get(0);
    assertEquals("t.vg:2:7: error VG101: unknown action `serch`\n"
        + "  allow serch on any collection for nobody\n"
        + "        ^^^^^", first.render());
    assertTrue(ds.get(1).message().contains("no roles are defined"), ds.get(1).message());
  }

  @Test
  void syntaxErrorsAreAllReportedAndGiveNoAst() {
    DslCompiler.Compilation c = DslCompiler.compile("t.vg", HEADER + "allow on\ndeny search on any collection for\n");
    assertNull(c.ast());
    assertNull(c.rego());
    assertTrue(c.errors().size() >= 2, c.report());
    assertTrue(c.errors().stream().allMatch(d -> d.code().equals("VG001")));
  }

  @Test
  void warningsForUnreachableDuplicateAndNeverAllowedRulesDoNotBlockCompilation() {
    DslCompiler.Compilation c = DslCompiler.compile("t.vg", HEADER + """
        role analyst = group "ds"
        deny delete_all on any collection for anyone
        allow delete_all on collection "c" for analyst
        allow search on any collection for anyone
        allow search on any collection for anyone
        require approval from group "x" for drop_collection
        """);
    assertTrue(c.ok(), c.report());
    assertEquals(List.of("VG201", "VG202", "VG203"), c.diagnostics().stream().map(Diagnostic::code).toList(),
        c.report());
    assertTrue(c.diagnostics().stream().allMatch(d -> d.severity() == Severity.WARNING));
    assertTrue(c.diagnostics().get(0).message().contains("line 3"), c.diagnostics().get(0).message());
  }

  @Test
  void deeplyNestedConditionIsRejectedNotACrash() {
    String deep = "(".repeat(5000) + "ids > 1" + ")".repeat(5000);
    DslCompiler.Compilation c = DslCompiler.compile("t.vg", HEADER + "allow search on any collection when " + deep);
    assertEquals("VG001", c.errors().get(0).code());
    assertTrue(c.errors().get(0).message().contains("nested"), c.report());
    String nots = "not ".repeat(5000) + "filter";
    assertEquals("VG001", DslCompiler.compile("t.vg", HEADER + "deny any action on any collection when " + nots)
        .errors().get(0).code());
  }

  @Test
  void oversizedSourceIsRejected() {
    String big = HEADER + "# " + "x".repeat(io.vectorgate.dsl.parse.PolicyParser.MAX_SOURCE_CHARS) + "\n";
    DslCompiler.Compilation c = DslCompiler.compile("t.vg", big);
    assertEquals("VG002", c.errors().get(0).code(), c.report());
  }

  @Test
  void controlCharactersAndUnterminatedStringsAreSyntaxErrors() {
    DslCompiler.Compilation c = DslCompiler.compile("t.vg", HEADER + "mask \"email on collection \u0000\n");
    assertFalse(c.ok());
    assertTrue(c.errors().stream().allMatch(d -> d.code().equals("VG001")), c.report());
  }

  private static String render(List<Diagnostic> ds) {
    StringBuilder b = new StringBuilder();
    ds.forEach(d -> b.append(d.render()).append('\n'));
    return b.toString();
  }
}
