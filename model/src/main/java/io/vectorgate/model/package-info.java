/** The policy contract {@code vectorgate/v1}: plain values shared by the proxy, engine, DSL, Rego library and harness. */
package io.vectorgate.model;
