package io.vectorgate.rollout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A branch of a git repository, read with JGit into a local bare mirror. {@link #latest()} fetches
 * the branch (a force-push simply moves the head; a deleted branch is a fetch failure and the
 * active revision stays); {@link #checkout} writes the commit's policy directory from the object
 * database, refusing symlinks, submodules, unsafe paths and oversized trees. Activated revisions
 * are kept under {@code refs/vectorgate/good/} so they stay available for rollback after a force-push.
 */
public final class GitPolicySource implements PolicySource {
  private static final Logger LOG = LoggerFactory.getLogger(GitPolicySource.class);
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  static final int MAX_FILES = 10_000;
  static final long MAX_BYTES = 64L * 1024 * 1024;
  private static final String HEAD_REF = "refs/vectorgate/head";
  /** Connect and read timeout of a remote fetch. */
  static final int REMOTE_TIMEOUT_SECONDS = 30;

  private final GitSourceConfig config;
  private final Repository repo;
  private final CredentialsProvider credentials;
  private final GitSsh ssh;
  private final String remoteUri;
  private volatile ObjectId lastHead;

  public GitPolicySource(GitSourceConfig config) throws IOException {
    this.config = config;
    Files.createDirectories(config.mirror());
    Repository r = new FileRepositoryBuilder().setGitDir(config.mirror().toFile()).setBare().build();
    if (!r.getObjectDatabase().exists()) {
      r.create(true);
    }
    this.repo = r;
    GitSourceConfig.GitCredentials c = config.credentials();
    this.credentials = c.token() == null ? null : new UsernamePasswordCredentialsProvider(c.username(), c.token());
    if (config.isSsh()) {
      SshRemote remote = config.sshRemote();
      GitSsh s;
      try {
        s = new GitSsh(remote, c.sshKeyFile(), c.sshKeyPassphrase(), c.knownHostsFile(),
            config.mirror().toAbsolutePath().resolveSibling(config.mirror().getFileName() + ".ssh-home"));
      } catch (IOException | RuntimeException e) {
        repo.close();
        throw e;
      }
      try {
        s.loadKeys();
        if (!Files.isRegularFile(c.knownHostsFile()) || !Files.isReadable(c.knownHostsFile())) {
          throw new IllegalArgumentException("policy.source.credentials.known_hosts_file: `" + c.knownHostsFile()
              + "` is not a readable file");
        }
      } catch (GitSsh.KeyLoadException e) {
        s.close();
        repo.close();
        throw new IllegalArgumentException("policy.source.credentials." + e.getMessage(), e);
      } catch (RuntimeException e) {
        s.close();
        repo.close();
        throw e;
      }
      this.ssh = s;
      this.remoteUri = remote.toGitUri();
    } else {
      this.ssh = null;
      this.remoteUri = config.uri();
    }
    this.lastHead = repo.resolve(HEAD_REF);
  }

  /** SSH sessions come from this source's own factory; an SSH transport without SSH credentials is refused. */
  private void configureTransport(Transport transport) {
    if (transport instanceof SshTransport) {
      if (ssh == null) {
        throw new IllegalStateException("the URL is served over ssh, but the source has no ssh credentials "
            + "(write it as ssh://… or user@host:path with ssh_key_file and known_hosts_file)");
      }
      ssh.configure(transport);
    }
  }

  @Override
  public String describe() {
    return "git " + config.safeUri() + " branch " + config.branch()
        + (config.subdir().isEmpty() ? "" : " path " + config.subdir());
  }

  public GitSourceConfig config() {
    return config;
  }

  /** Checks that {@code revision} is a full commit id (40 or 64 lower-case hex digits). */
  public static boolean isCommitId(String revision) {
    return revision != null && SHA.matcher(revision).matches();
  }

  @Override
  public synchronized Optional<String> latest() throws RolloutException {
    String branchRef = Constants.R_HEADS + config.branch();
    if (ssh != null) {
      ssh.resetRejection();
      try {
        ssh.loadKeys();
      } catch (GitSsh.KeyLoadException e) {
        throw new RolloutException(Stage.FETCH, "cannot fetch branch `" + config.branch() + "` from "
            + config.safeUri() + ": " + e.getMessage(), e);
      }
    }
    try (Git git = new Git(repo)) {
      Collection<org.eclipse.jgit.lib.Ref> refs = Git.lsRemoteRepository().setRemote(remoteUri).setHeads(true)
          .setCredentialsProvider(credentials).setTransportConfigCallback(this::configureTransport)
          .setTimeout(REMOTE_TIMEOUT_SECONDS).call();
      if (refs.stream().noneMatch(r -> r.getName().equals(branchRef))) {
        throw new RolloutException(Stage.FETCH, "branch `" + config.branch() + "` does not exist in "
            + config.safeUri() + " (deleted?); the active revision stays");
      }
      git.fetch().setRemote(remoteUri).setCredentialsProvider(credentials)
          .setTransportConfigCallback(this::configureTransport).setTimeout(REMOTE_TIMEOUT_SECONDS)
          .setRefSpecs(new RefSpec("+" + branchRef + ":" + HEAD_REF)).call();
      ObjectId head = repo.resolve(HEAD_REF);
      if (head == null) {
        throw new RolloutException(Stage.FETCH, "fetch of branch `" + config.branch() + "` from " + config.safeUri()
            + " returned no commit");
      }
      ObjectId previous = lastHead;
      if (previous != null && !previous.equals(head) && !isAncestor(previous, head)) {
        LOG.warn("event=policy_source_force_push source=\"{}\" previous={} head={}", describe(), previous.name(),
            head.name());
      }
      lastHead = head;
      return Optional.of(head.name());
    } catch (GitAPIException | IOException | RuntimeException e) {
      throw new RolloutException(Stage.FETCH, "cannot fetch branch `" + config.branch() + "` from " + config.safeUri()
          + ": " + fetchFailure(e), e);
    }
  }

  /** The reason of a failed fetch: for ssh, the host key or key file refusal, or an authentication failure. */
  private String fetchFailure(Exception e) {
    String message = redact(e.getMessage());
    if (ssh == null) {
      return message;
    }
    Optional<String> local = ssh.takeRejection();
    if (local.isPresent()) {
      return local.get();
    }
    if (causeChain(e).toLowerCase(java.util.Locale.ROOT).contains("auth")) {
      SshRemote r = ssh.remote();
      return "ssh authentication as `" + r.user() + "` to " + r.knownHostsName() + " failed with ssh_key_file `"
          + config.credentials().sshKeyFile() + "` (is its public key authorized for this repository?): " + message;
    }
    return message;
  }

  private String causeChain(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 4096; t = t.getCause()) {
      sb.append(t.getMessage()).append(' ');
    }
    return redact(sb.toString());
  }

  private boolean isAncestor(ObjectId ancestor, ObjectId head) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit a;
      try {
        a = walk.parseCommit(ancestor);
      } catch (MissingObjectException e) {
        return false;
      }
      return walk.isMergedInto(a, walk.parseCommit(head));
    }
  }

  @Override
  public synchronized Candidate checkout(String revision, Path staging) throws RolloutException {
    if (!isCommitId(revision)) {
      throw new RolloutException(Stage.CHECKOUT, "revision `" + printable(revision)
          + "` is not a full commit id (40 lower-case hex digits)");
    }
    ObjectId id = ObjectId.fromString(revision);
    try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
      RevCommit commit;
      try {
        commit = walk.parseCommit(id);
      } catch (MissingObjectException e) {
        throw new RolloutException(Stage.CHECKOUT, "commit " + revision + " is not in " + config.safeUri()
            + " (not fetched from branch `" + config.branch() + "`, or removed by a force-push before it was seen)", e);
      } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
        throw new RolloutException(Stage.CHECKOUT, revision + " is not a commit", e);
      }
      if (config.requiresSignatures()) {
        verifySignature(commit);
      }
      Files.createDirectories(staging);
      int files = 0;
      long bytes = 0;
      boolean found = config.subdir().isEmpty();
      try (TreeWalk tw = new TreeWalk(repo, reader)) {
        tw.addTree(commit.getTree());
        tw.setRecursive(true);
        if (!config.subdir().isEmpty()) {
          tw.setFilter(PathFilter.create(config.subdir()));
        }
        String prefix = config.subdir().isEmpty() ? "" : config.subdir() + "/";
        while (tw.next()) {
          String path = tw.getPathString();
          if (!path.startsWith(prefix)) {
            continue; // the sub-directory itself is a file
          }
          found = true;
          String rel = path.substring(prefix.length());
          FileMode mode = tw.getFileMode(0);
          if (mode == FileMode.SYMLINK) {
            throw new RolloutException(Stage.CHECKOUT, "`" + path + "` is a symbolic link; policy directories may "
                + "contain only regular files");
          }
          if (mode == FileMode.GITLINK) {
            throw new RolloutException(Stage.CHECKOUT, "`" + path + "` is a submodule; submodules are not supported");
          }
          if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
            throw new RolloutException(Stage.CHECKOUT, "`" + path + "` has unsupported file mode " + mode);
          }
          Path target = safeTarget(staging, rel, path);
          if (++files > MAX_FILES) {
            throw new RolloutException(Stage.CHECKOUT, "the policy directory has more than " + MAX_FILES + " files");
          }
          ObjectLoader loader = reader.open(tw.getObjectId(0));
          bytes += loader.getSize();
          if (bytes > MAX_BYTES) {
            throw new RolloutException(Stage.CHECKOUT, "the policy directory is larger than " + MAX_BYTES + " bytes");
          }
          Files.createDirectories(target.getParent());
          try (OutputStream out = Files.newOutputStream(target)) {
            loader.copyTo(out);
          }
        }
      }
      if (!found) {
        throw new RolloutException(Stage.CHECKOUT, "directory `" + config.subdir() + "` does not exist at commit "
            + revision);
      }
      return new Candidate.Tree(revision, staging, config.subdir());
    } catch (IOException e) {
      throw new RolloutException(Stage.CHECKOUT, "cannot check out " + revision + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses, at stage {@link Stage#CHECKOUT} and before any file of it is written, a commit that is
   * unsigned or whose signature does not verify: an SSH signature against the
   * {@code allowed_signers_file} (git's {@code gpg.ssh.allowedSignersFile} format: the committer's
   * e-mail must be a principal of the signing key), an OpenPGP (GPG) signature against the
   * {@code public_keys} ({@link OpenPgpCommitVerifier}: the committer's e-mail must be the e-mail of
   * a user id of the signing key). A signature of a format the source has no keys for, and X.509
   * (gpgsm) signatures, are refused. The key files are read at every check.
   */
  private void verifySignature(RevCommit commit) throws RolloutException {
    byte[] signature = commit.getRawGpgSignature();
    if (signature == null) {
      throw new RolloutException(Stage.CHECKOUT, "commit " + commit.name() + " is not signed; policy.source.signatures "
          + "requires commits signed by " + config.signersDescription());
    }
    switch (org.eclipse.jgit.lib.SignatureVerifiers.getFormat(signature)) {
      case SSH -> verifySsh(commit);
      case OPENPGP -> verifyOpenPgp(commit, signature);
      default -> throw new RolloutException(Stage.CHECKOUT, "commit " + commit.name() + " carries an X.509 (gpgsm) "
          + "signature; only SSH and OpenPGP signatures are verified; refused");
    }
  }

  private void verifySsh(RevCommit commit) throws RolloutException {
    if (config.allowedSigners() == null) {
      throw new RolloutException(Stage.CHECKOUT, "commit " + commit.name() + " carries an SSH signature, but "
          + "policy.source.signatures has no allowed_signers_file; commits must be signed by "
          + config.signersDescription() + "; refused");
    }
    String file = config.allowedSigners().toAbsolutePath().toString();
    org.eclipse.jgit.lib.Config c = new org.eclipse.jgit.lib.Config();
    c.setString("gpg", null, "format", "ssh");
    c.setString("gpg", "ssh", "allowedSignersFile", file);
    org.eclipse.jgit.lib.SignatureVerifier.SignatureVerification v;
    try {
      v = org.eclipse.jgit.lib.SignatureVerifiers.verify(repo, new org.eclipse.jgit.lib.GpgConfig(c), commit);
    } catch (IOException | RuntimeException e) {
      throw new RolloutException(Stage.CHECKOUT, "cannot verify the signature of commit " + commit.name() + ": " + e, e);
    }
    if (v == null) {
      throw new RolloutException(Stage.CHECKOUT, "the SSH signature of commit " + commit.name() + " cannot be "
          + "verified (no SSH signature verifier is available); refused");
    }
    if (!v.verified() || v.expired()) {
      throw new RolloutException(Stage.CHECKOUT, "the signature of commit " + commit.name() + " does not verify against "
          + "allowed_signers_file `" + file + "`" + (v.expired() ? " (the key has expired)" : "")
          + (v.message() == null || v.message().isBlank() ? "" : ": " + v.message()) + "; refused");
    }
    LOG.info("event=policy_commit_signature_verified revision={} format=ssh signer=\"{}\" key={}", commit.name(),
        v.signer() != null ? v.signer() : v.keyUser(), v.keyFingerprint());
  }

  private void verifyOpenPgp(RevCommit commit, byte[] signature) throws RolloutException {
    if (config.openPgpKeys().isEmpty()) {
      throw new RolloutException(Stage.CHECKOUT, "commit " + commit.name() + " carries an OpenPGP (GPG) signature, but "
          + GitSourceConfig.OPENPGP_KEYS_FIELD + " is empty; commits must be signed by " + config.signersDescription()
          + "; refused");
    }
    OpenPgpCommitVerifier verifier = new OpenPgpCommitVerifier();
    List<org.bouncycastle.openpgp.api.OpenPGPCertificate> keys;
    try {
      keys = verifier.readKeys(config.openPgpKeys(), GitSourceConfig.OPENPGP_KEYS_FIELD);
    } catch (IllegalArgumentException e) {
      throw new RolloutException(Stage.CHECKOUT, "cannot verify the signature of commit " + commit.name() + ": "
          + e.getMessage(), e);
    }
    OpenPgpCommitVerifier.Signer signer;
    try {
      signer = verifier.verify(OpenPgpCommitVerifier.signedPayload(commit.getRawBuffer()), signature,
          commit.getCommitterIdent().getEmailAddress(), keys);
    } catch (OpenPgpCommitVerifier.Refused e) {
      throw new RolloutException(Stage.CHECKOUT, "the OpenPGP signature of commit " + commit.name() + " does not "
          + "verify against " + GitSourceConfig.OPENPGP_KEYS_FIELD + ": " + e.getMessage() + "; refused", e);
    }
    LOG.info("event=policy_commit_signature_verified revision={} format=openpgp signer=\"{}\" key={} signing_key={}",
        commit.name(), signer.userId(), signer.fingerprint(), signer.signingKey());
  }

  private static Path safeTarget(Path staging, String rel, String path) throws RolloutException {
    for (String part : rel.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.equalsIgnoreCase(".git")
          || part.contains("\\") || part.chars().anyMatch(c -> c < 0x20 || c == ':')) {
        throw new RolloutException(Stage.CHECKOUT, "unsafe path `" + printable(path) + "` in the repository");
      }
    }
    Path base = staging.toAbsolutePath().normalize();
    Path target = base.resolve(rel).normalize();
    if (!target.startsWith(base) || target.equals(base)) {
      throw new RolloutException(Stage.CHECKOUT, "unsafe path `" + printable(path) + "` in the repository");
    }
    return target;
  }

  /** True when {@code revision} is a commit already in the local mirror. */
  public synchronized boolean contains(String revision) {
    if (!isCommitId(revision)) {
      return false;
    }
    try {
      return repo.getObjectDatabase().has(ObjectId.fromString(revision));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized java.util.List<String> ancestors(String revision, int limit) {
    if (!isCommitId(revision)) {
      return java.util.List.of();
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    try (RevWalk walk = new RevWalk(repo)) {
      walk.setFirstParent(true);
      walk.markStart(walk.parseCommit(ObjectId.fromString(revision)));
      walk.next(); // the revision itself
      for (RevCommit c = walk.next(); c != null && out.size() < limit; c = walk.next()) {
        out.add(c.getName());
      }
    } catch (IOException e) {
      LOG.warn("event=policy_source_history_failed revision={} error=\"{}\"", revision, e.toString());
    }
    return out;
  }

  /** Keeps {@code revision} reachable in the mirror (rollback after a force-push). */
  public synchronized void retain(String revision) {
    if (!isCommitId(revision)) {
      return;
    }
    try {
      RefUpdate u = repo.updateRef("refs/vectorgate/good/" + revision);
      u.setNewObjectId(ObjectId.fromString(revision));
      u.setForceUpdate(true);
      RefUpdate.Result r = u.update();
      LOG.debug("event=policy_revision_retained revision={} result={}", revision, r);
    } catch (IOException e) {
      LOG.warn("event=policy_revision_retain_failed revision={} error=\"{}\"", revision, e.toString());
    }
  }

  private String redact(String message) {
    String m = message == null ? "" : message;
    String token = config.credentials().token();
    if (token != null && !token.isEmpty()) {
      m = m.replace(token, "***");
    }
    String passphrase = config.credentials().sshKeyPassphrase();
    if (passphrase != null && !passphrase.isEmpty()) {
      m = m.replace(passphrase, "***");
    }
    return m.replace(config.uri(), config.safeUri());
  }

  static String printable(String s) {
    if (s == null) {
      return "null";
    }
    String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    StringBuilder sb = new StringBuilder();
    t.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  @Override
  public void close() {
    if (ssh != null) {
      ssh.close();
    }
    repo.close();
  }
}
