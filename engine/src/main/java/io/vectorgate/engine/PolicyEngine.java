package io.vectorgate.engine;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.styra.opa.wasm.OpaAbortException;
import com.styra.opa.wasm.OpaPolicy;
import io.vectorgate.engine.builtins.HostBuiltins;
import io.vectorgate.engine.plan.Val;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import io.vectorgate.model.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process decision engine: a pool of opa-java-wasm instances of one active
 * {@link PolicyBundle}, each with its base data loaded once, evaluated by
 * {@link #decide(PolicyInput)} (typed) or {@link #evaluate(String, String)} (raw JSON).
 *
 * <p>It never throws for a bad policy, input or runtime fault: every failure is a deny with a
 * {@link ReasonCodes} code, counted in {@link EngineConfig#metrics()} and logged to
 * {@link EngineConfig#decisionLogger()}. {@link #activate(PolicyBundle)} swaps bundles atomically;
 * decisions already running finish on the bundle they started with; a bundle that fails to load or
 * fails its smoke evaluation never becomes active. Thread-safe.
 */
public final class PolicyEngine implements DecisionEngine, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyEngine.class);
  private static final ObjectMapper JSON = ContractJson.mapper();
  private static final ObjectWriter INPUT_WRITER = JSON.writer();

  /** One policy instance with its data loaded; used by one thread at a time. */
  private static final class Instance {
    final OpaPolicy policy;
    final EvaluationWatchdog.Slot slot;
    final Generation gen;
    String builtSmoke;
    boolean suspect;

    Instance(OpaPolicy policy, EvaluationWatchdog.Slot slot, Generation gen) {
      this.policy = policy;
      this.slot = slot;
      this.gen = gen;
    }
  }

  /** Everything that belongs to one activated bundle. */
  private static final class Generation {
    final PolicyBundle bundle;
    final String revision;
    final Map<String, Integer> entrypoints;
    final int defaultEntrypointId;
    final ArrayBlockingQueue<Instance> idle;
    final List<EvaluationWatchdog.Slot> slots = new CopyOnWriteArrayList<>();
    volatile String smokeResult;
    volatile boolean retired;
    /** The engine that decides for this bundle (the configured one, or Wasm after a plan fallback). */
    EngineConfig.Engine engine = EngineConfig.Engine.WASM;
    /** Why the plan engine could not take this bundle when it fell back to Wasm; else null. */
    String fallback;
    /** The plan engine's evaluator and entrypoints when {@link #engine} is PLAN. */
    io.vectorgate.engine.plan.PlanEvaluator plan;
    Map<String, io.vectorgate.engine.plan.Ir.Plan> planEntrypoints = Map.of();
    io.vectorgate.engine.plan.Ir.Plan planDefault;
    int warmupEvaluations;
    int warmupFailures;
    long warmupMillis;

    Generation(PolicyBundle bundle, Map<String, Integer> entrypoints, int defaultEntrypointId, int poolSize) {
      this.bundle = bundle;
      this.revision = bundle.revision();
      this.entrypoints = Map.copyOf(entrypoints);
      this.defaultEntrypointId = defaultEntrypointId;
      this.idle = new ArrayBlockingQueue<>(poolSize);
    }
  }

  /**
   * One warm-up input: its JSON, and the typed input when it is a {@code vectorgate/v1} input (then
   * warm-up takes the same steps as {@link #decide}: serialize, guard, evaluate, map the result).
   */
  private record WarmInput(String json, PolicyInput typed) {}

  /** What the warm-up of one instance did. */
  private record WarmupResult(Instance instance, int evaluations, int failed) {}

  /** Result of one guarded evaluation: a result set, or a fail-closed code. */
  private record Raw(String resultSet, String code, String message, long evalNanos) {
    static Raw fail(String code, String message) {
      return new Raw(null, code, message, 0);
    }

    boolean failed() {
      return code != null;
    }
  }

  private final EngineConfig config;
  private final AtomicReference<Generation> active = new AtomicReference<>();
  private final EvaluationWatchdog watchdog;
  private final ScheduledExecutorService maintenance;
  private final Object activationLock = new Object();
  private final long timeoutNanos;
  private final long borrowNanos;
  /** Warm-up inputs (smoke first), prepared once; empty when warm-up is off. */
  private final List<WarmInput> warmInputs;
  private volatile boolean closed;

  public PolicyEngine(EngineConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.timeoutNanos = config.evaluationTimeout().toNanos();
    this.borrowNanos = config.borrowTimeout().toNanos();
    this.watchdog = new EvaluationWatchdog(timeoutNanos);
    this.warmInputs = warmInputs(config);
    this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vectorgate-engine-maintenance");
      t.setDaemon(true);
      return t;
    });
  }

  /** An engine with {@code bundle} already active. */
  public static PolicyEngine start(EngineConfig config, PolicyBundle bundle) throws PolicyActivationException {
    PolicyEngine engine = new PolicyEngine(config);
    try {
      engine.activate(bundle);
      return engine;
    } catch (PolicyActivationException | RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  public EngineConfig config() {
    return config;
  }

  /** The active bundle's revision, if a bundle is active. */
  public Optional<String> activeRevision() {
    Generation g = active.get();
    return g == null ? Optional.empty() : Optional.of(g.revision);
  }

  public Optional<PolicyBundle> activeBundle() {
    Generation g = active.get();
    return g == null ? Optional.empty() : Optional.of(g.bundle);
  }

  /** Entrypoints the active module exports, by name (empty when none is active). */
  public Set<String> entrypoints() {
    Generation g = active.get();
    return g == null ? Set.of() : new TreeSet<>(g.entrypoints.keySet());
  }

  /**
   * The engine deciding for the active bundle: the configured one, or {@link EngineConfig.Engine#WASM}
   * with the reason when the plan engine could not take the bundle and fell back
   * ({@link EngineConfig#planFallback()}); empty when no bundle is active.
   */
  public Optional<EngineInUse> activeEngine() {
    Generation g = active.get();
    return g == null ? Optional.empty() : Optional.of(new EngineInUse(g.revision, g.engine, g.fallback));
  }

  // ---------------------------------------------------------------- activation

  /**
   * Builds {@link EngineConfig#poolSize()} instances of {@code bundle} (in parallel), loads its data
   * into each once, resolves the entrypoints, runs the smoke input on every instance, and only then
   * makes it the active bundle. On any failure the previously active bundle stays and this throws.
   */
  public ActivationReport activate(PolicyBundle bundle) throws PolicyActivationException {
    Objects.requireNonNull(bundle, "bundle");
    synchronized (activationLock) {
      if (closed) {
        throw new PolicyActivationException("engine is closed");
      }
      long t0 = System.nanoTime();
      try {
        Generation g = prepare(bundle);
        Generation old = active.getAndSet(g);
        if (old != null) {
          retire(old);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        config.metrics().activation(true, bundle.revision());
        LOG.info("policy activated revision={} previous={} engine={} plan_fallback={} instances={} build_ms={} warmup_ms={}"
            + " entrypoint={}", g.revision, old == null ? null : old.revision, g.engine.wireName(), g.fallback != null,
            g.idle.size(), ms, g.warmupMillis, config.entrypoint());
        return new ActivationReport(g.revision, old == null ? null : old.revision, g.idle.size(),
            g.entrypoints, ms, g.warmupEvaluations, g.warmupFailures, g.warmupMillis,
            new EngineInUse(g.revision, g.engine, g.fallback));
      } catch (PolicyActivationException e) {
        config.metrics().activation(false, bundle.revision());
        LOG.warn("policy activation failed revision={} kept={} error={}", bundle.revision(),
            activeRevision().orElse(null), e.getMessage());
        throw e;
      }
    }
  }

  private Generation prepare(PolicyBundle bundle) throws PolicyActivationException {
    if (config.engine() != EngineConfig.Engine.PLAN) {
      return prepareWasm(bundle);
    }
    PlanPart part;
    try {
      part = preparePlan(bundle);
    } catch (PlanUnavailable e) {
      if (!config.planFallback()) {
        throw new PolicyActivationException("bundle revision `" + bundle.revision() + "` cannot run on the plan"
            + " engine: " + e.getMessage() + ". The plan engine was chosen explicitly (`engine: plan`,"
            + " -Dvectorgate.engine or VECTORGATE_ENGINE), so the bundle is refused rather than served by the"
            + " Wasm engine; choose `engine: wasm`, or leave the engine unset to let such a bundle fall back to"
            + " Wasm", e);
      }
      Generation g;
      try {
        g = prepareWasm(bundle);
      } catch (PolicyActivationException wasm) {
        throw new PolicyActivationException("bundle revision `" + bundle.revision() + "` runs on neither engine: the"
            + " plan engine cannot take it (" + e.getMessage() + "), and the Wasm engine refused it: "
            + wasm.getMessage(), wasm);
      }
      g.fallback = e.getMessage();
      warnFallback(bundle, e);
      return g;
    }
    Generation g;
    if (config.shadowRate() == 0) {
      Map<String, Integer> ids = new java.util.TreeMap<>();
      for (int i = 0; i < part.evaluator().policy().plans().size(); i++) {
        ids.put(part.evaluator().policy().plans().get(i).name(), i);
      }
      g = new Generation(bundle, ids, ids.get(config.entrypoint()), 1);
    } else {
      g = prepareWasm(bundle); // the oracle of shadow mode
      Val wasmSmoke = resultValue(g.smokeResult);
      if (!java.util.Objects.equals(wasmSmoke, part.smoke())) {
        watchdog.removeAll(g.slots);
        throw new PolicyActivationException("bundle revision `" + bundle.revision() + "`: the plan and Wasm"
            + " engines disagree on the smoke input (plan " + part.smoke() + ", wasm " + wasmSmoke + ")");
      }
    }
    g.engine = EngineConfig.Engine.PLAN;
    g.plan = part.evaluator();
    Map<String, io.vectorgate.engine.plan.Ir.Plan> eps = new java.util.HashMap<>();
    part.evaluator().policy().plans().forEach(p -> eps.put(p.name(), p));
    g.planEntrypoints = Map.copyOf(eps);
    g.planDefault = eps.get(config.entrypoint());
    return g;
  }

  /**
   * The plan engine cannot take a bundle at all (no plan, a plan it cannot read or link, data it
   * cannot convert), as opposed to a bundle whose plan loads but fails its smoke evaluation. Only
   * this is served by the Wasm engine under {@link EngineConfig#planFallback()}.
   */
  private static final class PlanUnavailable extends Exception {
    final List<Diagnostic> diagnostics;

    PlanUnavailable(String message, List<Diagnostic> diagnostics, Throwable cause) {
      super(message, cause);
      this.diagnostics = List.copyOf(diagnostics);
    }
  }

  private static final java.util.regex.Pattern BUILTIN_NAME = java.util.regex.Pattern.compile("builtin `([^`]+)`");
  /** Revisions whose fallback was already logged at WARN in this process (rollout checks activate a bundle several times). */
  private static final Set<String> FALLBACKS_WARNED = java.util.Collections.newSetFromMap(
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > 256;
        }
      }));

  /** One structured WARN per revision and reason: which engine serves it, and the builtins and places the plan build named. */
  private static void warnFallback(PolicyBundle bundle, PlanUnavailable e) {
    Set<String> builtins = new TreeSet<>();
    List<String> locations = new ArrayList<>();
    for (Diagnostic d : e.diagnostics) {
      java.util.regex.Matcher m = BUILTIN_NAME.matcher(d.message());
      if (m.find()) {
        builtins.add(m.group(1));
      }
      if (d.file() != null) {
        locations.add(d.line() > 0 ? d.file() + ":" + d.line() : d.file());
      }
    }
    boolean first = FALLBACKS_WARNED.add(bundle.revision() + "\n" + e.getMessage());
    String format = "event=engine_fallback revision={} configured=plan engine=wasm builtins={} locations={} reason=\"{}\"";
    Object[] args = {bundle.revision(), builtins, locations, e.getMessage()};
    if (first) {
      LOG.warn(format, args);
    } else {
      LOG.debug(format, args);
    }
  }

  private record PlanPart(io.vectorgate.engine.plan.PlanEvaluator evaluator, Val smoke) {}

  /** Reads, links and smoke-tests the bundle's plan IR; data is converted once here, per bundle. */
  private PlanPart preparePlan(PolicyBundle bundle) throws PolicyActivationException, PlanUnavailable {
    String rev = "bundle revision `" + bundle.revision() + "`";
    if (bundle.plan().isEmpty()) {
      List<Diagnostic> why = bundle.planDiagnostics();
      throw new PlanUnavailable(why.isEmpty()
          ? "it carries no plan (plan.json): it was built for Wasm only (e.g. `opa build -t wasm`); PolicyCompiler"
              + " builds the plan beside the Wasm module"
          : "`opa build -t plan` refused the policy: " + why.stream().map(Diagnostic::toString)
              .collect(java.util.stream.Collectors.joining("; ")), why, null);
    }
    byte[] planJson = bundle.plan().orElseThrow();
    io.vectorgate.engine.plan.PlanEvaluator ev;
    try {
      io.vectorgate.engine.plan.Ir.Policy policy =
          new io.vectorgate.engine.plan.IrReader(io.vectorgate.engine.plan.Builtins.standard()).read(planJson);
      Val data = io.vectorgate.engine.plan.PlanBundle.readData(
          bundle.dataJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ev = new io.vectorgate.engine.plan.PlanEvaluator(policy, data, config.planMemoEntries() == 0 ? null
          : new io.vectorgate.engine.plan.Memo(policy, config.planMemoEntries()));
    } catch (RuntimeException | StackOverflowError e) {
      throw new PlanUnavailable("its plan or data cannot be loaded by the plan engine: " + e.getMessage(), List.of(), e);
    }
    io.vectorgate.engine.plan.Ir.Plan entry = ev.policy().plan(config.entrypoint());
    if (entry == null) {
      throw new PolicyActivationException(rev + " has no entrypoint `" + config.entrypoint() + "` in its plan; it has "
          + ev.policy().plans().stream().map(io.vectorgate.engine.plan.Ir.Plan::name).toList());
    }
    Val smoke;
    try {
      JsonNode smokeInput = JSON.readTree(config.smokeInputJson());
      smoke = ev.evaluateValue(entry, Val.fromJson(smokeInput), smokeInput.path("context").path("time_ns").asLong(0),
          System.nanoTime() + timeoutNanos);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new PolicyActivationException(rev + " failed its smoke evaluation on the plan engine: " + e.getMessage(), e);
    }
    if (smoke == null) {
      throw new PolicyActivationException(rev + " failed its smoke evaluation: `" + config.entrypoint()
          + "` is undefined for the smoke input");
    }
    return new PlanPart(ev, smoke);
  }

  /** The {@code result} of a Wasm result set as a plan value; null when undefined or unreadable. */
  private static Val resultValue(String resultSet) {
    try {
      JsonNode rs = JSON.readTree(resultSet);
      return rs != null && rs.isArray() && rs.size() == 1 && rs.get(0).has("result")
          ? Val.fromJson(rs.get(0).get("result")) : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private Generation prepareWasm(PolicyBundle bundle) throws PolicyActivationException {
    String rev = "revision `" + bundle.revision() + "`";
    Map<String, Integer> entrypoints;
    Map<String, Integer> required;
    try {
      WasmProbe probe = WasmProbe.of(bundle.wasmBytes(), config.initialMemoryPages(), config.maxMemoryPages());
      entrypoints = probe.entrypoints();
      required = probe.hostBuiltins();
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw new PolicyActivationException("bundle " + rev + " cannot be instantiated: " + e.getMessage(), e);
    }
    Set<String> missing = new TreeSet<>(required.keySet());
    missing.removeAll(HostBuiltins.names());
    if (!missing.isEmpty()) {
      throw new PolicyActivationException("bundle " + rev + " calls builtins " + missing
          + " that the engine does not implement (compile with PolicyCompiler, whose capabilities list what is supported)");
    }
    Integer defaultId = entrypoints.get(config.entrypoint());
    if (defaultId == null) {
      throw new PolicyActivationException("bundle " + rev + " has no entrypoint `" + config.entrypoint()
          + "`; it exports " + new TreeSet<>(entrypoints.keySet()));
    }
    Generation g = new Generation(bundle, entrypoints, defaultId, config.poolSize());
    int threads = Math.max(1, Math.min(config.poolSize(), Runtime.getRuntime().availableProcessors()));
    ExecutorService builders = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "vectorgate-engine-build");
      t.setDaemon(true);
      return t;
    });
    List<Instance> built = new ArrayList<>();
    try {
      List<Future<Instance>> futures = new ArrayList<>();
      for (int i = 0; i < config.poolSize(); i++) {
        futures.add(builders.submit(() -> buildInstance(g)));
      }
      PolicyActivationException failure = null;
      for (Future<Instance> f : futures) {
        try {
          built.add(f.get());
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (failure == null) {
            failure = cause instanceof PolicyActivationException pae ? pae
                : new PolicyActivationException("bundle " + rev + " cannot be loaded: " + cause, cause);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      g.smokeResult = built.get(0).builtSmoke;
      for (Instance inst : built) {
        if (!inst.builtSmoke.equals(g.smokeResult)) {
          LOG.warn("smoke results differ between instances of one bundle revision={}", g.revision);
        }
      }
      built = warmUp(g, built, builders);
      built.forEach(g.idle::add);
      return g;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PolicyActivationException("interrupted while activating bundle " + rev, e);
    } catch (PolicyActivationException e) {
      watchdog.removeAll(g.slots);
      throw e;
    } finally {
      builders.shutdownNow();
    }
  }

  private Instance buildInstance(Generation g) throws PolicyActivationException {
    String rev = "revision `" + g.revision + "`";
    OpaPolicy policy;
    try {
      OpaPolicy.Builder b = OpaPolicy.builder()
          .withPolicy(g.bundle.wasmBytes())
          .withDefaultBuiltins(false)
          .addBuiltins(HostBuiltins.all())
          .withInitialMemory(config.initialMemoryPages())
          .withMaxMemory(config.maxMemoryPages());
      if (!config.useCompiler()) {
        b.disableCompiler();
      }
      policy = b.build();
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      throw new PolicyActivationException("bundle " + rev + " cannot be instantiated: " + e.getMessage(), e);
    }
    try {
      policy.data(g.bundle.dataJson());
    } catch (RuntimeException e) {
      throw new PolicyActivationException("bundle " + rev + " data cannot be loaded into the guest (max "
          + config.maxMemoryPages() + " pages of 64 KiB): " + e.getMessage(), e);
    }
    policy.entrypoint(g.defaultEntrypointId);
    EvaluationWatchdog.Slot slot = watchdog.newSlot();
    g.slots.add(slot);
    Instance inst = new Instance(policy, slot, g);
    Raw smoke = runGuarded(inst, g.defaultEntrypointId, config.smokeInputJson());
    if (smoke.failed()) {
      throw new PolicyActivationException("bundle " + rev + " failed its smoke evaluation on `"
          + config.entrypoint() + "`: " + smoke.code() + ": " + smoke.message());
    }
    if (smoke.resultSet().strip().equals("[]")) {
      throw new PolicyActivationException("bundle " + rev + " failed its smoke evaluation: `"
          + config.entrypoint() + "` is undefined for the smoke input");
    }
    inst.builtSmoke = smoke.resultSet();
    return inst;
  }

  // ---------------------------------------------------------------- warm-up

  private static List<WarmInput> warmInputs(EngineConfig config) {
    if (!config.warmupEnabled()) {
      return List.of();
    }
    List<WarmInput> out = new ArrayList<>();
    List<String> jsons = new ArrayList<>();
    jsons.add(config.smokeInputJson());
    jsons.addAll(config.warmupInputs());
    for (String json : jsons) {
      PolicyInput typed = null;
      try {
        typed = JSON.readValue(json, PolicyInput.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        // not a vectorgate/v1 input (a custom entrypoint's): warm the raw evaluation only
        LOG.debug("warm-up input is not a vectorgate/v1 input; evaluating it raw error={}", e.getMessage());
      }
      out.add(new WarmInput(json, typed));
    }
    return List.copyOf(out);
  }

  /**
   * Runs every new instance through the warm-up inputs (in parallel, on the activation's build
   * threads) until each has done {@link EngineConfig#warmupIterations()} evaluations or
   * {@link EngineConfig#warmupBudget()} has passed. Nothing is counted or logged as a decision. An
   * instance that a warm-up input breaks fails the activation unless it still passes its smoke
   * check.
   */
  private List<Instance> warmUp(Generation g, List<Instance> instances, ExecutorService exec)
      throws InterruptedException, PolicyActivationException {
    if (warmInputs.isEmpty() || instances.isEmpty()) {
      return instances;
    }
    long t0 = System.nanoTime();
    long deadline = t0 + config.warmupBudget().toNanos();
    List<Future<WarmupResult>> futures = new ArrayList<>();
    for (Instance inst : instances) {
      futures.add(exec.submit(() -> warmInstance(inst, deadline)));
    }
    int evaluations = 0;
    int failed = 0;
    PolicyActivationException failure = null;
    List<Instance> warmed = new ArrayList<>();
    for (Future<WarmupResult> f : futures) {
      try {
        WarmupResult r = f.get();
        warmed.add(r.instance());
        evaluations += r.evaluations();
        failed += r.failed();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (failure == null) {
          failure = cause instanceof PolicyActivationException pae ? pae
              : new PolicyActivationException("bundle revision `" + g.revision + "` failed during warm-up: " + cause, cause);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    g.warmupEvaluations = evaluations;
    g.warmupFailures = failed;
    g.warmupMillis = ms;
    LOG.info("event=policy_warmed revision={} instances={} evaluations={} failed_evaluations={} warmup_ms={} complete={}",
        g.revision, instances.size(), evaluations, failed, ms,
        evaluations >= (long) config.warmupIterations() * instances.size());
    return warmed;
  }

  /**
   * Warms one instance that is not yet in the pool (only the calling thread uses it). An instance
   * that fails its smoke check after a failing warm-up input is replaced by a fresh one (built and
   * smoke-checked as usual), which the rest of the warm-up continues on.
   */
  private WarmupResult warmInstance(Instance first, long deadlineNanos) throws PolicyActivationException {
    Instance inst = first;
    Generation g = inst.gen;
    List<WarmInput> inputs = warmInputs;
    boolean[] skip = new boolean[inputs.size()];
    int live = inputs.size();
    int n = 0;
    int failed = 0;
    for (int i = 0; n < config.warmupIterations() && live > 0 && System.nanoTime() - deadlineNanos < 0; i++) {
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
      int k = i % inputs.size();
      if (skip[k]) {
        continue;
      }
      WarmInput w = inputs.get(k);
      n++;
      Raw raw;
      if (w.typed() != null) {
        String json;
        try {
          json = INPUT_WRITER.writeValueAsString(w.typed());
        } catch (JsonProcessingException e) {
          throw new PolicyActivationException("warm-up input #" + k + " cannot be serialized: " + e.getOriginalMessage(), e);
        }
        InputGuard.Problem p = InputGuard.checkSerialized(json, config.maxInputBytes(), config.maxInputDepth());
        raw = p != null ? Raw.fail(p.code(), p.message()) : runGuarded(inst, g.defaultEntrypointId, json, w.typed().context().timeNs());
      } else {
        raw = runGuarded(inst, g.defaultEntrypointId, w.json(), 0);
      }
      if (raw.failed()) {
        failed++;
        skip[k] = true;
        live--;
        LOG.warn("event=warmup_input_failed revision={} input={} code={} message={}", g.revision, k, raw.code(), raw.message());
        if (inst.suspect) {
          inst.suspect = false;
          Raw check = runGuarded(inst, g.defaultEntrypointId, config.smokeInputJson());
          if (check.failed() || inst.suspect || !Objects.equals(check.resultSet(), inst.builtSmoke)) {
            LOG.warn("event=warmup_instance_replaced revision={} input={} code={}", g.revision, k, raw.code());
            watchdog.remove(inst.slot);
            g.slots.remove(inst.slot);
            inst = buildInstance(g);
          }
        }
      } else if (w.typed() != null) {
        toDecision(raw.resultSet()); // the result mapping is on the decision path too
      }
    }
    return new WarmupResult(inst, n, failed);
  }

  private void retire(Generation old) {
    old.retired = true;
    // stragglers may still borrow for up to borrowTimeout and then run for up to evaluationTimeout
    long graceMs = TimeUnit.NANOSECONDS.toMillis(borrowNanos + timeoutNanos) + 1000;
    try {
      maintenance.schedule(() -> watchdog.removeAll(old.slots), graceMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      watchdog.removeAll(old.slots);
    }
  }

  // ---------------------------------------------------------------- deciding

  /** Decides one request. Never throws: every failure is a deny with a reason code. */
  @Override
  public Decision decide(PolicyInput input) {
    long t0 = System.nanoTime();
    Instant ts = Instant.now();
    String id = newDecisionId();
    Generation g = active.get();
    String revision = g == null ? "" : g.revision;
    String json = null;
    Raw raw;
    Decision decision;
    try {
      if (g == null || closed) {
        raw = Raw.fail(ReasonCodes.NO_POLICY, "no policy is active");
      } else if (input == null) {
        raw = Raw.fail(ReasonCodes.INPUT_INVALID, "input is missing");
      } else if (g.plan != null) {
        return decidePlan(g, input, t0, ts, id);
      } else {
        raw = null;
        try {
          json = INPUT_WRITER.writeValueAsString(input);
        } catch (JsonProcessingException | RuntimeException e) {
          raw = Raw.fail(ReasonCodes.INPUT_INVALID, "input cannot be serialized: " + e.getMessage());
        }
        if (raw == null) {
          InputGuard.Problem p = InputGuard.checkSerialized(json, config.maxInputBytes(), config.maxInputDepth());
          if (p != null) {
            raw = Raw.fail(p.code(), p.message());
            json = null; // a refused input is not logged (it may be huge or hostile)
          } else {
            raw = evaluateOn(g, g.defaultEntrypointId, json, input.context().timeNs());
          }
        }
      }
      decision = raw.failed() ? Decision.deny(raw.code(), raw.message()) : toDecision(raw.resultSet());
    } catch (RuntimeException e) {
      LOG.error("decision failed unexpectedly decision_id={} revision={}", id, revision, e);
      raw = Raw.fail(ReasonCodes.ENGINE_ERROR, "unexpected engine failure: " + e);
      decision = Decision.deny(raw.code(), raw.message());
    }
    decision = decision.withIdentity(id, revision);
    String failCode = raw.failed() ? raw.code() : failClosedCode(decision);
    long total = System.nanoTime() - t0;
    config.metrics().decision(decision.allow(), failCode, total);
    logDecision(new DecisionLogEntry(id, ts, revision, config.entrypoint(), json, decision, failCode,
        failCode == null ? null : decision.reasons().get(0).message(), raw.evalNanos(), total));
    return decision;
  }

  /**
   * The plan engine's decision: the typed input becomes a plan value directly ({@link TypedInput}: no
   * JSON text, no Jackson tree), the plan is evaluated, the result value maps to the Decision. Bookkeeping as {@link #decide}; a
   * sampled share is also evaluated on the Wasm engine (shadow mode) and compared.
   */
  private Decision decidePlan(Generation g, PolicyInput input, long t0, Instant ts, String id) {
    String code = null;
    String message = null;
    long evalNanos = 0;
    Decision decision;
    Val result = null;
    boolean accepted = false;
    try {
      Val in = null;
      InputGuard.Problem p;
      try {
        // converted and checked against the input limits in one walk
        in = TypedInput.checked(input, config.maxInputBytes(), config.maxInputDepth());
        p = null;
      } catch (TypedInput.Refused e) {
        p = e.problem;
      }
      if (p != null) {
        code = p.code();
        message = p.message(); // a refused input is not logged
      } else {
        accepted = true;
        long e0 = System.nanoTime();
        try {
          result = g.plan.evaluateValue(g.planDefault, in, input.context().timeNs(), e0 + timeoutNanos);
        } catch (io.vectorgate.engine.plan.PlanEvaluator.EvalError e) {
          code = e.code().equals("eval_timeout") ? ReasonCodes.ENGINE_TIMEOUT : ReasonCodes.ENGINE_ERROR;
          message = e.code().equals("eval_timeout") ? "evaluation exceeded " + config.evaluationTimeout().toMillis()
              + " ms" : "evaluation failed: " + e.getMessage();
        } catch (io.vectorgate.engine.plan.PlanException | StackOverflowError e) {
          code = ReasonCodes.ENGINE_ERROR;
          message = "evaluation failed: " + e;
        }
        evalNanos = System.nanoTime() - e0;
      }
      if (code != null) {
        decision = Decision.deny(code, message);
      } else if (result == null) {
        decision = Decision.deny(ReasonCodes.POLICY_UNDEFINED, "the policy decision is undefined for this input");
      } else {
        Decision plain = PlanDecisions.of(result);
        decision = plain != null ? plain : decisionOfText(result);
      }
      if (config.shadowRate() > 0 && code == null && ThreadLocalRandom.current().nextDouble() < config.shadowRate()) {
        shadow(g, id, input, result);
      }
    } catch (RuntimeException e) {
      LOG.error("decision failed unexpectedly decision_id={} revision={}", id, g.revision, e);
      code = ReasonCodes.ENGINE_ERROR;
      decision = Decision.deny(code, "unexpected engine failure: " + e);
    }
    decision = decision.withIdentity(id, g.revision);
    String failCode = code != null ? code : failClosedCode(decision);
    long total = System.nanoTime() - t0;
    config.metrics().decision(decision.allow(), failCode, total);
    if (config.decisionLogger() != DecisionLogger.NONE) {
      String json = null;
      try {
        json = accepted ? INPUT_WRITER.writeValueAsString(input) : null;
      } catch (JsonProcessingException e) {
        LOG.warn("decision log input not serializable decision_id={} error={}", id, e.getMessage());
      }
      logDecision(new DecisionLogEntry(id, ts, g.revision, config.entrypoint(), json, decision, failCode,
          failCode == null ? null : decision.reasons().get(0).message(), evalNanos, total));
    }
    return decision;
  }

  /** Shadow mode: the same input on the Wasm engine; a different result is counted and logged. */
  private void shadow(Generation g, String id, PolicyInput input, Val planResult) {
    String json;
    try {
      json = INPUT_WRITER.writeValueAsString(input);
    } catch (JsonProcessingException e) {
      LOG.warn("shadow evaluation skipped: input not serializable decision_id={}", id);
      return;
    }
    Raw raw = evaluateOn(g, g.defaultEntrypointId, json, input.context().timeNs());
    Val wasmResult = raw.failed() ? null : resultValue(raw.resultSet());
    if (raw.failed() || !java.util.Objects.equals(wasmResult, planResult)) {
      config.metrics().shadowDisagreement(g.revision);
      LOG.warn("event=engine_shadow_disagreement decision_id={} revision={} plan={} wasm={}", id, g.revision,
          planResult, raw.failed() ? raw.code() + ": " + raw.message() : wasmResult);
    }
  }

  /** Evaluates raw JSON on the configured entrypoint; see {@link #evaluate(String, String)}. */
  public Evaluation evaluate(String inputJson) {
    return evaluate(config.entrypoint(), inputJson);
  }

  /**
   * Evaluates {@code inputJson} on {@code entrypoint} (one the active module exports) and returns
   * the raw value. The JSON is checked first (size, well-formedness, duplicate keys, depth). Never
   * throws.
   */
  public Evaluation evaluate(String entrypoint, String inputJson) {
    long t0 = System.nanoTime();
    Instant ts = Instant.now();
    String id = newDecisionId();
    Generation g = active.get();
    String revision = g == null ? "" : g.revision;
    String logged = null;
    Evaluation ev = null;
    try {
      Raw raw;
      Integer ep = g == null ? null : g.entrypoints.get(entrypoint);
      if (g == null || closed) {
        raw = Raw.fail(ReasonCodes.NO_POLICY, "no policy is active");
      } else if (ep == null) {
        raw = Raw.fail(ReasonCodes.UNKNOWN_ENTRYPOINT, "entrypoint `" + entrypoint
            + "` is not exported by revision `" + revision + "`; it exports " + new TreeSet<>(g.entrypoints.keySet()));
      } else {
        InputGuard.Problem p = InputGuard.checkRaw(inputJson, config.maxInputBytes(), config.maxInputDepth());
        if (p != null) {
          raw = Raw.fail(p.code(), p.message());
        } else {
          logged = inputJson;
          if (g.plan != null) {
            raw = null;
            ev = evaluatePlan(g, id, entrypoint, inputJson, t0);
          } else {
            raw = evaluateOn(g, ep, inputJson, 0);
            ev = null;
          }
        }
      }
      if (ev == null) {
        ev = toEvaluation(id, revision, entrypoint, raw, System.nanoTime() - t0);
      }
    } catch (RuntimeException e) {
      LOG.error("evaluation failed unexpectedly decision_id={} revision={}", id, revision, e);
      ev = new Evaluation(id, revision, entrypoint, Evaluation.Status.FAILED, null, ReasonCodes.ENGINE_ERROR,
          "unexpected engine failure: " + e, 0, System.nanoTime() - t0);
    }
    String failCode = ev.status() == Evaluation.Status.DEFINED ? null : ev.reasonCode();
    config.metrics().decision(allows(ev.result()), failCode, ev.totalNanos());
    logDecision(new DecisionLogEntry(id, ts, revision, entrypoint, logged, ev.result(), failCode,
        failCode == null ? null : ev.message(), ev.evalNanos(), ev.totalNanos()));
    return ev;
  }

  /** The raw evaluation on the plan engine ({@code time.now_ns} is the clock at its start). */
  private Evaluation evaluatePlan(Generation g, String id, String entrypoint, String inputJson, long t0) {
    io.vectorgate.engine.plan.Ir.Plan p = g.planEntrypoints.get(entrypoint);
    long e0 = System.nanoTime();
    if (p == null) {
      return new Evaluation(id, g.revision, entrypoint, Evaluation.Status.FAILED, null, ReasonCodes.UNKNOWN_ENTRYPOINT,
          "entrypoint `" + entrypoint + "` is not planned in revision `" + g.revision + "`; it has "
          + new TreeSet<>(g.planEntrypoints.keySet()), 0, System.nanoTime() - t0);
    }
    Val v;
    try {
      Instant now = Instant.now();
      long nowNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
      v = g.plan.evaluateValue(p, Val.fromJson(JSON.readTree(inputJson)), nowNs, e0 + timeoutNanos);
    } catch (io.vectorgate.engine.plan.PlanEvaluator.EvalError e) {
      boolean timeout = e.code().equals("eval_timeout");
      return new Evaluation(id, g.revision, entrypoint, Evaluation.Status.FAILED, null,
          timeout ? ReasonCodes.ENGINE_TIMEOUT : ReasonCodes.ENGINE_ERROR, e.getMessage(), System.nanoTime() - e0,
          System.nanoTime() - t0);
    } catch (JsonProcessingException | io.vectorgate.engine.plan.PlanException | StackOverflowError e) {
      return new Evaluation(id, g.revision, entrypoint, Evaluation.Status.FAILED, null, ReasonCodes.ENGINE_ERROR,
          "evaluation failed: " + e, System.nanoTime() - e0, System.nanoTime() - t0);
    }
    long evalNanos = System.nanoTime() - e0;
    if (v == null) {
      return new Evaluation(id, g.revision, entrypoint, Evaluation.Status.UNDEFINED, null,
          ReasonCodes.POLICY_UNDEFINED, "`" + entrypoint + "` is undefined for this input", evalNanos, System.nanoTime() - t0);
    }
    // the value's JSON text read back, as the Wasm engine reads its result: the same node types (a
    // small integer is an IntNode, not the LongNode of the value's own tree), so raw results compare
    // equal across engines and with `opa eval`
    JsonNode result;
    try {
      result = JSON.readTree(v.toString());
    } catch (JsonProcessingException e) {
      return new Evaluation(id, g.revision, entrypoint, Evaluation.Status.FAILED, null, ReasonCodes.RESULT_INVALID,
          "the policy result is not JSON: " + e.getOriginalMessage(), evalNanos, System.nanoTime() - t0);
    }
    return new Evaluation(id, g.revision, entrypoint, Evaluation.Status.DEFINED, result, null, null, evalNanos,
        System.nanoTime() - t0);
  }

  private Evaluation toEvaluation(String id, String revision, String entrypoint, Raw raw, long total) {
    if (raw.failed()) {
      return new Evaluation(id, revision, entrypoint, Evaluation.Status.FAILED, null, raw.code(),
          raw.message(), raw.evalNanos(), total);
    }
    JsonNode rs;
    try {
      rs = JSON.readTree(raw.resultSet());
    } catch (JsonProcessingException e) {
      return new Evaluation(id, revision, entrypoint, Evaluation.Status.FAILED, null,
          ReasonCodes.RESULT_INVALID, "result set is not JSON: " + e.getOriginalMessage(), raw.evalNanos(), total);
    }
    if (rs.isArray() && rs.isEmpty()) {
      return new Evaluation(id, revision, entrypoint, Evaluation.Status.UNDEFINED, null,
          ReasonCodes.POLICY_UNDEFINED, "`" + entrypoint + "` is undefined for this input", raw.evalNanos(), total);
    }
    if (!rs.isArray() || rs.size() != 1 || !rs.get(0).has("result")) {
      return new Evaluation(id, revision, entrypoint, Evaluation.Status.FAILED, null,
          ReasonCodes.RESULT_INVALID, "unexpected result set shape from the guest", raw.evalNanos(), total);
    }
    return new Evaluation(id, revision, entrypoint, Evaluation.Status.DEFINED, rs.get(0).get("result"),
        null, null, raw.evalNanos(), total);
  }

  private static boolean allows(JsonNode result) {
    if (result == null) {
      return false;
    }
    return result.isBoolean() ? result.booleanValue() : result.path("allow").asBoolean(false);
  }

  /** Maps a result set to a Decision; a malformed result is a deny with a reason. */
  static Decision toDecision(String resultSet) {
    JsonNode rs;
    try {
      rs = JSON.readTree(resultSet);
    } catch (JsonProcessingException e) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "result set is not JSON: " + e.getOriginalMessage());
    }
    if (rs == null || !rs.isArray()) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "result set is not an array");
    }
    if (rs.isEmpty()) {
      return Decision.deny(ReasonCodes.POLICY_UNDEFINED, "the policy decision is undefined for this input");
    }
    if (rs.size() != 1 || !rs.get(0).has("result")) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "result set has " + rs.size() + " entries, expected one");
    }
    return decisionOf(rs.get(0).get("result"));
  }

  /**
   * A plan value's decision through its JSON text, as the Wasm engine reads its result: numbers
   * become what JSON text gives Jackson (a small integer in a row filter's value is an Integer, as
   * with Wasm; the value's own tree would give a Long). The route for values {@link PlanDecisions}
   * leaves to Jackson.
   */
  static Decision decisionOfText(Val v) {
    try {
      return decisionOf(JSON.readTree(v.toString()));
    } catch (JsonProcessingException e) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "the policy result is not JSON: " + e.getOriginalMessage());
    }
  }

  /** Maps the entrypoint's value to a Decision; a malformed value is a deny with a reason. */
  static Decision decisionOf(JsonNode v) {
    if (v.isBoolean()) {
      return v.booleanValue()
          ? new Decision(true, List.of(new Reason(ReasonCodes.POLICY_ALLOW, "the policy allowed the request")), null, null, null)
          : Decision.deny(ReasonCodes.POLICY_DENY, "the policy denied the request");
    }
    if (!v.isObject()) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "the policy result is " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
          + ", expected a boolean or a decision object");
    }
    JsonNode allow = v.get("allow");
    if (allow == null || !allow.isBoolean()) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "the decision object has no boolean `allow`");
    }
    try {
      return JSON.treeToValue(v, Decision.class);
    } catch (JsonProcessingException e) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "the decision does not match the vectorgate/v1 contract: "
          + e.getOriginalMessage() + " at " + e.getLocation());
    } catch (IllegalArgumentException e) {
      return Decision.deny(ReasonCodes.RESULT_INVALID, "the decision does not match the vectorgate/v1 contract: " + e.getMessage());
    }
  }

  /** The fail-closed code carried by an engine-made deny, or null for a policy's own decision. */
  private static String failClosedCode(Decision d) {
    if (d.allow() || d.reasons().size() != 1) {
      return null;
    }
    String code = d.reasons().get(0).code();
    return ReasonCodes.FAIL_CLOSED.contains(code) && d.obligations().isEmpty() ? code : null;
  }

  // ---------------------------------------------------------------- the pool

  private Raw evaluateOn(Generation g, int entrypointId, String json, long nowNs) {
    Instance inst;
    try {
      inst = g.idle.poll(borrowNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Raw.fail(ReasonCodes.ENGINE_ERROR, "interrupted while waiting for a policy instance");
    }
    if (inst == null) {
      return Raw.fail(ReasonCodes.POOL_EXHAUSTED, "no policy instance became free within "
          + config.borrowTimeout().toMillis() + " ms (pool size " + config.poolSize() + ")");
    }
    try {
      return runGuarded(inst, entrypointId, json, nowNs);
    } finally {
      release(inst);
    }
  }

  /** One evaluation under the watchdog. Marks the instance suspect when the guest failed mid-way. */
  private Raw runGuarded(Instance inst, int entrypointId, String json) {
    return runGuarded(inst, entrypointId, json, 0);
  }

  /**
   * @param nowNs the {@code time.now_ns} of this evaluation (the request's {@code context.time_ns}),
   *     or 0 to read the clock once when the evaluation starts
   */
  private Raw runGuarded(Instance inst, int entrypointId, String json, long nowNs) {
    long t0 = System.nanoTime();
    boolean inputStage = true;
    String result = null;
    Throwable error = null;
    boolean fired;
    inst.slot.start(t0 + timeoutNanos);
    // time.now_ns is stable within one evaluation (OPA semantics)
    HostBuiltins.Evaluation hostEval = nowNs > 0 ? HostBuiltins.beginEvaluation(nowNs) : HostBuiltins.beginEvaluation();
    try {
      inst.policy.entrypoint(entrypointId);
      inst.policy.input(json);
      inputStage = false;
      result = inst.policy.evaluate();
    } catch (RuntimeException | StackOverflowError e) {
      error = e;
    } finally {
      fired = inst.slot.end();
      hostEval.close();
    }
    long evalNanos = System.nanoTime() - t0;
    if (fired) {
      inst.suspect = error != null;
      return new Raw(null, ReasonCodes.ENGINE_TIMEOUT, "evaluation exceeded "
          + config.evaluationTimeout().toMillis() + " ms", evalNanos);
    }
    if (error == null) {
      return new Raw(result, null, null, evalNanos);
    }
    String rev = inst.gen.revision;
    if (error instanceof ChicoryInterruptedException) {
      Thread.currentThread().interrupt(); // someone else interrupted the caller; keep the flag
      inst.suspect = true;
      return new Raw(null, ReasonCodes.ENGINE_ERROR, "evaluation was interrupted", evalNanos);
    }
    if (error instanceof OpaAbortException) {
      inst.suspect = true;
      LOG.warn("policy aborted revision={} error={}", rev, error.getMessage());
      return new Raw(null, ReasonCodes.ENGINE_ABORT, "the policy aborted: " + error.getMessage(), evalNanos);
    }
    if (inputStage && String.valueOf(error.getMessage()).contains("Maximum memory size exceeded")) {
      return new Raw(null, ReasonCodes.INPUT_TOO_LARGE, "input does not fit in guest memory (max "
          + config.maxMemoryPages() + " pages of 64 KiB)", evalNanos);
    }
    inst.suspect = true;
    LOG.warn("policy evaluation failed revision={} stage={}", rev, inputStage ? "input" : "eval", error);
    return new Raw(null, ReasonCodes.ENGINE_ERROR, "evaluation failed: " + error, evalNanos);
  }

  /** Returns a borrowed instance; a suspect one goes back only if the smoke input still gives the same result. */
  private void release(Instance inst) {
    Generation g = inst.gen;
    if (inst.suspect) {
      inst.suspect = false;
      // a caller's own interrupt must not fail the health check of a healthy instance
      boolean callerInterrupted = Thread.interrupted();
      Raw check;
      try {
        check = runGuarded(inst, g.defaultEntrypointId, config.smokeInputJson());
      } finally {
        if (callerInterrupted) {
          Thread.currentThread().interrupt();
        }
      }
      if (check.failed() || inst.suspect || !Objects.equals(check.resultSet(), g.smokeResult)) {
        discard(inst, check.failed() ? check.code() : "unhealthy");
        return;
      }
    }
    if (!g.idle.offer(inst)) {
      LOG.error("policy pool over capacity; dropping an instance revision={}", g.revision);
      watchdog.remove(inst.slot);
    }
  }

  private void discard(Instance inst, String reason) {
    Generation g = inst.gen;
    config.metrics().instanceDiscarded(reason);
    watchdog.remove(inst.slot);
    g.slots.remove(inst.slot);
    LOG.warn("policy instance discarded revision={} reason={} rebuilding={}", g.revision, reason, !g.retired && !closed);
    if (g.retired || closed) {
      return;
    }
    try {
      maintenance.execute(() -> rebuild(g));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.warn("policy instance not rebuilt: engine is closing revision={}", g.revision);
    }
  }

  private void rebuild(Generation g) {
    if (g.retired || closed) {
      return;
    }
    try {
      Instance fresh = buildInstance(g);
      if (!warmInputs.isEmpty()) {
        WarmupResult r;
        try {
          r = warmInstance(fresh, System.nanoTime() + config.warmupBudget().toNanos());
        } catch (PolicyActivationException | RuntimeException e) {
          watchdog.remove(fresh.slot);
          g.slots.remove(fresh.slot);
          throw e;
        }
        fresh = r.instance();
        LOG.info("event=policy_instance_warmed revision={} evaluations={} failed_evaluations={}", g.revision,
            r.evaluations(), r.failed());
      }
      if (!g.idle.offer(fresh)) {
        watchdog.remove(fresh.slot);
      }
      LOG.info("policy instance rebuilt revision={}", g.revision);
    } catch (PolicyActivationException | RuntimeException e) {
      LOG.error("policy instance rebuild failed; the pool stays smaller revision={}", g.revision, e);
    }
  }

  private void logDecision(DecisionLogEntry entry) {
    try {
      config.decisionLogger().log(entry);
    } catch (RuntimeException e) {
      config.metrics().decisionLogDropped();
      LOG.error("decision logger threw decision_id={}", entry.decisionId(), e);
    }
  }

  private static String newDecisionId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(hi, lo).toString();
  }

  /**
   * The plan engine's cross-decision memo of the active bundle: {@code hits} and {@code misses}
   * (rule evaluations answered from and added to it); empty when no memo is active.
   */
  public Map<String, Long> planMemoStats() {
    Generation g = active.get();
    if (g == null || g.plan == null || g.plan.memo() == null) {
      return Map.of();
    }
    return Map.of("hits", g.plan.memo().hits(), "misses", g.plan.memo().misses());
  }

  /** Pool state for diagnostics: idle instances of the active bundle. */
  public Map<String, Object> poolState() {
    Generation g = active.get();
    Map<String, Object> m = new TreeMap<>();
    m.put("revision", g == null ? null : g.revision);
    m.put("idle", g == null ? 0 : g.idle.size());
    m.put("pool_size", config.poolSize());
    m.put("engine", g == null ? null : g.engine.wireName());
    return m;
  }

  /**
   * Stops deciding (later decisions deny with {@code no_policy}), stops the watchdog and the
   * maintenance thread. Does not close the decision logger, which the caller owns.
   */
  @Override
  public void close() {
    synchronized (activationLock) {
      if (closed) {
        return;
      }
      closed = true;
      Generation g = active.getAndSet(null);
      if (g != null) {
        g.retired = true;
      }
    }
    maintenance.shutdownNow();
    watchdog.close();
  }
}
