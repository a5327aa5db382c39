package io.vectorgate.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the FAILURES section of {@code opa test --var-values}: for each failing test, the failing
 * expression with its location and the values of the variables in it, e.g.
 *
 * <pre>
 * policies/p_test.rego:7:
 *     data.vectorgate.allow with input as {"x": y}
 *     |                                         |
 *     |                                         2
 *     undefined
 * </pre>
 */
final class RegoTestFailure {
  private static final Pattern HEADER = Pattern.compile("^(data\\.\\S+): (?:FAIL|ERROR)\\b.*$");

  private RegoTestFailure() {}

  /** Test name → its failure detail (paths shown through {@code paths}). */
  static Map<String, String> details(String prettyOutput, RepoPaths paths) {
    Map<String, String> out = new LinkedHashMap<>();
    int at = prettyOutput.indexOf("\nFAILURES\n");
    if (at < 0) {
      return out;
    }
    String name = null;
    StringBuilder body = new StringBuilder();
    for (String line : prettyOutput.substring(at + "\nFAILURES\n".length()).split("\n", -1)) {
      Matcher m = HEADER.matcher(line);
      if (m.matches() || line.startsWith("-----")) {
        put(out, name, body, paths);
        name = m.matches() ? m.group(1) : null;
        body.setLength(0);
        if (line.startsWith("-----") && !out.isEmpty()) {
          break;
        }
        continue;
      }
      if (name != null) {
        body.append(line.replace("\t", "    ")).append('\n');
      }
    }
    put(out, name, body, paths);
    return out;
  }

  private static void put(Map<String, String> out, String name, StringBuilder body, RepoPaths paths) {
    if (name == null) {
      return;
    }
    String text = paths.text(body.toString()).stripTrailing();
    String[] lines = text.split("\n");
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      if (sb.isEmpty() && l.isBlank()) {
        continue;
      }
      sb.append(l.isBlank() ? "" : l.substring(Math.min(indent, l.length()))).append('\n');
    }
    out.put(name, sb.toString().stripTrailing());
  }
}
