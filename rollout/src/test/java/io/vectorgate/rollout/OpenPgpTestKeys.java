package io.vectorgate.rollout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.api.KeyPassphraseProvider;
import org.bouncycastle.openpgp.api.OpenPGPDetachedSignatureGenerator;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.api.OpenPGPKeyEditor;
import org.bouncycastle.openpgp.api.OpenPGPSignature;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPApi;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPImplementation;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.Signer;
import org.eclipse.jgit.transport.CredentialsProvider;

/**
 * Real OpenPGP keys made with BouncyCastle for tests (v4 keys, as GnuPG 2.2 makes them: an Ed25519
 * primary key with signing and encryption subkeys), and a JGit {@link Signer} that signs commits with
 * one as `git commit -S` does with gpg.
 */
final class OpenPgpTestKeys {
  private OpenPgpTestKeys() {}

  /** A new unprotected key with user id {@code userId} (for example {@code Name <a@b>}). */
  static OpenPGPKey generate(String userId) throws PGPException {
    return new BcOpenPGPApi().generateKey(PublicKeyPacket.VERSION_4).ed25519x25519Key(userId).build();
  }

  /** Writes the key's public part, ASCII-armored as {@code gpg --export --armor} does; returns the file. */
  static Path writePublic(OpenPGPKey key, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, key.toCertificate().toAsciiArmoredString(), StandardCharsets.UTF_8);
    return file;
  }

  /** The key with a revocation of its primary key (no reason given: it invalidates every signature). */
  static OpenPGPKey revoked(OpenPGPKey key) throws PGPException {
    return new OpenPGPKeyEditor(key, new KeyPassphraseProvider.DefaultKeyPassphraseProvider()).revokeKey().done();
  }

  /** An armored detached signature of {@code data}. */
  static byte[] sign(OpenPGPKey key, byte[] data) throws IOException, PGPException {
    List<OpenPGPSignature.OpenPGPDocumentSignature> sigs = new OpenPGPDetachedSignatureGenerator(
        new BcOpenPGPImplementation()).addSigningKey(key).sign(new ByteArrayInputStream(data));
    return sigs.get(0).toAsciiArmoredString().getBytes(StandardCharsets.US_ASCII);
  }

  /** A JGit signer that signs with {@code key} (JGit embeds the signature as the commit's gpgsig header). */
  static Signer signer(OpenPGPKey key) {
    return new Signer() {
      @Override
      public GpgSignature sign(Repository repository, GpgConfig config, byte[] data, PersonIdent committer,
          String signingKey, CredentialsProvider credentialsProvider) throws IOException {
        try {
          return new GpgSignature(OpenPgpTestKeys.sign(key, data));
        } catch (PGPException e) {
          throw new IOException("cannot sign: " + e.getMessage(), e);
        }
      }

      @Override
      public boolean canLocateSigningKey(Repository repository, GpgConfig config, PersonIdent committer,
          String signingKey, CredentialsProvider credentialsProvider) {
        return true;
      }
    };
  }
}
