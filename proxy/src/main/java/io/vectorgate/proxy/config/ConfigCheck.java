package io.vectorgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vectorgate.engine.CompileResult;
import io.vectorgate.engine.PolicyCompiler;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a loaded config still needs from the machine before a gateway can start from it: every
 * {@code env:}/{@code file:} secret readable, every listen address free, the policy compiling.
 * {@code --check} reports all of them (and unreachable upstreams, as warnings); the gateway runs
 * the same checks before it starts, so a port in use or a missing variable is one line naming the
 * key instead of a stack trace from deep inside start-up.
 */
public final class ConfigCheck {
  /** One finding; {@code fatal} ones stop the gateway, the others are warnings. */
  public record Problem(String key, String message, boolean fatal) {
    @Override
    public String toString() {
      return key + ": " + message;
    }
  }

  private ConfigCheck() {}

  /** Secrets and listen addresses: the checks that need no policy compile and no network peer. */
  public static List<Problem> startProblems(GatewayConfig cfg, Function<String, String> env) {
    List<Problem> out = new ArrayList<>();
    secrets(cfg, "", env, out);
    for (var e : listenAddresses(cfg).entrySet()) {
      String inUse = bindProblem(e.getValue());
      if (inUse != null) {
        out.add(new Problem(e.getKey(), inUse, true));
      }
    }
    return out;
  }

  /** Everything {@code --check} reports: start problems, the policy compile, unreachable upstreams (warnings). */
  public static List<Problem> all(GatewayConfig cfg, Function<String, String> env) {
    List<Problem> out = new ArrayList<>(startProblems(cfg, env));
    out.addAll(policyProblems(cfg.policy()));
    out.addAll(unreachableUpstreams(cfg, 2000));
    return out;
  }

  /** The policy of {@code policy.rego_dirs} compiled with the real {@code opa}; its diagnostics with file:line. */
  public static List<Problem> policyProblems(GatewayConfig.PolicyConfig policy) {
    if (policy.source() != null) {
      return List.of(); // fetched and compiled at start; the first failing revision never activates
    }
    List<Path> sources = new ArrayList<>(policy.regoDirs());
    if (policy.dataFile() != null) {
      sources.add(policy.dataFile());
    }
    CompileResult result = PolicyCompiler.create().compile(sources.toArray(Path[]::new));
    if (result.succeeded()) {
      return List.of();
    }
    List<Problem> out = new ArrayList<>();
    result.diagnostics().forEach(d -> out.add(new Problem("policy", "does not compile: " + d, true)));
    if (out.isEmpty()) {
      out.add(new Problem("policy", "does not compile", true));
    }
    return out;
  }

  /** Upstreams that do not accept a TCP connection within {@code timeoutMillis}: warnings, never fatal. */
  public static List<Problem> unreachableUpstreams(GatewayConfig cfg, int timeoutMillis) {
    List<Problem> out = new ArrayList<>();
    for (int i = 0; i < cfg.connections().size(); i++) {
      GatewayConfig.ConnectionConfig c = cfg.connections().get(i);
      String key = "connections[" + i + "].upstream";
      InetSocketAddress target;
      try {
        target = upstreamAddress(c);
      } catch (IllegalArgumentException e) {
        continue; // the loader validated the syntax; nothing to probe
      }
      try (Socket s = new Socket()) {
        s.connect(target, timeoutMillis);
      } catch (IOException e) {
        out.add(new Problem(key, "upstream `" + c.upstream() + "` of connection `" + c.name()
            + "` is not reachable now (" + e.getMessage() + "); requests to it fail until it is", false));
      }
    }
    return out;
  }

  static InetSocketAddress upstreamAddress(GatewayConfig.ConnectionConfig c) {
    String u = c.upstream();
    if (u.contains("://")) {
      URI uri = URI.create(u);
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
      return new InetSocketAddress(uri.getHost(), port);
    }
    ConfigLoader.HostPort hp = ConfigLoader.hostPort(u);
    return new InetSocketAddress(hp.host(), hp.port());
  }

  /** Every address the gateway will listen on, by key (one entry per distinct address). */
  static Map<String, String> listenAddresses(GatewayConfig cfg) {
    Map<String, String> byKey = new LinkedHashMap<>();
    for (int i = 0; i < cfg.listeners().size(); i++) {
      byKey.put("listeners[" + i + "].address", cfg.listeners().get(i).address());
    }
    if (cfg.admin() != null) {
      byKey.put("admin.address", cfg.admin().address());
    }
    if (cfg.approvals() != null && cfg.approvals().admin() != null && cfg.approvals().admin().address() != null) {
      byKey.put("approvals.admin.address", cfg.approvals().admin().address());
    }
    if (cfg.recording() != null && cfg.recording().admin() != null && cfg.recording().admin().address() != null) {
      byKey.put("recording.admin.address", cfg.recording().admin().address());
    }
    Map<String, String> distinct = new LinkedHashMap<>();
    byKey.forEach((k, a) -> {
      if (a != null && !distinct.containsValue(a)) {
        distinct.put(k, a);
      }
    });
    return distinct;
  }

  /** Null when {@code address} can be bound now (port 0 always can), else why not, in one line. */
  static String bindProblem(String address) {
    ConfigLoader.HostPort hp = ConfigLoader.hostPort(address);
    if (hp.port() == 0) {
      return null;
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port()));
      return null;
    } catch (BindException e) {
      return "cannot listen on " + address + ": the address is already in use (another gateway or demo running?)";
    } catch (IOException e) {
      return "cannot listen on " + address + ": " + e.getMessage();
    }
  }

  /** Reads every {@link GatewayConfig.SecretRef} in the config tree, naming each by its key path. */
  private static void secrets(Object node, String path, Function<String, String> env, List<Problem> out) {
    if (node instanceof GatewayConfig.SecretRef ref) {
      try {
        ConfigLoader.readSecret(ref, path, env);
      } catch (ConfigException e) {
        out.add(new Problem(e.keyPath(), e.getMessage().substring(e.keyPath().length() + 2), true));
      }
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        secrets(list.get(i), path + "[" + i + "]", env, out);
      }
    } else if (node instanceof java.util.Map<?, ?> map) {
      // e.g. tracing.headers: header name -> secret reference
      for (java.util.Map.Entry<?, ?> e : new java.util.TreeMap<>(map).entrySet()) {
        secrets(e.getValue(), path + "." + e.getKey(), env, out);
      }
    } else if (node instanceof Record r && r.getClass().getName().startsWith("io.vectorgate.")) {
      for (RecordComponent rc : r.getClass().getRecordComponents()) {
        JsonProperty p = rc.getAccessor().getAnnotation(JsonProperty.class);
        String name = p != null && !p.value().isEmpty() ? p.value() : rc.getName();
        try {
          secrets(rc.getAccessor().invoke(r), path.isEmpty() ? name : path + "." + name, env, out);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read " + path + "." + name, e);
        }
      }
    }
  }
}
