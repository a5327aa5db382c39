package io.vectorgate.engine.builtins;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.OpaPolicy;
import com.styra.opa.wasm.builtins.Json;
import com.styra.opa.wasm.builtins.Yaml;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The OPA builtins that are not native in OPA's Wasm and that the engine implements in Java.
 * The compiler's capabilities file lists exactly these plus the Wasm-native ones.
 *
 * <p>Wiring: opa-java-wasm lets its own provided builtins (including a {@code sprintf} built on
 * Java's String.format) replace custom ones of the same name, so a policy must be built with
 * {@link #configure(OpaPolicy.Builder)}, i.e. {@code withDefaultBuiltins(false).addBuiltins(all())};
 * {@link #all()} re-adds the SDK's {@code json.is_valid} and {@code yaml.*}.
 *
 * <p>{@code time.now_ns} is stable within one evaluation: the engine brackets each evaluation with
 * {@link #beginEvaluation()} (or {@link #beginEvaluation(long)}) and {@link #endEvaluation()} on the
 * evaluating thread. Outside such a bracket each call reads the clock.
 */
public final class HostBuiltins {
  private HostBuiltins() {}

  private static final ThreadLocal<long[]> EVALUATION_NOW = new ThreadLocal<>();
  private static final LongSupplier SYSTEM_CLOCK = () -> {
    Instant now = Instant.now();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
  };

  /** Closes the evaluation bracket opened by {@link #beginEvaluation}; for try-with-resources. */
  public interface Evaluation extends AutoCloseable {
    /** The time.now_ns value of this evaluation. */
    long nowNs();

    @Override
    void close();
  }

  /** Builtin implementations to register on every policy instance (system clock). */
  public static OpaBuiltin.Builtin[] all() {
    return all(SYSTEM_CLOCK);
  }

  /** Builtin implementations whose {@code time.now_ns} reads {@code clockNs} (Unix nanoseconds) outside an evaluation bracket. */
  public static OpaBuiltin.Builtin[] all(LongSupplier clockNs) {
    List<OpaBuiltin.Builtin> list = new ArrayList<>(javaBuiltins(clockNs));
    list.addAll(Arrays.asList(Json.all()));
    list.addAll(Arrays.asList(Yaml.all()));
    return list.toArray(new OpaBuiltin.Builtin[0]);
  }

  /** Configures a policy builder with these builtins, replacing the SDK's defaults (its sprintf differs from OPA's). */
  public static OpaPolicy.Builder configure(OpaPolicy.Builder builder) {
    return builder.withDefaultBuiltins(false).addBuiltins(all());
  }

  /** Names of the builtins {@link #all()} provides, e.g. {@code time.now_ns}. */
  public static List<String> names() {
    return Arrays.stream(all()).map(OpaBuiltin.Builtin::name).sorted().toList();
  }

  /** Starts an evaluation on this thread: {@code time.now_ns} returns {@code nowNs} until {@link #endEvaluation()}. */
  public static Evaluation beginEvaluation(long nowNs) {
    long[] cell = {nowNs};
    EVALUATION_NOW.set(cell);
    return new Evaluation() {
      @Override
      public long nowNs() {
        return cell[0];
      }

      @Override
      public void close() {
        endEvaluation();
      }
    };
  }

  /** Starts an evaluation on this thread at the current system time. */
  public static Evaluation beginEvaluation() {
    return beginEvaluation(SYSTEM_CLOCK.getAsLong());
  }

  /** Ends this thread's evaluation bracket. */
  public static void endEvaluation() {
    EVALUATION_NOW.remove();
  }

  /** A Java host builtin as a plain function over {@link RegoValue}s (for evaluators other than Wasm). */
  public interface Function {
    int arity();

    /** Runs the builtin; a bad argument or failure is a {@link BuiltinException}. */
    com.fasterxml.jackson.databind.JsonNode apply(RegoValue... args);
  }

  /**
   * The Java host builtins by name, without {@code time.now_ns} (an evaluator supplies its own
   * per-evaluation time) and without the SDK's JSON/YAML ones.
   */
  public static java.util.Map<String, Function> functions() {
    java.util.Map<String, Function> out = new java.util.TreeMap<>();
    for (HostBuiltin b : javaBuiltins(SYSTEM_CLOCK)) {
      if (b.name().equals("time.now_ns")) {
        continue;
      }
      out.put(b.name(), new Function() {
        @Override
        public int arity() {
          return b.arity();
        }

        @Override
        public com.fasterxml.jackson.databind.JsonNode apply(RegoValue... args) {
          return b.apply(args);
        }
      });
    }
    return out;
  }

  static List<HostBuiltin> javaBuiltins(LongSupplier clockNs) {
    List<HostBuiltin> list = new ArrayList<>();
    list.add(new HostBuiltin("time.now_ns", 0, a -> {
      long[] cell = EVALUATION_NOW.get();
      return JsonNodeFactory.instance.numberNode(cell != null ? cell[0] : clockNs.getAsLong());
    }));
    list.addAll(TimeBuiltins.all());
    list.addAll(StringBuiltins.all());
    list.addAll(JwtBuiltins.all());
    return list;
  }
}
