/** Parsing: the ANTLR grammar's lexer and parser, and the visitor that builds the AST with spans. */
package io.vectorgate.dsl.parse;
