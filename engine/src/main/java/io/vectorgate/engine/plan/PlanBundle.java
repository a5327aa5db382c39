package io.vectorgate.engine.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.vectorgate.engine.BundleLimits;
import io.vectorgate.engine.ContractJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A plan bundle ({@code bundle.tar.gz} from {@code opa build -t plan}): the policy's IR, read and
 * linked against {@link Builtins}, its base data (read once, shared by every evaluation) and its
 * revision. Immutable.
 */
public final class PlanBundle {
  private static final ObjectReader DATA_READER = ContractJson.mapper().reader()
      .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .with(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  private final Ir.Policy policy;
  private final Val data;
  private final String revision;

  public PlanBundle(Ir.Policy policy, Val data, String revision) {
    this.policy = policy;
    this.data = data;
    this.revision = revision;
  }

  public Ir.Policy policy() {
    return policy;
  }

  public Val data() {
    return data;
  }

  public String revision() {
    return revision;
  }

  /** The {@code plan.json} of a plan bundle archive. */
  public static byte[] planJson(byte[] tarGz, BundleLimits limits) {
    byte[] plan = files(tarGz, limits).get("plan.json");
    if (plan == null) {
      throw new PlanException("plan bundle has no plan.json (build it with `opa build -t plan`)");
    }
    return plan;
  }

  /** Reads a plan bundle; anything missing, oversized or unreadable is a {@link PlanException}. */
  public static PlanBundle read(byte[] tarGz, BundleLimits limits, Builtins builtins) {
    Map<String, byte[]> files = files(tarGz, limits);
    byte[] plan = planJson(tarGz, limits);
    Ir.Policy policy = new IrReader(builtins).read(plan);
    Val data = readData(files.get("data.json"));
    String revision = "";
    byte[] manifest = files.get(".manifest");
    if (manifest != null) {
      try {
        revision = ContractJson.mapper().readTree(manifest).path("revision").asText("");
      } catch (IOException e) {
        throw new PlanException("plan bundle .manifest is not JSON: " + e.getMessage(), e);
      }
    }
    return new PlanBundle(policy, data, revision);
  }

  /** Base data from its JSON text (numbers kept exact); {@code {}} when absent. */
  public static Val readData(byte[] dataJson) {
    if (dataJson == null) {
      return new Val.Obj();
    }
    try {
      JsonNode d = DATA_READER.readTree(dataJson);
      return d == null || d.isNull() || d.isMissingNode() ? new Val.Obj() : Val.fromJson(d);
    } catch (IOException e) {
      throw new PlanException("bundle data.json is not JSON: " + e.getMessage(), e);
    }
  }

  private static Map<String, byte[]> files(byte[] tarGz, BundleLimits limits) {
    if (tarGz.length > limits.maxCompressedBytes()) {
      throw new PlanException("plan bundle is " + tarGz.length + " bytes compressed, over the limit of "
          + limits.maxCompressedBytes());
    }
    Map<String, byte[]> files = new TreeMap<>();
    long total = 0;
    int entries = 0;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new ByteArrayInputStream(tarGz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (++entries > limits.maxEntries()) {
          throw new PlanException("plan bundle has more than " + limits.maxEntries() + " entries");
        }
        if (e.isDirectory()) {
          continue;
        }
        if (!e.isFile()) {
          throw new PlanException("plan bundle entry `" + e.getName() + "` is not a regular file");
        }
        byte[] content = readCapped(tar, limits.maxUncompressedBytes() - total);
        if (content == null) {
          throw new PlanException("plan bundle is larger than " + limits.maxUncompressedBytes() + " bytes uncompressed");
        }
        total += content.length;
        String name = e.getName().replaceFirst("^/+", "");
        if (files.put(name, content) != null) {
          throw new PlanException("plan bundle has entry `" + name + "` twice");
        }
      }
    } catch (IOException e) {
      throw new PlanException("plan bundle is corrupt or truncated: " + e.getMessage(), e);
    }
    return files;
  }

  private static byte[] readCapped(InputStream in, long budget) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      if (out.size() + (long) n > budget) {
        return null;
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
