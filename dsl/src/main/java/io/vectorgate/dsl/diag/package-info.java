/** Diagnostics: stable codes, locations, messages and caret snippets for policy files. */
package io.vectorgate.dsl.diag;
