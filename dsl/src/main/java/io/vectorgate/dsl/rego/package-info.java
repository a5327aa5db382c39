/** Rego generation: a checked policy file becomes a {@code package vectorgate} contributor module. */
package io.vectorgate.dsl.rego;
