package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Progress goes to stderr, only when asked for (or in a terminal), and never to stdout. */
class ProgressTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));

  private static String[] run(String... args) {
    CommandLine cl = VectorgateCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertEquals(0, cl.execute(args), err.toString());
    return new String[] {out.toString(), err.toString()};
  }

  @Test
  void offWhenNotATerminalOnWithTheFlag() {
    String policy = ROOT.resolve("samples/org/policy.vg").toString();
    String[] quiet = run("policy", "check", policy);
    assertEquals("", quiet[1]); // the test JVM has no terminal
    String[] shown = run("policy", "check", "--progress", policy);
    assertTrue(shown[0].startsWith("ok: revision "), shown[0]);
    assertTrue(shown[1].contains("vectorgate: preparing 1 source...\n"), shown[1]);
    assertTrue(shown[1].contains("vectorgate: compiling with opa (Wasm)...\n"), shown[1]);
    assertTrue(shown[1].matches("(?s).*vectorgate: compiling with opa \\(Wasm\\): done in [0-9.]+ m?s\n"), shown[1]);
  }

  @Test
  void aTerminalStepOverwritesTheLineAndIsClearedAtTheEnd() {
    StringWriter w = new StringWriter();
    try (Progress p = new Progress(new PrintWriter(w, true), true, true)) {
      p.step("a");
      p.step("bb");
    }
    String s = w.toString();
    assertTrue(s.startsWith("\rvectorgate: a..."), s);
    assertTrue(s.endsWith("\r"), s);
    assertTrue(!s.contains("\n"), s);
  }
}
