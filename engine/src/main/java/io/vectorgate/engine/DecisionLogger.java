package io.vectorgate.engine;

/**
 * Receives every decision. Called on the request path: implementations must return quickly and
 * never throw (queue the entry and do the work elsewhere, as {@link JsonLinesDecisionLogger} does).
 */
public interface DecisionLogger extends AutoCloseable {
  void log(DecisionLogEntry entry);

  /** Flushes and releases resources; further entries are dropped. */
  @Override
  default void close() {}

  /** Logs nothing. */
  DecisionLogger NONE = entry -> {};
}
