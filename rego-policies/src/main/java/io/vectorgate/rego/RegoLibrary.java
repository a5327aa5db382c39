package io.vectorgate.rego;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shipped Rego library (package {@code vectorgate}: the decision table and the data-driven
 * library) as classpath resources under {@value #RESOURCE_ROOT}.
 *
 * <p>Compile every module of {@link #sources()} together with the organisation's data document
 * (top-level key {@value #CONFIG_KEY}) and evaluate entrypoint {@value #ENTRYPOINT}.
 */
public final class RegoLibrary {
  /** Classpath folder holding the modules, e.g. {@code vectorgate/rego/vectorgate/core.rego}. */
  public static final String RESOURCE_ROOT = "vectorgate/rego/";
  /** The entrypoint that yields the decision object. */
  public static final String ENTRYPOINT = "vectorgate/decision";
  /** The top-level data key the library reads its configuration from. */
  public static final String CONFIG_KEY = "vectorgate_config";
  /** Classpath resource of the JSON Schema of the data document ({@code {"vectorgate_config": ...}}). */
  public static final String CONFIG_SCHEMA = RESOURCE_ROOT + "config.schema.json";

  private static final String INDEX = RESOURCE_ROOT + "modules.txt";

  private RegoLibrary() {}

  /** Module paths relative to {@link #RESOURCE_ROOT}, e.g. {@code vectorgate/core.rego}, sorted. */
  public static List<String> modules() {
    List<String> modules = new ArrayList<>();
    for (String line : readResource(INDEX).split("\n")) {
      String m = line.strip();
      if (!m.isEmpty()) {
        modules.add(m);
      }
    }
    return Collections.unmodifiableList(modules);
  }

  /** Every module's source, keyed by its path relative to {@link #RESOURCE_ROOT}, in index order. */
  public static Map<String, String> sources() {
    Map<String, String> sources = new LinkedHashMap<>();
    for (String m : modules()) {
      sources.put(m, read(m));
    }
    return Collections.unmodifiableMap(sources);
  }

  /** The source of one module, by its path relative to {@link #RESOURCE_ROOT}. */
  public static String read(String module) {
    if (module.contains("..") || module.startsWith("/")) {
      throw new IllegalArgumentException("module path must be relative and inside the library: `" + module + "`");
    }
    return readResource(RESOURCE_ROOT + module);
  }

  /** The JSON Schema (draft 2020-12) of the library's data document. */
  public static String configSchema() {
    return readResource(CONFIG_SCHEMA);
  }

  private static String readResource(String name) {
    try (InputStream in = RegoLibrary.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource `" + name + "` is missing from vectorgate-rego-policies");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource `" + name + "`", e);
    }
  }
}
