package io.vectorgate.rollout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.BCPGInputStream;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPDetachedSignatureProcessor;
import org.bouncycastle.openpgp.api.OpenPGPImplementation;
import org.bouncycastle.openpgp.api.OpenPGPKeyReader;
import org.bouncycastle.openpgp.api.OpenPGPSignature;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPImplementation;
import org.eclipse.jgit.util.RawParseUtils;

/**
 * Verifies the OpenPGP (GPG) signature of a git commit against configured public keys (armored or
 * binary key files, as {@code gpg --export [--armor]} writes them), with BouncyCastle's OpenPGP API:
 * the signature must be a correct detached signature over the commit without its {@code gpgsig}
 * header, made by a configured key (or a signing subkey bound to it) that was valid for signing when
 * the signature was made (not revoked, not expired, allowed to sign), under BouncyCastle's default
 * algorithm policy; and the committer's e-mail must be the e-mail of one of that key's valid user
 * ids, as the committer's e-mail must be a principal of the key for SSH signatures.
 */
public final class OpenPgpCommitVerifier {
  /** A signature dated this far in the future (the signer's clock ahead) is still accepted. */
  static final long CLOCK_SKEW_MILLIS = 60L * 60 * 1000;
  private static final byte[] GPGSIG = {'g', 'p', 'g', 's', 'i', 'g'};
  private static final long MAX_KEY_FILE_BYTES = 1024L * 1024;

  private final OpenPGPImplementation implementation = new BcOpenPGPImplementation();

  /** Who signed: the primary key's fingerprint, the signing (sub)key's id and the user id that matched. */
  public record Signer(String fingerprint, String signingKey, String userId) {}

  /** The commit is refused; {@link #getMessage()} says why, naming keys and e-mails. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads the public keys of {@code files}. {@code field} names the configuration entry in errors
   * ({@code policy.source.signatures.public_keys}); a file that is unreadable, holds no key, or
   * holds a secret key is an {@link IllegalArgumentException} naming {@code field[i]} and the file.
   */
  public List<OpenPGPCertificate> readKeys(List<Path> files, String field) {
    List<OpenPGPCertificate> out = new ArrayList<>();
    OpenPGPKeyReader reader = new OpenPGPKeyReader(implementation);
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      String at = field + "[" + i + "]: `" + f + "`";
      List<OpenPGPCertificate> certs;
      try {
        if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
          throw new IllegalArgumentException(at + " is not a readable file");
        }
        if (Files.size(f) > MAX_KEY_FILE_BYTES) {
          throw new IllegalArgumentException(at + " is larger than " + MAX_KEY_FILE_BYTES + " bytes");
        }
        certs = reader.parseKeysOrCertificates(Files.readAllBytes(f));
      } catch (IOException | RuntimeException e) {
        if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(at)) {
          throw iae;
        }
        throw new IllegalArgumentException(at + " is not an OpenPGP public key file (" + e.getMessage() + ")", e);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(at + " holds no OpenPGP public key (export one with "
            + "`gpg --export --armor KEYID`)");
      }
      for (OpenPGPCertificate c : certs) {
        if (c.isSecretKey()) {
          throw new IllegalArgumentException(at + " holds a secret key; configure only the public key "
              + "(`gpg --export --armor KEYID`) and keep the secret key away from the gateway");
        }
      }
      out.addAll(certs);
    }
    return List.copyOf(out);
  }

  /**
   * Checks {@code signature} (the commit's {@code gpgsig} header) over {@code payload} (the commit
   * without it) against {@code keys}, and that {@code committerEmail} is an e-mail of the signing
   * key's valid user ids.
   *
   * @throws Refused naming the reason: not an OpenPGP signature, no issuer, unknown key, incorrect
   *     signature, a key not valid for signing at the signature's time, refused by the algorithm
   *     policy, or the committer's e-mail not among the key's user ids
   */
  public Signer verify(byte[] payload, byte[] signature, String committerEmail, List<OpenPGPCertificate> keys)
      throws Refused {
    List<PGPSignature> signatures = parseSignatures(signature);
    Date now = new Date();
    List<String> reasons = new ArrayList<>();
    for (PGPSignature s : signatures) {
      KeyIdentifier issuer = OpenPGPSignature.getMostExpressiveIdentifier(s.getKeyIdentifiers());
      if (issuer == null) {
        reasons.add("the signature names no issuer key");
        continue;
      }
      OpenPGPCertificate cert = keys.stream().filter(c -> c.getKey(issuer) != null).findFirst().orElse(null);
      if (cert == null) {
        reasons.add("it is signed by key " + show(issuer) + ", which is not among the configured public keys");
        continue;
      }
      if (s.getCreationTime().getTime() > now.getTime() + CLOCK_SKEW_MILLIS) {
        reasons.add("the signature by key " + show(issuer) + " is dated " + s.getCreationTime().toInstant()
            + ", in the future");
        continue;
      }
      List<String> policyProblems = new ArrayList<>();
      List<OpenPGPSignature.OpenPGPDocumentSignature> processed;
      try {
        processed = new OpenPGPDetachedSignatureProcessor(implementation)
            .addSignature(s)
            .addVerificationCertificate(cert)
            .verifyNotAfter(new Date(now.getTime() + CLOCK_SKEW_MILLIS))
            .setExceptionCallback(e -> policyProblems.add(e.getMessage()))
            .process(new ByteArrayInputStream(payload));
      } catch (IOException e) {
        throw new Refused("cannot read the commit to verify its signature: " + e.getMessage(), e);
      }
      if (processed.isEmpty()) {
        reasons.add("the signature by key " + show(issuer) + " is refused by the OpenPGP policy"
            + (policyProblems.isEmpty() ? "" : " (" + String.join("; ", policyProblems) + ")"));
        continue;
      }
      OpenPGPSignature.OpenPGPDocumentSignature d = processed.get(0);
      if (!d.isTestedCorrect()) {
        reasons.add("the signature does not verify with key " + show(issuer) + " (the commit differs from what "
            + "was signed)");
        continue;
      }
      boolean valid;
      try {
        valid = d.isValid();
      } catch (PGPException e) {
        reasons.add("the signature by key " + show(issuer) + " is malformed: " + e.getMessage());
        continue;
      }
      if (!valid) {
        reasons.add("key " + show(issuer) + " was not valid for signing at " + s.getCreationTime().toInstant()
            + " (revoked, expired, or not allowed to sign)");
        continue;
      }
      String userId = matchingUserId(cert, committerEmail, s.getCreationTime());
      if (userId == null) {
        reasons.add("the committer e-mail `" + committerEmail + "` is not the e-mail of a valid user id of key "
            + cert.getPrettyFingerprint().replace(" ", ""));
        continue;
      }
      return new Signer(cert.getPrettyFingerprint().replace(" ", ""), show(issuer), userId);
    }
    throw new Refused(String.join("; ", reasons));
  }

  /**
   * The commit as it was signed: its raw bytes without the {@code gpgsig} header (and its
   * continuation lines), as git and JGit compute it. A commit without the header is returned as is.
   */
  public static byte[] signedPayload(byte[] rawCommit) {
    int start = RawParseUtils.headerStart(GPGSIG, rawCommit, 0);
    int body = RawParseUtils.commitMessage(rawCommit, 0);
    if (start < 0 || (body >= 0 && start >= body)) {
      return rawCommit; // no header; a gpgsig line inside the message is text, not a header
    }
    int end = RawParseUtils.nextLfSkippingSplitLines(rawCommit, start); // the line feed ending the header
    start -= GPGSIG.length + 1; // back to the header's name
    if (end < rawCommit.length) {
      end++;
    }
    byte[] out = new byte[rawCommit.length - (end - start)];
    System.arraycopy(rawCommit, 0, out, 0, start);
    System.arraycopy(rawCommit, end, out, start, rawCommit.length - end);
    return out;
  }

  private List<PGPSignature> parseSignatures(byte[] signature) throws Refused {
    List<PGPSignature> out = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature))) {
      PGPObjectFactory f = implementation.pgpObjectFactory(BCPGInputStream.wrap(in));
      Object next;
      while ((next = f.nextObject()) != null) {
        if (next instanceof PGPSignatureList list) {
          list.forEach(out::add);
        } else if (next instanceof PGPSignature s) {
          out.add(s);
        } else {
          throw new Refused("the signature holds a " + next.getClass().getSimpleName()
              + " packet, not only signatures");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new Refused("the signature is not a valid OpenPGP signature: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new Refused("the signature holds no OpenPGP signature packet");
    }
    return out;
  }

  /** The first user id of {@code cert} valid at {@code when} whose e-mail is {@code email} (case-insensitive). */
  private static String matchingUserId(OpenPGPCertificate cert, String email, Date when) {
    if (email == null || email.isBlank()) {
      return null;
    }
    String want = email.strip().toLowerCase(Locale.ROOT);
    for (OpenPGPCertificate.OpenPGPUserId uid : cert.getValidUserIds(when)) {
      if (want.equals(emailOf(uid.getUserId()))) {
        return uid.getUserId();
      }
    }
    return null;
  }

  /** {@code Name <a@b>} → {@code a@b}; a bare {@code a@b} as is; lower case. */
  static String emailOf(String userId) {
    String u = userId.strip();
    int lt = u.lastIndexOf('<');
    int gt = u.lastIndexOf('>');
    String e = lt >= 0 && gt > lt ? u.substring(lt + 1, gt) : u;
    return e.strip().toLowerCase(Locale.ROOT);
  }

  private static String show(KeyIdentifier id) {
    return id.toString().toUpperCase(Locale.ROOT);
  }
}
