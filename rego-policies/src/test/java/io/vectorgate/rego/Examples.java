package io.vectorgate.rego;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The documented examples (src/test/resources/examples/NAME.input.json + NAME.decision.json),
 * the contract schemas and the paths of the real peers, shared by the tests.
 */
final class Examples {
  static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  static final Path ROOT = Path.of(required("vectorgate.root"));
  static final Path OPA = Path.of(required("vectorgate.opa"));
  static final Path MODULE = ROOT.resolve("rego-policies");
  static final Path EXAMPLES = MODULE.resolve("src/test/resources/examples");
  static final Path REGO = MODULE.resolve("src/main/rego");
  static final Path SAMPLE_DATA = ROOT.resolve("samples/org/data.json");
  static final Path CONTRACT_DOC = ROOT.resolve("docs/contract.md");

  static final JsonSchema INPUT_SCHEMA = schema("vectorgate/v1/input.schema.json");
  static final JsonSchema DECISION_SCHEMA = schema("vectorgate/v1/decision.schema.json");
  static final JsonSchema CONFIG_SCHEMA = schema(RegoLibrary.CONFIG_SCHEMA);

  /** One documented example. */
  record Example(String name, Path inputFile, Path decisionFile) {
    JsonNode input() {
      return read(inputFile);
    }

    JsonNode decision() {
      return read(decisionFile);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private Examples() {}

  static List<Example> all() {
    List<Example> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path p : files.sorted().toList()) {
        String f = p.getFileName().toString();
        if (f.endsWith(".input.json")) {
          String name = f.substring(0, f.length() - ".input.json".length());
          out.add(new Example(name, p, EXAMPLES.resolve(name + ".decision.json")));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list examples in " + EXAMPLES, e);
    }
    return out;
  }

  static JsonNode read(Path p) {
    try {
      return JSON.readTree(p.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read JSON " + p, e);
    }
  }

  static Set<String> errors(JsonSchema schema, JsonNode node) {
    Set<String> out = new TreeSet<>();
    for (ValidationMessage m : schema.validate(node)) {
      out.add(m.toString());
    }
    return out;
  }

  private static JsonSchema schema(String resource) {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    try (InputStream in = Examples.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing from the classpath: " + resource);
      }
      return factory.getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set (the parent pom's surefire config sets it)");
    }
    return v;
  }
}
