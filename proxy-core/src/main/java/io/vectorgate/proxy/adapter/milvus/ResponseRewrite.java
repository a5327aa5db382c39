package io.vectorgate.proxy.adapter.milvus;

import com.google.protobuf.Message;
import java.util.Objects;

/**
 * A response after the response guarantees were applied, with what they removed and what it
 * returns (for the caller's usage budgets).
 *
 * @param response the message to answer with
 * @param rowsCut rows beyond the limit cap removed from the answer (over all queries of a search)
 * @param rowFilterDropped rows removed because they carried a row-filter field with a value outside
 *     the filter ({@code row_filter_response_violation}: the upstream returned what the injected
 *     filter excludes)
 * @param vectorColumnsStripped vector columns (or struct vector sub-fields, group-by values) removed
 * @param rows rows the answer returns (search hits over all queries; query rows)
 * @param vectors vectors the answer returns: its rows when any column still carries vectors, else 0
 */
public record ResponseRewrite(Message response, long rowsCut, long rowFilterDropped, int vectorColumnsStripped, long rows, long vectors) {
  public ResponseRewrite {
    Objects.requireNonNull(response, "response");
  }
}
