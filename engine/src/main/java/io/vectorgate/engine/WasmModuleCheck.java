package io.vectorgate.engine;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Global;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Static checks of an OPA Wasm module before anything instantiates it: a Wasm binary, OPA ABI 1.3
 * (the only one opa-java-wasm 1.0.4 runs), the exports the SDK calls, and only imports the SDK
 * links ({@code env.memory}, {@code env.opa_abort}, {@code env.opa_builtin0..4}).
 */
final class WasmModuleCheck {
  static final Set<String> LINKABLE_IMPORTS = Set.of("memory", "opa_abort", "opa_builtin0",
      "opa_builtin1", "opa_builtin2", "opa_builtin3", "opa_builtin4");
  static final List<String> REQUIRED_EXPORTS = List.of("eval", "builtins", "entrypoints",
      "opa_eval_ctx_new", "opa_eval_ctx_set_input", "opa_eval_ctx_set_data",
      "opa_eval_ctx_set_entrypoint", "opa_eval_ctx_get_result", "opa_malloc", "opa_free",
      "opa_json_parse", "opa_json_dump", "opa_heap_ptr_get", "opa_heap_ptr_set", "opa_value_free",
      "memory", "opa_wasm_abi_version", "opa_wasm_abi_minor_version");

  private WasmModuleCheck() {}

  /** Returns a problem description, or null when the module is usable. */
  static String problem(byte[] wasm) {
    if (wasm.length < 8 || wasm[0] != 0 || wasm[1] != 'a' || wasm[2] != 's' || wasm[3] != 'm') {
      return "policy.wasm is not a WebAssembly module (no \\0asm magic)";
    }
    WasmModule module;
    try {
      module = Parser.parse(wasm);
    } catch (ChicoryException e) {
      return "policy.wasm is not a valid WebAssembly module: " + e.getMessage();
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      // the parser asserts on some malformed code sections instead of throwing ChicoryException
      return "policy.wasm is not a valid WebAssembly module: " + e;
    }
    Map<String, Export> exports = new HashMap<>();
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      exports.put(e.name(), e);
    }
    Set<String> missing = new TreeSet<>();
    for (String name : REQUIRED_EXPORTS) {
      if (!exports.containsKey(name)) {
        missing.add(name);
      }
    }
    int importedGlobals = module.importSection().count(ExternalType.GLOBAL);
    Long major = globalConst(module, exports.get("opa_wasm_abi_version"), importedGlobals);
    Long minor = globalConst(module, exports.get("opa_wasm_abi_minor_version"), importedGlobals);
    if (major == null || minor == null) {
      return "policy.wasm is not an OPA policy module: it exports no OPA ABI version"
          + (missing.isEmpty() ? "" : " (missing exports " + missing + ")");
    }
    if (major != 1 || minor != 3) {
      return "policy.wasm uses OPA Wasm ABI " + major + "." + minor
          + "; the engine (opa-java-wasm 1.0.4) runs only ABI 1.3 (rebuild with a current `opa build -t wasm`)";
    }
    if (!missing.isEmpty()) {
      return "policy.wasm lacks OPA exports " + missing;
    }
    Set<String> unlinkable = new TreeSet<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (!"env".equals(imp.module()) || !LINKABLE_IMPORTS.contains(imp.name())) {
        unlinkable.add(imp.module() + "." + imp.name());
      }
    }
    if (!unlinkable.isEmpty()) {
      return "policy.wasm imports " + unlinkable + ", which the engine does not provide"
          + (unlinkable.contains("env.opa_println") ? " (built with print statements enabled?)" : "");
    }
    return null;
  }

  private static Long globalConst(WasmModule module, Export export, int importedGlobals) {
    if (export == null || export.exportType() != ExternalType.GLOBAL) {
      return null;
    }
    int idx = export.index() - importedGlobals;
    if (idx < 0 || idx >= module.globalSection().globalCount()) {
      return null;
    }
    Global g = module.globalSection().getGlobal(idx);
    List<Instruction> init = g.initInstructions();
    if (init.isEmpty() || init.get(0).opcode() != OpCode.I32_CONST) {
      return null;
    }
    return init.get(0).operand(0);
  }
}
