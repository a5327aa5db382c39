package io.vectorgate.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds and unpacks tar.gz bundles for tests, including hostile ones. */
final class BundleFiles {
  private BundleFiles() {}

  static byte[] tarGz(Map<String, byte[]> files) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(buf))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (var e : files.entrySet()) {
        if (e.getKey().startsWith("link:")) {
          TarArchiveEntry l = new TarArchiveEntry(e.getKey().substring(5), TarArchiveEntry.LF_SYMLINK);
          l.setLinkName(new String(e.getValue(), StandardCharsets.UTF_8));
          tar.putArchiveEntry(l);
          tar.closeArchiveEntry();
          continue;
        }
        TarArchiveEntry t = new TarArchiveEntry(e.getKey(), true); // keep names exactly as given
        t.setSize(e.getValue().length);
        tar.putArchiveEntry(t);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  static Map<String, byte[]> untar(byte[] tarGz) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new java.io.ByteArrayInputStream(tarGz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        out.put(e.getName(), tar.readAllBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A minimal module exporting only OPA ABI version globals {@code major.minor}. */
  static byte[] abiOnlyModule(int major, int minor) {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    m.writeBytes(new byte[] {6, 11, 2, 0x7f, 0, 0x41, (byte) major, 0x0b, 0x7f, 0, 0x41, (byte) minor, 0x0b});
    ByteArrayOutputStream ex = new ByteArrayOutputStream();
    ex.write(2);
    for (String[] g : new String[][] {{"opa_wasm_abi_version", "0"}, {"opa_wasm_abi_minor_version", "1"}}) {
      ex.write(g[0].length());
      ex.writeBytes(utf8(g[0]));
      ex.write(3);
      ex.write(Integer.parseInt(g[1]));
    }
    m.write(7);
    m.write(ex.size());
    m.writeBytes(ex.toByteArray());
    return m.toByteArray();
  }
}
