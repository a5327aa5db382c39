package io.vectorgate.rego;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real opa binary (topdown evaluator) as the reference for the library's decisions. */
final class OpaEval {
  private OpaEval() {}

  /** data.vectorgate.decision for the input file, with the library and the given data file loaded. */
  static JsonNode decision(Path inputFile, Path dataFile) {
    List<String> cmd = new ArrayList<>(List.of(Examples.OPA.toString(), "eval", "--format", "json",
        "-d", Examples.REGO.toString(), "-d", dataFile.toString(), "-i", inputFile.toString(),
        "data.vectorgate.decision"));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      byte[] out = p.getInputStream().readAllBytes();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("opa eval timed out for " + inputFile);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("opa eval failed for " + inputFile + " (exit " + p.exitValue() + "): " + err);
      }
      JsonNode result = Examples.JSON.readTree(out);
      JsonNode value = result.at("/result/0/expressions/0/value");
      if (value.isMissingNode()) {
        throw new IllegalStateException("opa eval returned no decision for " + inputFile + ": " + result);
      }
      return value;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running opa eval", e);
    }
  }
}
