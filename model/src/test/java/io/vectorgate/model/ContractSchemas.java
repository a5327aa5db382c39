package io.vectorgate.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;

/** The contract's JSON Schemas, loaded from the classpath and ready to validate. */
final class ContractSchemas {
  static final JsonSchema INPUT = load("vectorgate/v1/input.schema.json");
  static final JsonSchema DECISION = load("vectorgate/v1/decision.schema.json");

  private ContractSchemas() {}

  static JsonSchema load(String resource) {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    try (InputStream in = ContractSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing: " + resource);
      }
      return factory.getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Validation errors as sorted strings ("$.path: message"); empty when valid. */
  static Set<String> errors(JsonSchema schema, JsonNode node) {
    Set<String> out = new TreeSet<>();
    for (ValidationMessage m : schema.validate(node)) {
      out.add(m.toString());
    }
    return out;
  }
}
