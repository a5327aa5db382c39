package io.vectorgate.dsl;

import io.vectorgate.dsl.ast.PolicyFile;
import io.vectorgate.dsl.rego.RegoGenerator;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.EngineConfig;
import io.vectorgate.engine.PolicyCompiler;
import io.vectorgate.engine.PolicyEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test helper: compiles several DSL policies into ONE Wasm bundle with the engine's compiler, each
 * in its own package {@code vgdiff.pN} together with its own copy of the decision table, and
 * starts a {@link PolicyEngine} on it; entrypoint {@code vgdiff/pN/decision} is policy N's decision.
 */
final class WasmPolicies implements AutoCloseable {
  private static final PolicyCompiler COMPILER = PolicyCompiler.create();

  final PolicyEngine engine;
  final List<String> entrypoints;
  /** A temporary directory this helper created and deletes on close; null when the caller owns it. */
  private final Path ownedDir;

  private WasmPolicies(PolicyEngine engine, List<String> entrypoints, Path ownedDir) {
    this.engine = engine;
    this.entrypoints = entrypoints;
    this.ownedDir = ownedDir;
  }

  /** Builds the bundle from checked ASTs (with the file names their messages use). */
  static WasmPolicies build(List<PolicyFile> asts, List<String> fileNames) throws Exception {
    Path dir = Files.createTempDirectory("vg-dsl-wasm");
    String core = PolicyDirectory.coreRego();
    List<String> eps = new ArrayList<>();
    for (int i = 0; i < asts.size(); i++) {
      String pkg = "vgdiff.p" + i;
      Files.writeString(dir.resolve("p" + i + ".rego"), RegoGenerator.generate(asts.get(i), fileNames.get(i), pkg),
          StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("core" + i + ".rego"), core.replace("package vectorgate\n", "package " + pkg + "\n")
          .replace("data.vectorgate.", "data." + pkg + "."), StandardCharsets.UTF_8);
      eps.add("vgdiff/p" + i + "/decision");
    }
    WasmPolicies started = start(dir, eps);
    return new WasmPolicies(started.engine, eps, dir);
  }

  /** Builds the bundle from a directory of Rego (which stays) with the given entrypoints. */
  static WasmPolicies start(Path dir, List<String> eps) throws Exception {
    CompileResult result = COMPILER.compile(new PolicyCompiler.CompileRequest(List.of(dir), eps, null, null));
    if (!result.succeeded()) {
      throw new AssertionError("engine compiler rejected the generated Rego in " + dir + ": " + result.diagnostics());
    }
    EngineConfig config = EngineConfig.builder().engine(EngineConfig.Engine.WASM).poolSize(1).entrypoint(eps.get(0)).useCompiler(false)
        .evaluationTimeout(java.time.Duration.ofSeconds(5)).borrowTimeout(java.time.Duration.ofSeconds(5)).build();
    return new WasmPolicies(PolicyEngine.start(config, result.bundle().orElseThrow()), eps, null);
  }

  @Override
  public void close() throws IOException {
    engine.close();
    if (ownedDir == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(ownedDir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
