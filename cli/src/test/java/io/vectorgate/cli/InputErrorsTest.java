package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a new user types first: a DSL file to check, a file that is not there. */
class InputErrorsTest {
  private static final Path ROOT = Path.of(System.getProperty("vectorgate.root", ".."));

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = VectorgateCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void policyCheckAcceptsOneDslFile() {
    Run r = run("policy", "check", ROOT.resolve("samples/org/policy.vg").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("ok: revision "), r.out());
  }

  @Test
  void aDslFileWithAnErrorIsReportedWithItsName(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("broken.vg");
    java.nio.file.Files.writeString(bad, "policy \"p\" version 1\nallow read on collection for nobody\n");
    Run r = run("policy", "check", bad.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("broken.vg:2:"), r.err());
  }

  @Test
  void aMissingInputFileSaysWhichOptionAndWhy(@TempDir Path dir) {
    Path missing = dir.resolve("input.json");
    Run r = run("policy", "eval", "--input", missing.toString(), "-s", ROOT.resolve("samples/org/policy.vg").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("vectorgate: cannot read the --input file `" + missing + "`: no such file or directory\n", r.err());
  }
}
