package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Hostile bytes never crash the bundle reader: they load, or fail with a BundleException. */
class PolicyBundleProperties {
  private static final byte[] VALID = TestPolicies.bundle("modes").toTarGz();
  private static final byte[] WASM = TestPolicies.bundle("modes").wasm();

  @Property(tries = 150)
  void mutatedArchivesLoadOrFailCleanly(@ForAll("positions") int[] positions, @ForAll @IntRange(min = 1, max = 255) int xor,
      @ForAll @IntRange(min = 0, max = 100) int keepPercent) {
    byte[] b = Arrays.copyOf(VALID, Math.max(1, VALID.length * keepPercent / 100));
    for (int p : positions) {
      b[p % b.length] ^= (byte) xor;
    }
    loadOrBundleException(() -> PolicyBundle.read(b, BundleLimits.DEFAULTS));
  }

  @Property(tries = 100)
  void mutatedModulesLoadOrFailCleanly(@ForAll("positions") int[] positions, @ForAll @IntRange(min = 1, max = 255) int xor) {
    byte[] w = WASM.clone();
    for (int p : positions) {
      w[p % w.length] ^= (byte) xor;
    }
    loadOrBundleException(() -> PolicyBundle.of(w, "{}", "m"));
  }

  @Property(tries = 50)
  void randomBytesAreRejected(@ForAll byte[] junk) {
    byte[] gz = new byte[junk.length + 2];
    gz[0] = 0x1f;
    gz[1] = (byte) 0x8b;
    System.arraycopy(junk, 0, gz, 2, junk.length);
    int outcome = loadOrBundleException(() -> PolicyBundle.read(gz, BundleLimits.DEFAULTS));
    assertEquals(1, outcome, "random bytes must not form a valid bundle");
  }

  @Provide
  Arbitrary<int[]> positions() {
    return Arbitraries.integers().between(0, Integer.MAX_VALUE).array(int[].class).ofMinSize(1).ofMaxSize(8);
  }

  interface Load {
    PolicyBundle run() throws PolicyBundle.BundleException;
  }

  /** 0 when it loaded, 1 when it failed with a message; anything else fails the property. */
  private static int loadOrBundleException(Load load) {
    try {
      PolicyBundle b = load.run();
      return b.wasm().length > 0 ? 0 : 2;
    } catch (PolicyBundle.BundleException e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        throw new AssertionError("bundle error without a message", e);
      }
      return 1;
    }
  }
}
