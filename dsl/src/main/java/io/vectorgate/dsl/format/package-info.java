/** The canonical printer of policy files ({@code vectorgate dsl fmt}). */
package io.vectorgate.dsl.format;
