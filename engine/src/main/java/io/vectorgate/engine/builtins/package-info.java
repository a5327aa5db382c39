/** Java implementations of the OPA builtins that OPA's Wasm target leaves to the host (time, sprintf, JWT, hashes). */
package io.vectorgate.engine.builtins;
