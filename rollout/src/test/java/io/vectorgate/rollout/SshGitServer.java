package io.vectorgate.rollout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.eclipse.jgit.junit.ssh.SshTestGitServer;
import org.eclipse.jgit.lib.Repository;

/**
 * A real Apache MINA sshd serving git upload-pack for one repository on 127.0.0.1 (JGit's
 * test server, bound to loopback), with the key helpers the SSH tests need.
 */
final class SshGitServer extends SshTestGitServer implements AutoCloseable {
  static final String USER = "git";
  private int port;

  SshGitServer(PublicKey authorizedKey, Repository repository, KeyPair hostKey) {
    super(USER, authorizedKey, repository, hostKey);
  }

  @Override
  public int start() throws IOException {
    server.setHost("127.0.0.1");
    port = super.start();
    return port;
  }

  /** From now on the server presents {@code key} as its host key (a re-keyed host, or a man in the middle). */
  void replaceHostKey(KeyPair key) {
    hostKeys.clear();
    hostKeys.add(key);
  }

  int port() {
    return port;
  }

  /** The known_hosts name of this server: {@code [127.0.0.1]:port}. */
  String knownHostsName() {
    return "[127.0.0.1]:" + port;
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /** An Ed25519 key pair from Bouncy Castle (the provider sshd uses for Ed25519), not registered JVM-wide. */
  static KeyPair ed25519() throws GeneralSecurityException {
    return KeyPairGenerator.getInstance("Ed25519", new org.bouncycastle.jce.provider.BouncyCastleProvider())
        .generateKeyPair();
  }

  /** Writes {@code key} as an OpenSSH private key file, encrypted when {@code passphrase} is not null. */
  static Path writeOpenSsh(KeyPair key, Path file, String passphrase) throws IOException, GeneralSecurityException {
    OpenSSHKeyEncryptionContext enc = null;
    if (passphrase != null) {
      enc = new OpenSSHKeyEncryptionContext();
      enc.setCipherName("AES");
      enc.setCipherMode("CTR");
      enc.setCipherType("256");
      enc.setPassword(passphrase);
      enc.setKdfRounds(4);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "vectorgate-test", enc, out);
    }
    return file;
  }

  /** Writes {@code key} as an unencrypted PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}). */
  static Path writePkcs8Pem(KeyPair key, Path file) throws IOException {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getPrivate().getEncoded());
    Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
    return file;
  }

  /** One known_hosts line: {@code name keytype base64}. */
  static String knownHostsLine(String name, PublicKey key) {
    return name + " " + PublicKeyEntry.toString(key);
  }

  static String openSshPublicKey(PublicKey key) throws IOException, GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(key, "x", out);
    return out.toString(StandardCharsets.US_ASCII);
  }
}
