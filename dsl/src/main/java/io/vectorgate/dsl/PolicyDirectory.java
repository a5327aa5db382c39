package io.vectorgate.dsl;

import io.vectorgate.dsl.ast.Span;
import io.vectorgate.dsl.diag.Codes;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.diag.Severity;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.dsl.rego.RegoGenerator;
import io.vectorgate.rego.RegoLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a policy directory that mixes {@code .rego} and DSL ({@code .vg}) files into one directory
 * of Rego ready for the engine's compiler: every {@code .vg} file compiled (and formatted by
 * {@code opa fmt}) to {@code <name>.vg.rego}, every {@code .rego} file copied with its relative
 * path, and the decision table {@code vectorgate/core.rego} added unless the directory has its own.
 */
public final class PolicyDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyDirectory.class);
  private static final int MAX_FILES = 10_000;

  private PolicyDirectory() {}

  /** What {@link #prepare} produced: diagnostics of every DSL file and the Rego files written. */
  public record Prepared(List<Diagnostic> diagnostics, List<Path> regoFiles) {
    public Prepared {
      diagnostics = List.copyOf(diagnostics);
      regoFiles = List.copyOf(regoFiles);
    }

    public boolean ok() {
      return diagnostics.stream().noneMatch(Diagnostic::isError);
    }
  }

  /** The decision table from the classpath (the rego-policies jar, {@link RegoLibrary}). */
  public static String coreRego() {
    return RegoLibrary.read("vectorgate/core.rego");
  }

  /**
   * Compiles and copies {@code source} into the empty or new directory {@code out}. Files in
   * hidden directories and {@code *_test.rego} are skipped. With errors nothing should be built
   * from {@code out}.
   */
  public static Prepared prepare(Path source, Path out, OpaTool opa) throws IOException, OpaTool.OpaException {
    if (!Files.isDirectory(source)) {
      throw new IOException("policy directory " + source + " does not exist or is not a directory");
    }
    Files.createDirectories(out);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(source)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> source.relativize(p).toString().chars().noneMatch(ch -> ch == 0))
          .filter(p -> !hidden(source.relativize(p)))
          .sorted().limit(MAX_FILES + 1L).toList();
    }
    if (files.size() > MAX_FILES) {
      throw new IOException("policy directory " + source + " has more than " + MAX_FILES + " files");
    }
    List<Diagnostic> diagnostics = new ArrayList<>();
    List<Path> written = new ArrayList<>();
    Map<String, Path> slugs = new HashMap<>();
    boolean hasCore = false;
    for (Path f : files) {
      Path rel = source.relativize(f);
      String name = rel.toString();
      if (name.endsWith(DslCompiler.EXTENSION)) {
        DslCompiler.Compilation c = DslCompiler.compileToRego(f, name, opa);
        diagnostics.addAll(c.diagnostics());
        if (c.ast() != null) {
          String slug = RegoGenerator.slug(c.ast().name().value());
          Path other = slugs.putIfAbsent(slug, rel);
          if (other != null) {
            diagnostics.add(new Diagnostic(Codes.DUPLICATE_RULE, Severity.ERROR, new Span(name, 1, 1, 1, 1),
                "policy name `" + c.ast().name().value() + "` clashes with the policy in " + other
                    + " (policy names must differ after lowercasing and replacing non-alphanumerics by `_`)", ""));
          }
        }
        if (c.rego() != null) {
          Path target = out.resolve(name + ".rego");
          Files.createDirectories(target.getParent());
          Files.writeString(target, c.rego(), StandardCharsets.UTF_8);
          written.add(target);
        }
      } else if (name.endsWith(".rego") && !name.endsWith("_test.rego")) {
        Path target = out.resolve(rel);
        Files.createDirectories(target.getParent());
        Files.copy(f, target);
        written.add(target);
        hasCore |= rel.normalize().toString().replace('\\', '/').equals("vectorgate/core.rego");
      }
    }
    if (!hasCore) {
      Path core = out.resolve("vectorgate/core.rego");
      Files.createDirectories(core.getParent());
      Files.writeString(core, coreRego(), StandardCharsets.UTF_8);
      written.add(core);
    }
    diagnostics.sort(Diagnostic.BY_LOCATION);
    LOG.info("dsl_prepare source={} rego_files={} diagnostics={}", source, written.size(), diagnostics.size());
    return new Prepared(diagnostics, written);
  }

  private static boolean hidden(Path rel) {
    for (Path part : rel) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
