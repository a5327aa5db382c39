package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenPGP commit signatures against configured public keys, with real keys (BouncyCastle and GnuPG-made). */
class OpenPgpCommitVerifierTest {
  private static final String FIELD = GitSourceConfig.OPENPGP_KEYS_FIELD;
  private static OpenPGPKey author;
  private static OpenPGPKey stranger;

  @TempDir Path tmp;
  private final OpenPgpCommitVerifier verifier = new OpenPgpCommitVerifier();

  @BeforeAll
  static void keys() throws Exception {
    author = OpenPgpTestKeys.generate("Policy Author <Author@Example.test>");
    stranger = OpenPgpTestKeys.generate("Someone Else <author@example.test>");
  }

  /** A commit object signed with {@code key}, exactly as JGit (and git) write it. */
  private static RevCommit signedCommit(OpenPGPKey key, String committerEmail, String message) throws Exception {
    CommitBuilder b = new CommitBuilder();
    b.setTreeId(ObjectId.fromString("c78aa44f5af02f4c776c54424583cd17297be7ca"));
    PersonIdent who = new PersonIdent("Policy Author", committerEmail);
    b.setAuthor(who);
    b.setCommitter(who);
    b.setMessage(message);
    byte[] unsigned = b.build();
    b.setGpgSignature(new GpgSignature(OpenPgpTestKeys.sign(key, unsigned)));
    byte[] signed = b.build();
    assertArrayEquals(unsigned, OpenPgpCommitVerifier.signedPayload(signed), "the signed payload is the commit as signed");
    return RevCommit.parse(signed);
  }

  private OpenPgpCommitVerifier.Signer verify(RevCommit c, List<OpenPGPCertificate> keys) throws Exception {
    return verifier.verify(OpenPgpCommitVerifier.signedPayload(c.getRawBuffer()), c.getRawGpgSignature(),
        c.getCommitterIdent().getEmailAddress(), keys);
  }

  private List<OpenPGPCertificate> keys(OpenPGPKey... ks) throws Exception {
    List<Path> files = new java.util.ArrayList<>();
    for (int i = 0; i < ks.length; i++) {
      files.add(OpenPgpTestKeys.writePublic(ks[i], tmp.resolve("keys/k" + i + ".asc")));
    }
    return verifier.readKeys(files, FIELD);
  }

  @Test
  void aCommitSignedByAConfiguredKeyVerifiesAndNamesTheSigner() throws Exception {
    RevCommit c = signedCommit(author, "author@example.test", "allow search\n");
    OpenPgpCommitVerifier.Signer s = verify(c, keys(stranger, author));
    assertEquals(author.getPrettyFingerprint().replace(" ", ""), s.fingerprint());
    assertEquals("Policy Author <Author@Example.test>", s.userId(), "e-mails compare case-insensitively");
    assertTrue(author.getKeys().stream().anyMatch(k -> k.getKeyIdentifier().toString().equalsIgnoreCase(s.signingKey())),
        s.signingKey());
  }

  @Test
  void unknownKeyTamperedCommitAndForeignCommitterAreRefused() throws Exception {
    RevCommit c = signedCommit(stranger, "author@example.test", "allow search\n");
    OpenPgpCommitVerifier.Refused unknown = assertThrows(OpenPgpCommitVerifier.Refused.class, () -> verify(c,
        keys(author)));
    assertTrue(unknown.getMessage().contains("which is not among the configured public keys"), unknown.getMessage());

    RevCommit good = signedCommit(author, "author@example.test", "allow search\n");
    byte[] payload = OpenPgpCommitVerifier.signedPayload(good.getRawBuffer());
    byte[] tampered = new String(payload, StandardCharsets.UTF_8).replace("allow search", "allow delete")
        .getBytes(StandardCharsets.UTF_8);
    OpenPgpCommitVerifier.Refused changed = assertThrows(OpenPgpCommitVerifier.Refused.class, () -> verifier.verify(
        tampered, good.getRawGpgSignature(), "author@example.test", keys(author)));
    assertTrue(changed.getMessage().contains("does not verify with key"), changed.getMessage());

    // a configured key signing for another committer, as the SSH principal check refuses it
    RevCommit other = signedCommit(author, "mallory@example.test", "allow search\n");
    OpenPgpCommitVerifier.Refused who = assertThrows(OpenPgpCommitVerifier.Refused.class, () -> verify(other,
        keys(author)));
    assertTrue(who.getMessage().contains("the committer e-mail `mallory@example.test` is not the e-mail of a valid "
        + "user id of key " + author.getPrettyFingerprint().replace(" ", "")), who.getMessage());
  }

  @Test
  void aRevokedKeyVerifiesNothing() throws Exception {
    RevCommit c = signedCommit(author, "author@example.test", "signed before the revocation\n");
    Path file = OpenPgpTestKeys.writePublic(OpenPgpTestKeys.revoked(author), tmp.resolve("revoked.asc"));
    OpenPgpCommitVerifier.Refused e = assertThrows(OpenPgpCommitVerifier.Refused.class,
        () -> verify(c, verifier.readKeys(List.of(file), FIELD)));
    assertTrue(e.getMessage().contains("was not valid for signing"), e.getMessage());
  }

  @Test
  void malformedSignaturesAreRefused() throws Exception {
    List<OpenPGPCertificate> ks = keys(author);
    byte[] payload = "tree c78aa44f5af02f4c776c54424583cd17297be7ca\n\nx\n".getBytes(StandardCharsets.UTF_8);
    for (String sig : new String[] {"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
        "not a signature", "", new String(author.toCertificate().getEncoded(), StandardCharsets.ISO_8859_1)}) {
      OpenPgpCommitVerifier.Refused e = assertThrows(OpenPgpCommitVerifier.Refused.class,
          () -> verifier.verify(payload, sig.getBytes(StandardCharsets.ISO_8859_1), "author@example.test", ks));
      assertTrue(e.getMessage().startsWith("the signature "), e.getMessage());
    }
  }

  @Test
  void keyFilesAreCheckedAndNamed() throws Exception {
    Path pub = OpenPgpTestKeys.writePublic(author, tmp.resolve("ok.asc"));
    Path secret = tmp.resolve("secret.asc");
    Files.writeString(secret, author.toAsciiArmoredString());
    Path garbage = tmp.resolve("garbage.asc");
    Files.writeString(garbage, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all!\n-----END PGP PUBLIC KEY BLOCK-----\n");
    Path empty = Files.writeString(tmp.resolve("empty.asc"), "");
    Path missing = tmp.resolve("missing.asc");
    record Case(Path file, String says) {}
    for (Case c : List.of(new Case(secret, "holds a secret key"), new Case(garbage, "is not an OpenPGP public key file"),
        new Case(empty, "holds no OpenPGP public key"), new Case(missing, "is not a readable file"),
        new Case(tmp, "is not a readable file"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> verifier.readKeys(List.of(pub, c.file()), FIELD));
      assertTrue(e.getMessage().startsWith(FIELD + "[1]: `" + c.file() + "` " + c.says()), e.getMessage());
    }
    assertEquals(1, verifier.readKeys(List.of(pub), FIELD).size());
  }

  /** What git 2.39 and GnuPG 2.2 produce (src/test/resources/openpgp/README.md): a signing subkey's signature. */
  @Test
  void aCommitSignedByGitWithGnupgVerifies() throws Exception {
    byte[] raw;
    try (InputStream in = getClass().getResourceAsStream("/openpgp/gnupg-signed.commit")) {
      raw = in.readAllBytes();
    }
    Path key = tmp.resolve("gnupg-author.asc");
    try (InputStream in = getClass().getResourceAsStream("/openpgp/gnupg-author.asc")) {
      Files.write(key, in.readAllBytes());
    }
    RevCommit c = RevCommit.parse(raw);
    OpenPgpCommitVerifier.Signer s = verify(c, verifier.readKeys(List.of(key), FIELD));
    assertEquals("C7E55A9C336E3F9BEB6E5C3D7B577BA99E4D476D", s.fingerprint());
    assertEquals("0C8FE43502FF24CB1D66FE308AB033A8BB2DA1CB", s.signingKey());
    assertEquals("Policy Author <author@example.test>", s.userId());

    byte[] changed = new String(raw, StandardCharsets.UTF_8).replace("signed by git and GnuPG", "signed by git and gnupg")
        .getBytes(StandardCharsets.UTF_8);
    RevCommit t = RevCommit.parse(changed);
    assertThrows(OpenPgpCommitVerifier.Refused.class, () -> verify(t, verifier.readKeys(List.of(key), FIELD)));
  }
}
