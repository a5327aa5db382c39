package io.vectorgate.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The bytes an OpenPGP commit signature covers: removing the gpgsig header from a signed commit
 * gives back exactly the commit JGit built before signing, whatever the message, parents and
 * signature text; a commit without the header, even one whose message has gpgsig-like lines, is
 * unchanged.
 */
class CommitPayloadProperties {
  @Provide
  Arbitrary<String> messages() {
    Arbitrary<String> line = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40),
        Arbitraries.of("gpgsig -----BEGIN PGP SIGNATURE-----", " continuation", "", "gpgsig x", "tree 0"));
    return line.list().ofMaxSize(6).map(ls -> String.join("\n", ls) + "\n");
  }

  @Provide
  Arbitrary<String> signatures() {
    Arbitrary<String> line = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(64);
    return line.list().ofMinSize(1).ofMaxSize(8).map(ls -> "-----BEGIN PGP SIGNATURE-----\n\n" + String.join("\n", ls)
        + "\n-----END PGP SIGNATURE-----\n");
  }

  private static CommitBuilder commit(String message, int parents, boolean encoding) {
    CommitBuilder b = new CommitBuilder();
    b.setTreeId(ObjectId.fromString("c78aa44f5af02f4c776c54424583cd17297be7ca"));
    List<ObjectId> ps = new java.util.ArrayList<>();
    for (int i = 0; i < parents; i++) {
      ps.add(ObjectId.fromString(String.format("%040x", i + 1)));
    }
    b.setParentIds(ps);
    PersonIdent who = new PersonIdent("Policy Author", "author@example.test", 1_796_673_600_000L, 0);
    b.setAuthor(who);
    b.setCommitter(who);
    b.setMessage(message);
    if (encoding) {
      b.setEncoding(StandardCharsets.ISO_8859_1);
    }
    return b;
  }

  @Property(tries = 300)
  void strippingTheSignatureGivesTheCommitAsSigned(@ForAll("messages") String message,
      @ForAll("signatures") String signature, @ForAll boolean encoding,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int parents) throws Exception {
    CommitBuilder b = commit(message, parents, encoding);
    byte[] unsigned = b.build();
    assertArrayEquals(unsigned, OpenPgpCommitVerifier.signedPayload(unsigned), "no gpgsig header: unchanged");
    b.setGpgSignature(new GpgSignature(signature.getBytes(StandardCharsets.US_ASCII)));
    assertArrayEquals(unsigned, OpenPgpCommitVerifier.signedPayload(b.build()));
  }
}
