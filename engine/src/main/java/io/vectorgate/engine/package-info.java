/** The in-process decision engine: Rego → OPA Wasm bundles, evaluated with opa-java-wasm, fail closed. */
package io.vectorgate.engine;
