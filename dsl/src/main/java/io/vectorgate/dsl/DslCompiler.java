package io.vectorgate.dsl;

import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.ast.Span;
import io.vectorgate.dsl.check.Checker;
import io.vectorgate.dsl.diag.Codes;
import io.vectorgate.dsl.diag.Diagnostic;
import io.vectorgate.dsl.diag.Severity;
import io.vectorgate.dsl.format.Formatter;
import io.vectorgate.dsl.parse.PolicyParser;
import io.vectorgate.dsl.rego.OpaTool;
import io.vectorgate.dsl.rego.RegoGenerator;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy language's front door: parse → check → generate Rego. Every method reports problems
 * as {@link Diagnostic}s (never by throwing for bad policy text) and produces output only when
 * there are no errors.
 */
public final class DslCompiler {
  /** File name extension of policy files. */
  public static final String EXTENSION = ".vg";

  private DslCompiler() {}

  /**
   * The outcome for one file: its AST (null if it did not parse), all diagnostics sorted by
   * location, and the generated Rego (null when there is any error).
   */
  public record Compilation(String fileName, PolicyFile ast, List<Diagnostic> diagnostics, String rego) {
    public Compilation {
      diagnostics = List.copyOf(diagnostics);
    }

    public boolean ok() {
      return diagnostics.stream().noneMatch(Diagnostic::isError);
    }

    public List<Diagnostic> errors() {
      return diagnostics.stream().filter(Diagnostic::isError).toList();
    }

    /** All diagnostics rendered, one after another. */
    public String report() {
      StringBuilder b = new StringBuilder();
      diagnostics.forEach(d -> b.append(d.render()).append('\n'));
      return b.toString();
    }
  }

  /** Parses and checks text (no Rego). */
  public static Compilation check(String fileName, String text) {
    PolicyParser.Result parsed = PolicyParser.parse(fileName, text);
    if (parsed.ast() == null) {
      return new Compilation(fileName, null, parsed.diagnostics(), null);
    }
    List<Diagnostic> all = new ArrayList<>(parsed.diagnostics());
    all.addAll(Checker.check(parsed.ast(), parsed.source()));
    all.sort(Diagnostic.BY_LOCATION);
    return new Compilation(fileName, parsed.ast(), all, null);
  }

  /**
   * Parses, checks and, when there are no errors, generates Rego (not yet run through opa fmt).
   * Diagnostics name the file {@code fileName}; the generated Rego (its comments and default
   * messages) names only the file's base name, so the policy text does not depend on where the
   * file was compiled from.
   */
  public static Compilation compile(String fileName, String text) {
    Compilation c = check(fileName, text);
    if (!c.ok()) {
      return c;
    }
    return new Compilation(fileName, c.ast(), c.diagnostics(), RegoGenerator.generate(c.ast(), baseName(fileName)));
  }

  /** {@link #check(Path, String)} with the file named as given. */
  public static Compilation check(Path file) {
    return check(file, file.toString());
  }

  /**
   * {@link #check(String, String)} of a file whose diagnostics name it {@code shown} (for example
   * its path relative to the policy repository); an unreadable file is a VG002 diagnostic.
   */
  public static Compilation check(Path file, String shown) {
    String name = shown;
    String text;
    try {
      text = read(file);
    } catch (IOException e) {
      return unreadable(name, e);
    }
    return check(name, text);
  }

  /** {@link #compileToRego(Path, String, OpaTool)} with the file named as given. */
  public static Compilation compileToRego(Path file, OpaTool opa) throws OpaTool.OpaException {
    return compileToRego(file, file.toString(), opa);
  }

  /**
   * {@link #compile(String, String)} of a file whose diagnostics name it {@code shown}, with the
   * Rego formatted by {@code opa fmt}.
   */
  public static Compilation compileToRego(Path file, String shown, OpaTool opa) throws OpaTool.OpaException {
    String name = shown;
    String text;
    try {
      text = read(file);
    } catch (IOException e) {
      return unreadable(name, e);
    }
    Compilation c = compile(name, text);
    if (c.rego() == null) {
      return c;
    }
    return new Compilation(c.fileName(), c.ast(), c.diagnostics(), opa.fmt(c.rego()));
  }

  /** Canonical text of a policy, or the diagnostics that prevent formatting it (syntax errors). */
  public static Formatted format(String fileName, String text) {
    PolicyParser.Result parsed = PolicyParser.parse(fileName, text);
    if (parsed.ast() == null) {
      return new Formatted(null, parsed.diagnostics());
    }
    return new Formatted(Formatter.format(parsed.ast()), parsed.diagnostics());
  }

  /** The result of {@link #format}: text, or null with the syntax errors. */
  public record Formatted(String text, List<Diagnostic> diagnostics) {
    public Formatted {
      diagnostics = List.copyOf(diagnostics);
    }
  }

  /** The last segment of a slash- or backslash-separated name. */
  static String baseName(String fileName) {
    int i = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    return i < 0 || i == fileName.length() - 1 ? fileName : fileName.substring(i + 1);
  }

  private static String read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > 4L * PolicyParser.MAX_SOURCE_CHARS) {
      throw new IOException("file has " + size + " bytes, more than the policy size limit");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("file is not valid UTF-8", e);
    }
  }

  private static Compilation unreadable(String name, IOException e) {
    Span span = new Span(name, 1, 1, 1, 1);
    Diagnostic d = new Diagnostic(Codes.SOURCE, Severity.ERROR, span, "cannot read policy file: " + e.getMessage(), "");
    return new Compilation(name, null, List.of(d), null);
  }
}
