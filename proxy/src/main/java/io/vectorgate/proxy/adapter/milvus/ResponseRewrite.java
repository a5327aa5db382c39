package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.Message;
import java.util.Objects;

/**
 * A response after the response guarantees were applied, with what they removed.
 *
 * @param response the message to answer with
 * @param rowsCut rows beyond the limit cap removed from the answer (over all queries of a search)
 * @param vectorColumnsStripped vector columns (or struct vector sub-fields, group-by values) removed
 */
public record ResponseRewrite(Message response, long rowsCut, int vectorColumnsStripped) {
  public ResponseRewrite {
    Objects.requireNonNull(response, "response");
  }

  /** The response as it came. */
  public static ResponseRewrite unchanged(Message response) {
    return new ResponseRewrite(response, 0, 0);
  }
}
