package io.vectorgate.proxy.pipeline;

/**
 * The trace of one request: a server span and one child span per pipeline stage. Stages run on a
 * worker and on the upstream's callback thread; nothing here depends on a thread-local context.
 */
public interface RequestSpan {
  /** Tracing off. */
  RequestSpan NONE = new RequestSpan() {
    @Override
    public Stage stage(String name) {
      return Stage.NONE;
    }

    @Override
    public void end(RequestLog log) {
      // nothing to end
    }
  };

  /** Starts the child span of stage {@code name} ({@code authenticate}, {@code decode}, ...). */
  Stage stage(String name);

  /**
   * Sets the server span's attributes from the finished {@code log} and ends it. Attributes come
   * from the log's ids and codes only, never from the token, the payload or filter values.
   */
  void end(RequestLog log);

  /** One stage's span. */
  interface Stage {
    Stage NONE = new Stage() {
      @Override
      public void end() {
        // nothing to end
      }
    };

    /** Adds an attribute (ids and codes only). */
    default void attribute(String key, String value) {
      // no span
    }

    /** The W3C {@code traceparent} naming this span, to send upstream; null when tracing is off. */
    default String traceparent() {
      return null;
    }

    /** Ends the stage; {@code error} marks it failed (the outcome's reason code). */
    default void fail(String error) {
      end();
    }

    void end();
  }
}
