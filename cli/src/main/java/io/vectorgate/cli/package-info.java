/** The {@code vectorgate} command line: thin picocli wrappers over the engine, DSL, recorder, approvals and harness APIs. */
package io.vectorgate.cli;
