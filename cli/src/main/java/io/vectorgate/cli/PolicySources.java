package io.vectorgate.cli;

import io.vectorgate.dsl.PolicyDirectory;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.rego.OpaTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Policy sources as the user gave them, made ready for the engine's compiler: a directory that
 * contains DSL files ({@code .vg}) is compiled with its {@code .rego} files into one Rego tree
 * first, so a policy directory may mix both. A single {@code .vg} file is compiled the same way, as
 * the only file of a directory (its diagnostics name the file).
 */
final class PolicySources {
  private PolicySources() {}

  /**
   * The prepared sources (one per given source, same order), or the DSL diagnostics that stopped
   * preparation; {@code perSource.get(i)} are those of source {@code i} (files relative to it).
   */
  record Prepared(List<Path> sources, List<Diagnostic> diagnostics, List<List<Diagnostic>> perSource) {
    boolean ok() {
      return diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    List<Diagnostic> diagnosticsOf(int i) {
      return perSource.get(i);
    }
  }

  static Prepared prepare(List<Path> sources) throws IOException, OpaTool.OpaException {
    List<Path> out = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    List<List<Diagnostic>> perSource = new ArrayList<>();
    for (Path s : sources) {
      if (Files.isDirectory(s) && containsDsl(s)) {
        Path tmp = Files.createTempDirectory("vectorgate-policy");
        PolicyDirectory.Prepared p = PolicyDirectory.prepare(s, tmp.resolve("policy"), OpaTool.fromEnvironment());
        diagnostics.addAll(p.diagnostics());
        perSource.add(List.copyOf(p.diagnostics()));
        out.add(tmp.resolve("policy"));
      } else if (Files.isRegularFile(s) && s.getFileName().toString().endsWith(".vg")) {
        Path dir = Files.createTempDirectory("vectorgate-dsl");
        Files.copy(s, dir.resolve(s.getFileName().toString()));
        Path tmp = Files.createTempDirectory("vectorgate-policy");
        PolicyDirectory.Prepared p = PolicyDirectory.prepare(dir, tmp.resolve("policy"), OpaTool.fromEnvironment());
        diagnostics.addAll(p.diagnostics());
        perSource.add(List.copyOf(p.diagnostics())); // files relative to the file's own folder
        out.add(tmp.resolve("policy"));
      } else {
        out.add(s);
        perSource.add(List.of());
      }
    }
    return new Prepared(out, diagnostics, perSource);
  }

  private static boolean containsDsl(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".vg"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read policy directory " + dir, e);
    }
  }
}
