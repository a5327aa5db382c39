package io.vectorgate.harness;

import io.vectorgate.harness.HarnessEngines;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.harness.source.PolicyLoader;
import io.vectorgate.harness.source.PolicySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The sample organisation's DSL policy (baseline) and a candidate that changes one rule. */
public final class Policies {
  public static final Path SAMPLE = GatewaySim.ROOT.resolve("samples/org/policy.vg");
  public static final String RULE =
      "allow read on collection \"docs\", \"customers\", \"kb_*\" for analyst reason \"role_grant\"";
  public static final String CHANGED = "allow read on collection \"docs\", \"customers\" for analyst reason \"role_grant\"";

  private Policies() {}

  public static Path baseline(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.copy(SAMPLE, dir.resolve("policy.vg"));
    return dir;
  }

  /** The sample policy with analysts no longer allowed to read {@code kb_*} collections. */
  public static Path candidate(Path dir) throws IOException {
    Files.createDirectories(dir);
    String text = Files.readString(SAMPLE);
    if (!text.contains(RULE)) {
      throw new IllegalStateException("samples/org/policy.vg no longer has the rule the candidate changes: " + RULE);
    }
    Files.writeString(dir.resolve("policy.vg"), text.replace(RULE, CHANGED));
    return dir;
  }

  public static PolicyLoader loader() {
    return PolicyLoader.fromEnvironment(false);
  }

  public static PolicyEngine engine(Path dir, Path work) throws Exception {
    PolicyLoader.Loaded l = loader().load(new PolicySource.Directory(dir), work);
    return PolicyEngine.start(HarnessEngines.config(2), l.bundle());
  }
}
