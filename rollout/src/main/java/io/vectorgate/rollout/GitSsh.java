package io.vectorgate.rollout;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH transport of one git source: a private {@link SshdSessionFactory} (Apache MINA sshd)
 * that authenticates with the configured private key only (OpenSSH or PEM, optional passphrase),
 * checks the server's host key strictly against the configured known_hosts file, and never reads
 * {@code ~/.ssh}, an ssh config file or an ssh-agent: its home and ssh directories are an empty
 * work directory. The JVM-wide JGit session factory is never used or changed.
 */
final class GitSsh implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GitSsh.class);

  private final SshRemote remote;
  private final Path keyFile;
  private final String passphrase;
  private final Path knownHosts;
  private final SshdSessionFactory factory;
  private final AtomicReference<String> rejection = new AtomicReference<>();

  /**
   * @param home an empty directory used as the ssh home and ssh directory (created if missing)
   * @throws IOException if {@code home} cannot be created
   */
  GitSsh(SshRemote remote, Path keyFile, String passphrase, Path knownHosts, Path home) throws IOException {
    this.remote = remote;
    this.keyFile = keyFile;
    this.passphrase = passphrase == null || passphrase.isEmpty() ? null : passphrase;
    this.knownHosts = knownHosts;
    Files.createDirectories(home);
    File dir = home.toAbsolutePath().toFile();
    this.factory = new SshdSessionFactoryBuilder()
        .setHomeDirectory(dir)
        .setSshDirectory(dir)
        .setConfigFile(d -> null)
        .setDefaultIdentities(d -> List.of())
        .setDefaultKnownHostsFiles(d -> List.of())
        .setDefaultKeysProvider(d -> loadKeysForSession())
        .setServerKeyDatabase((h, s) -> new StrictKnownHosts())
        .setConnectorFactory(null)
        .setPreferredAuthentications("publickey")
        .build(null);
  }

  SshRemote remote() {
    return remote;
  }

  /** Points an SSH transport at this source's session factory (never the JVM-wide one). */
  void configure(Transport transport) {
    if (transport instanceof SshTransport t) {
      t.setSshSessionFactory(factory);
    }
  }

  /**
   * Loads the private key(s) from {@code ssh_key_file}.
   *
   * @throws KeyLoadException naming the file and what is wrong; never containing the passphrase
   */
  List<KeyPair> loadKeys() throws KeyLoadException {
    if (!Files.isRegularFile(keyFile) || !Files.isReadable(keyFile)) {
      throw new KeyLoadException("ssh_key_file: `" + keyFile + "` is not a readable file");
    }
    List<KeyPair> keys = new ArrayList<>();
    try (InputStream in = Files.newInputStream(keyFile)) {
      FilePasswordProvider pw = passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase);
      Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(keyFile.toString()),
          in, pw);
      if (loaded != null) {
        loaded.forEach(keys::add);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new KeyLoadException(describeKeyFailure(e), e);
    }
    if (keys.isEmpty()) {
      throw new KeyLoadException("ssh_key_file: `" + keyFile + "` holds no private key (OpenSSH or PEM expected)");
    }
    return keys;
  }

  private String describeKeyFailure(Exception e) {
    String detail = redact(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    if (passphrase == null) {
      return "ssh_key_file: cannot load `" + keyFile + "`: " + detail
          + " (if the key is passphrase-protected, set ssh_key_passphrase)";
    }
    return "ssh_key_file: cannot load `" + keyFile + "` with the configured ssh_key_passphrase (wrong passphrase, "
        + "or not an OpenSSH or PEM private key): " + detail;
  }

  private Iterable<KeyPair> loadKeysForSession() {
    try {
      return loadKeys();
    } catch (KeyLoadException e) {
      // the fetch fails with this message; the exception is not lost
      rejection.compareAndSet(null, e.getMessage());
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The reason the last connection was refused locally (host key or key file), consumed by the call. */
  Optional<String> takeRejection() {
    return Optional.ofNullable(rejection.getAndSet(null));
  }

  /** Clears any reason left from an earlier connection. */
  void resetRejection() {
    rejection.set(null);
  }

  String redact(String message) {
    if (message == null) {
      return "";
    }
    return passphrase == null ? message : message.replace(passphrase, "***");
  }

  @Override
  public void close() {
    factory.close();
  }

  /** A key file that cannot be used; the message names the file and never carries the passphrase. */
  static final class KeyLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    KeyLoadException(String message) {
      super(message);
    }

    KeyLoadException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Host keys from the one configured known_hosts file, re-read on every connection; a key that is
   * not listed for the host, or is listed as {@code @revoked}, is refused. Nothing is ever added.
   */
  private final class StrictKnownHosts implements ServerKeyDatabase {
    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
      HostPort hp = HostPort.of(connectAddress);
      List<PublicKey> keys = new ArrayList<>();
      try {
        for (Entry e : entries()) {
          if (e.marker == null && e.entry.isHostMatch(hp.host, hp.port)) {
            keys.add(e.key);
          }
        }
      } catch (IOException e) {
        LOG.warn("event=ssh_known_hosts_unreadable file=\"{}\" error=\"{}\"", knownHosts, e.getMessage());
      }
      return keys;
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
        Configuration config, CredentialsProvider provider) {
      HostPort hp = HostPort.of(connectAddress);
      String offered = KeyUtils.getKeyType(serverKey) + " " + KeyUtils.getFingerPrint(serverKey);
      List<Entry> all;
      try {
        all = entries();
      } catch (IOException e) {
        return reject("cannot read known_hosts_file `" + knownHosts + "`: " + e.getMessage());
      }
      boolean listed = false;
      for (Entry e : all) {
        if (!e.entry.isHostMatch(hp.host, hp.port)) {
          continue;
        }
        boolean same = KeyUtils.compareKeys(e.key, serverKey);
        if ("revoked".equals(e.marker) && same) {
          return reject("the host key of " + connectAddress + " (" + offered + ") is marked @revoked in "
              + "known_hosts_file `" + knownHosts + "`");
        }
        if (e.marker == null) {
          listed = true;
          if (same) {
            LOG.debug("event=ssh_host_key_verified host=\"{}\" key=\"{}\"", connectAddress, offered);
            return true;
          }
        }
      }
      if (listed) {
        return reject("the host key of " + connectAddress + " (" + offered + ") does not match the key(s) listed for "
            + "it in known_hosts_file `" + knownHosts + "`: the host key changed, or the connection is intercepted; "
            + "refused");
      }
      return reject("the host " + connectAddress + " is not in known_hosts_file `" + knownHosts + "` (it offered "
          + offered + "); refused (strict host key checking)");
    }

    private boolean reject(String why) {
      rejection.set(why);
      LOG.warn("event=ssh_host_key_rejected reason=\"{}\"", why);
      return false;
    }

    private List<Entry> entries() throws IOException {
      List<KnownHostEntry> raw;
      try {
        raw = KnownHostEntry.readKnownHostEntries(knownHosts);
      } catch (RuntimeException e) {
        throw new IOException("malformed: " + e.getMessage(), e);
      }
      List<Entry> out = new ArrayList<>();
      for (KnownHostEntry e : raw) {
        if (e.getKeyEntry() == null) {
          continue;
        }
        String marker = e.getMarker();
        if (marker != null && marker.startsWith("@")) {
          marker = marker.substring(1);
        }
        if (marker != null && !marker.equals("revoked")) {
          continue; // @cert-authority: host certificates are not supported, so such a line never matches
        }
        try {
          PublicKey k = e.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
          if (k != null) {
            out.add(new Entry(e, marker, k));
          }
        } catch (GeneralSecurityException | RuntimeException ex) {
          throw new IOException("unusable key in line `" + GitPolicySource.printable(e.getConfigLine()) + "`: "
              + ex.getMessage(), ex);
        }
      }
      return out;
    }
  }

  private record Entry(KnownHostEntry entry, String marker, PublicKey key) {}

  /** {@code host}, {@code [host]:port} as JGit names the connect address. */
  private record HostPort(String host, int port) {
    static HostPort of(String connectAddress) {
      if (connectAddress.startsWith("[")) {
        int close = connectAddress.indexOf("]:");
        if (close > 0) {
          try {
            return new HostPort(connectAddress.substring(1, close),
                Integer.parseInt(connectAddress.substring(close + 2)));
          } catch (NumberFormatException e) {
            return new HostPort(connectAddress, SshRemote.DEFAULT_PORT);
          }
        }
      }
      return new HostPort(connectAddress, SshRemote.DEFAULT_PORT);
    }
  }
}
