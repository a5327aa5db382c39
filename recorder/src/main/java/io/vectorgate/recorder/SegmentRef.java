package io.vectorgate.recorder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * One segment file: {@code segment-<first seq, 20 digits>.jsonl} while open (or sealed and not yet
 * compressed), {@code .jsonl.gz} once compressed.
 */
public record SegmentRef(long firstSeq, Path path, boolean compressed) {
  private static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.jsonl(\\.gz)?");

  /** Parses a segment file name, or returns null when {@code path} is not one. */
  public static SegmentRef parse(Path path) {
    Matcher m = NAME.matcher(path.getFileName().toString());
    if (!m.matches()) {
      return null;
    }
    return new SegmentRef(Long.parseLong(m.group(1)), path, m.group(2) != null);
  }

  /**
   * The segments of {@code dir} in seq order. When both the plain and the compressed file of one
   * segment exist (a crash between compressing and deleting), the compressed one is listed.
   */
  public static List<SegmentRef> list(Path dir) throws IOException {
    TreeMap<Long, SegmentRef> bySeq = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "segment-*")) {
      for (Path p : ds) {
        SegmentRef s = parse(p);
        if (s != null) {
          bySeq.merge(s.firstSeq(), s, (a, b) -> a.compressed() ? a : b);
        }
      }
    }
    List<SegmentRef> out = new ArrayList<>(bySeq.values());
    out.sort(Comparator.comparingLong(SegmentRef::firstSeq));
    return out;
  }

  /** The segment's bytes, decompressed when needed. */
  public InputStream open() throws IOException {
    InputStream raw = Files.newInputStream(path);
    try {
      return compressed ? new GZIPInputStream(raw, 64 * 1024) : new BufferedInputStream(raw, 64 * 1024);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  public String fileName() {
    return path.getFileName().toString();
  }
}
