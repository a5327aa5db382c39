package io.vectorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * `--help` works on every command and subcommand, before any required option or parameter is
 * checked, and prints plain text (no ANSI escapes) when the output is not a terminal.
 */
class HelpTest {

  @Test
  void helpWorksOnEverySubcommand() {
    List<List<String>> paths = new ArrayList<>();
    collect(VectorgateCli.commandLine(), new ArrayList<>(), paths);
    assertTrue(paths.size() >= 25, "expected every subcommand, found " + paths);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        CommandLine cl = VectorgateCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        int code = cl.execute(args.toArray(String[]::new));
        String shown = String.join(" ", args);
        assertEquals(0, code, shown + " exited " + code + ": " + err);
        assertEquals("", err.toString(), shown);
        String usage = ("Usage: vectorgate " + String.join(" ", path)).strip();
        assertTrue(out.toString().startsWith(usage), shown + " printed:\n" + out);
        assertFalse(out.toString().contains("\u001b["), shown + " printed ANSI escapes");
      }
    }
  }

  private static void collect(CommandLine cl, List<String> prefix, List<List<String>> paths) {
    paths.add(List.copyOf(prefix));
    for (var e : cl.getSubcommands().entrySet()) {
      if (!e.getKey().equals(e.getValue().getCommandName())) {
        continue; // an alias
      }
      List<String> p = new ArrayList<>(prefix);
      p.add(e.getKey());
      collect(e.getValue(), p, paths);
    }
  }
}
