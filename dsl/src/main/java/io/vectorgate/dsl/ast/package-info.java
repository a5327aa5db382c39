/** The policy language's abstract syntax tree: immutable records carrying source spans. */
package io.vectorgate.dsl.ast;
