package io.vectorgate.proxy.adapter.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorgate.proxy.adapter.AdapterException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The closed world of one request body schema of an HTTP API: the fields the adapter models (they
 * reach the policy input or are rewritten by an obligation) and the fields the API defines that the
 * gateway refuses ({@value #UNSUPPORTED_FIELD}, with the reason). A field in neither list is not
 * one the API defines as far as the gateway knows ({@code unknown_field}). Each adapter keeps its
 * schemas in one table (e.g. {@code ChromaFields}, {@code QdrantFields}); a test compares every
 * table with the API's own schema and fails on a field in neither list.
 *
 * @param schema the API's name for the body schema (OpenAPI component)
 * @param modelled fields the adapter reads
 * @param refused fields the API defines that the gateway refuses when set → why
 */
public record RouteFields(String schema, Set<String> modelled, Map<String, String> refused) {
  /** The code of a request that sets a field the API defines but the gateway does not support. */
  public static final String UNSUPPORTED_FIELD = "unsupported_field";

  public RouteFields {
    Objects.requireNonNull(schema, "schema");
    modelled = Set.copyOf(modelled);
    refused = Map.copyOf(refused);
    for (String f : refused.keySet()) {
      if (modelled.contains(f)) {
        throw new IllegalArgumentException(schema + ": `" + f + "` is both modelled and refused");
      }
    }
  }

  public static RouteFields of(String schema, Set<String> modelled) {
    return new RouteFields(schema, modelled, Map.of());
  }

  /** This schema with {@code field} refused for {@code why}. */
  public RouteFields refusing(String field, String why) {
    var r = new java.util.HashMap<>(refused);
    r.put(field, why);
    return new RouteFields(schema, modelled, r);
  }

  /**
   * Checks the fields of a JSON object of this schema: a refused field that is set (not null) is
   * {@value #UNSUPPORTED_FIELD}, a field in neither list {@code unknown_field}; both name the field
   * with {@code prefix} (e.g. {@code searches[0].}).
   */
  public void check(JsonNode object, String prefix) {
    for (var it = object.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (modelled.contains(f)) {
        continue;
      }
      String why = refused.get(f);
      if (why != null) {
        if (!object.get(f).isNull()) {
          throw new AdapterException(UNSUPPORTED_FIELD, prefix + f, "field `" + prefix + f
              + "` is not supported through the gateway: " + why);
        }
        continue;
      }
      throw new AdapterException(AdapterException.UNKNOWN_FIELD, prefix + f, "field `" + prefix + f
          + "` is not one the gateway understands; known: " + new TreeSet<>(modelled));
    }
  }
}
