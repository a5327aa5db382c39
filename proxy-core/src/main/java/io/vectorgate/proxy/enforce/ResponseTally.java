package io.vectorgate.proxy.enforce;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the response guarantees changed in one response: rows cut to the cap, rows dropped because
 * they carried a filtered field with a value outside the row filter
 * ({@value #ROW_FILTER_RESPONSE_VIOLATION}: the database returned a row the injected filter should
 * have excluded), vectors stripped and values masked. One per response; not thread-safe.
 */
public final class ResponseTally {
  /** The log event and counter of a returned row outside the row filter. */
  public static final String ROW_FILTER_RESPONSE_VIOLATION = "row_filter_response_violation";
  /** The counter of responses that had rows cut to the cap. */
  public static final String RESPONSE_ROWS_CUT = "response_rows_cut";

  private static final Logger LOG = LoggerFactory.getLogger(ResponseTally.class);

  private long rowsCut;
  private long rowFilterDropped;
  private long vectorsStripped;
  private long valuesMasked;

  /** A tally of counts already logged where they were found (no log line here). */
  public static ResponseTally of(long rowsCut, long rowFilterDropped, long vectorsStripped, long valuesMasked) {
    ResponseTally t = new ResponseTally();
    t.rowsCut = rowsCut;
    t.rowFilterDropped = rowFilterDropped;
    t.vectorsStripped = vectorsStripped;
    t.valuesMasked = valuesMasked;
    return t;
  }

  public void cut(long n) {
    rowsCut += n;
  }

  /** Records {@code n} rows outside the row filter and logs {@value #ROW_FILTER_RESPONSE_VIOLATION}. */
  public void rowFilterDropped(long n, String where) {
    if (n > 0) {
      rowFilterDropped += n;
      LOG.warn("{}: {} row(s) of {} carried a row-filter field outside the filter and were dropped",
          ROW_FILTER_RESPONSE_VIOLATION, n, where);
    }
  }

  public void stripped(long n) {
    vectorsStripped += n;
  }

  public void masked(long n) {
    valuesMasked += n;
  }

  public long rowsCut() {
    return rowsCut;
  }

  public long rowFilterDropped() {
    return rowFilterDropped;
  }

  public long vectorsStripped() {
    return vectorsStripped;
  }

  public long valuesMasked() {
    return valuesMasked;
  }
}
