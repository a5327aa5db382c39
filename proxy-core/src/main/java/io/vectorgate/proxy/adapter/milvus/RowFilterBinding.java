package io.vectorgate.proxy.adapter.milvus;

/**
 * How the Milvus adapter puts row-filter values into a filter expression.
 *
 * <ul>
 *   <li>{@link #TEMPLATE} (default): the expression names placeholders ({@code tenant ==
 *       {vg_rf_0}}) and the values travel as typed {@code expr_template_values}; no value is
 *       ever part of the expression text. Needs a server with filter templating (Milvus 2.5+).
 *   <li>{@link #LITERAL}: for upstreams without templating (Milvus Lite 3.x ignores
 *       {@code expr_template_values}), values are written as literals by a strict encoder:
 *       strings double-quoted with {@code \\} and {@code "} escaped, {@code \n \r \t} as
 *       escapes, any other control character refused; integers and finite floats in canonical
 *       decimal; booleans as {@code true}/{@code false}. Opt-in only.
 * </ul>
 */
public enum RowFilterBinding {
  TEMPLATE,
  LITERAL
}
