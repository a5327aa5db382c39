package io.vectorgate.engine;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.styra.opa.wasm.OpaWasm;
import io.vectorgate.engine.builtins.HostBuiltins;
import java.io.ByteArrayInputStream;
import java.util.Map;

/**
 * Reads what an OPA Wasm module declares, from one interpreted instance (cheap, no JIT): its
 * entrypoints (name → id) and the host builtins it calls (name → id, the {@code builtins()} export).
 */
record WasmProbe(Map<String, Integer> entrypoints, Map<String, Integer> hostBuiltins) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Integer>> NAME_TO_ID = new TypeReference<>() {};

  static WasmProbe of(byte[] wasm, int initialPages, int maxPages) {
    OpaWasm w = OpaWasm.builder()
        .withInputStream(new ByteArrayInputStream(wasm))
        .withJsonMapper(JSON)
        .withYamlMapper(new YAMLMapper())
        .withMemory(new ByteBufferMemory(new MemoryLimits(initialPages, maxPages)))
        .withDefaultBuiltins(false)
        .addBuiltins(HostBuiltins.all())
        .disableCompiler()
        .build();
    try {
      return new WasmProbe(
          Map.copyOf(JSON.readValue(w.readString(w.exports().entrypoints()), NAME_TO_ID)),
          Map.copyOf(JSON.readValue(w.readString(w.exports().builtins()), NAME_TO_ID)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the module's entrypoints()/builtins() are not name→id JSON", e);
    }
  }
}
