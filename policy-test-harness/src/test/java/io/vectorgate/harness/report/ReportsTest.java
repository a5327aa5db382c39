package io.vectorgate.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.harness.PolicyTestRunner;
import io.vectorgate.harness.traffic.CaseResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** Case names and messages come from files people write: reports escape them. */
class ReportsTest {
  static final String HOSTILE = "<script>alert('x')</script> & \"quotes\" \u0001 ]]>";

  static PolicyTestRunner.TestRun run() {
    return new PolicyTestRunner.TestRun(Path.of("p"), "r", List.of(
        new CaseResult("s" + HOSTILE, HOSTILE, "f.yaml:1:1", CaseResult.Status.FAILED, List.of(HOSTILE), null, List.of(), 5),
        new CaseResult("s", "fine", "f.yaml:2:1", CaseResult.Status.PASSED, List.of(), null, List.of(), 5)), 10);
  }

  @Test
  void junitXmlIsWellFormedAndCarriesTheFailure() throws Exception {
    String xml = TestReports.junitXml(run());
    Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    assertEquals(2, d.getElementsByTagName("testsuite").getLength());
    assertEquals(1, d.getElementsByTagName("failure").getLength());
    assertTrue(d.getElementsByTagName("failure").item(0).getTextContent().contains("<script>"));
  }

  @Test
  void htmlEscapesEverythingAndLoadsNothing() {
    String html = TestReports.html(run());
    assertFalse(html.contains("<script>"), html);
    assertTrue(html.contains("&lt;script&gt;"));
    assertFalse(html.contains("http-equiv=\"refresh\""));
    assertFalse(html.matches("(?s).*(src|href)=\"http.*"), "self-contained");
  }

  @Test
  void chartScalesBarsToTheLargestRow() {
    String svg = Html.stackedBars(Map.of("a", new long[] {2, 2}), new String[] {"x", "y"}, new String[] {"#000", "#fff"});
    assertTrue(svg.contains("width=\"240.0\""), svg);
    assertTrue(ProgressBar.render("replay", 50, 100, 1_000_000_000L).startsWith("replay [###############...............]  50% 50/100  50/s"),
        ProgressBar.render("replay", 50, 100, 1_000_000_000L));
  }
}
