package io.vectorgate.recorder;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

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

  /**
   * Writes the payload in the recorder's canonical form straight to {@code g}, vectors replaced by
   * {@code strip} (null: kept). The default builds {@link #toJson()} and walks it; an implementation
   * that streams must write exactly the bytes
   * {@link RecordFormat#writeCanonical(JsonNode, JsonGenerator, VectorStripper)} writes for that tree.
   */
  default void writeCanonical(JsonGenerator g, VectorStripper strip) throws IOException {
    RecordFormat.writeCanonical(toJson(), g, strip);
  }
}
