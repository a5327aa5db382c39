/**
 * Obligation semantics, written once for every adapter and transport: what a decision's
 * obligations mean, independent of any database's wire format.
 *
 * <ul>
 *   <li>{@link io.vectorgate.proxy.enforce.RowFilterMatcher}: the row filter over plain values.
 *       An adapter maps each row to a {@code Function<String, RowValue>} once (field name → the
 *       row's value as a {@link io.vectorgate.proxy.enforce.RowValue}: absent, scalar, or an array
 *       that matches on any element) and calls {@code matches(row)} on the request side (written
 *       and pre-read rows) or {@code violatedBy(row)} on the response side (a row that carries a
 *       filtered field with a value outside the filter: drop it, count it in a
 *       {@link io.vectorgate.proxy.enforce.ResponseTally} which logs
 *       {@code row_filter_response_violation}). A database whose filter never selects array
 *       values maps arrays with {@code RowValue.scalarOnly} (Chroma; Milvus, whose adapter reads
 *       columns and {@code $meta} keys once in {@code adapter.milvus.FilterRows} and also drops
 *       a returned row carrying such an unselectable value).
 *   <li>{@link io.vectorgate.proxy.enforce.LimitCaps}: one behaviour for a missing or excessive
 *       limit (explicit over the cap: refused in deny mode, clamped otherwise; missing with an
 *       API default over the cap or unbounded: set to the cap), and {@code allowed(cap)}, the
 *       most rows one result list may carry on the response, whatever the upstream honoured.
 *   <li>{@link io.vectorgate.proxy.enforce.ValueMasker}: masking of single values, JSON values
 *       ({@code maskJsonTyped} keeps the JSON type) and of the fields present in a JSON object
 *       ({@code maskFields}, exact or case-insensitive keys).
 *   <li>{@link io.vectorgate.proxy.enforce.ObligationException}: an obligation that cannot be
 *       honoured; the request is refused with its code (fail closed).
 * </ul>
 */
package io.vectorgate.proxy.enforce;
