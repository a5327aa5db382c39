package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Problems sort by file, line and message, with numbers inside text compared by value. */
class ProblemOrderTest {
  @Test
  void sampleLinesSortNumerically() {
    List<String> lines = List.of("24", "2", "14", "12");
    StageFailure f = new StageFailure(Stage.IMPACT, "x", lines.stream()
        .map(n -> Problem.of("unexpected change: newly_denied at sample.jsonl:" + n + " (action=delete)")).toList(), null);
    assertEquals(List.of("2", "12", "14", "24"), f.problems().stream()
        .map(p -> p.message().replaceAll(".*sample.jsonl:(\\d+).*", "$1")).toList());
  }

  @Test
  void filesWithNumbersSortByValueThenLine() {
    StageFailure f = new StageFailure(Stage.COMPILE, "x", List.of(new Problem("p/r10.rego", 1, 0, "m"),
        new Problem("p/r9.rego", 3, 0, "m"), new Problem("p/r9.rego", 2, 0, "m"), new Problem("p/r09x.rego", 1, 0, "m")),
        null);
    assertEquals(List.of("p/r9.rego:2: m", "p/r9.rego:3: m", "p/r09x.rego:1: m", "p/r10.rego:1: m"),
        f.problems().stream().map(Problem::render).toList());
  }
}
