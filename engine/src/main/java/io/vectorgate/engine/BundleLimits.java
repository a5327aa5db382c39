package io.vectorgate.engine;

/**
 * Limits applied while reading a {@code bundle.tar.gz}: its compressed size, the sum of its
 * uncompressed entries, and the number of entries. A bundle over any of them is rejected.
 */
public record BundleLimits(long maxCompressedBytes, long maxUncompressedBytes, int maxEntries) {
  /** 64 MiB compressed, 256 MiB uncompressed, 10,000 entries. */
  public static final BundleLimits DEFAULTS = new BundleLimits(64L << 20, 256L << 20, 10_000);

  public BundleLimits {
    if (maxCompressedBytes <= 0 || maxUncompressedBytes <= 0 || maxEntries <= 0) {
      throw new IllegalArgumentException("bundle limits must be positive");
    }
  }
}
