package io.vectorgate.recorder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A payload whose JSON is computed only when the recorder's writer thread serializes the entry:
 * put it in a {@code POJONode} as a draft's {@code request}/{@code response}, so the gateway's
 * request path does not pay for the conversion. The value must be immutable; {@link #toJson()} may
 * be called more than once and must return the same tree each time.
 */
@FunctionalInterface
public interface LazyJson {
  /** The payload as a JSON tree (the recorder canonicalizes, strips vectors and hashes it). */
  JsonNode toJson();
}
