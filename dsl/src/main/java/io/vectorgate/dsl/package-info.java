/** The Vectorgate policy language: {@link io.vectorgate.dsl.DslCompiler} parses, checks and compiles to Rego. */
package io.vectorgate.dsl;
