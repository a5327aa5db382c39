package io.vectorgate.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.vectorgate.engine.BundleLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Verifies a bundle's {@code .signatures.json} the way OPA does ({@code opa build --signing-key}):
 * exactly one JWT whose payload lists every other file of the bundle with its digest
 * ({@code files: [{name, hash, algorithm}]}), a key id ({@code keyid}, else the header's
 * {@code kid}, else the configured default) naming a configured key, and an optional
 * {@code scope} that must equal the configured one. JSON files ({@code *.json},
 * {@code .manifest}) are hashed in OPA's canonical form ({@link CanonicalJsonHash}), other files
 * as bytes. Any mismatch, unlisted file, listed-but-missing file or unknown key refuses the bundle.
 */
public final class BundleSignatureVerifier {
  public static final String SIGNATURES_FILE = ".signatures.json";
  private static final Map<String, String> DIGESTS = Map.of(
      "SHA-224", "SHA-224", "SHA-256", "SHA-256", "SHA-384", "SHA-384", "SHA-512", "SHA-512",
      "SHA-512-224", "SHA-512/224", "SHA-512-256", "SHA-512/256");
  private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
  private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
  private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, JWK> keys;
  private final String defaultKeyId;
  private final String scope;

  /**
   * @param keys verification keys by key id (public RSA/EC keys, or HMAC secrets)
   * @param defaultKeyId the key used when the signature names none (null: the signature must name one)
   * @param scope the scope the signature must carry (null: any)
   */
  public BundleSignatureVerifier(Map<String, JWK> keys, String defaultKeyId, String scope) {
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("bundle signing: at least one verification key is required");
    }
    this.keys = Map.copyOf(keys);
    this.defaultKeyId = defaultKeyId;
    this.scope = scope;
  }

  /** A public key from PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo, RSA or EC). */
  public static JWK publicKeyFromPem(String pem) {
    String b64 = pem == null ? "" : pem.replaceAll("-----BEGIN PUBLIC KEY-----|-----END PUBLIC KEY-----|\\s", "");
    if (pem == null || !pem.contains("-----BEGIN PUBLIC KEY-----") || b64.isEmpty()) {
      throw new IllegalArgumentException("bundle signing: expected a PEM `PUBLIC KEY` (RSA or EC)");
    }
    byte[] der;
    try {
      der = java.util.Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bundle signing: the PEM public key is not valid base64", e);
    }
    java.security.spec.X509EncodedKeySpec spec = new java.security.spec.X509EncodedKeySpec(der);
    try {
      java.security.PublicKey k = java.security.KeyFactory.getInstance("RSA").generatePublic(spec);
      return new RSAKey.Builder((java.security.interfaces.RSAPublicKey) k).build();
    } catch (java.security.GeneralSecurityException notRsa) {
      try {
        java.security.interfaces.ECPublicKey k = (java.security.interfaces.ECPublicKey)
            java.security.KeyFactory.getInstance("EC").generatePublic(spec);
        return new ECKey.Builder(com.nimbusds.jose.jwk.Curve.forECParameterSpec(k.getParams()), k).build();
      } catch (java.security.GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException("bundle signing: the PEM public key is neither RSA nor EC: " + e.getMessage(), e);
      }
    }
  }

  /** An HMAC secret (HS256/384/512). */
  public static JWK hmacSecret(byte[] secret) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("bundle signing: an HMAC secret needs at least 32 bytes");
    }
    return new OctetSequenceKey.Builder(secret).build();
  }

  /** Verifies {@code tarGz}; the failure names what is wrong (stage {@link Stage#FETCH}). */
  public void verify(byte[] tarGz, BundleLimits limits) throws RolloutException {
    Map<String, byte[]> files = readFiles(tarGz, limits);
    byte[] sigs = files.remove(SIGNATURES_FILE);
    if (sigs == null) {
      throw fail("the bundle is not signed (no " + SIGNATURES_FILE + ") but signature verification is configured");
    }
    JsonNode root;
    try {
      root = JSON.readTree(sigs);
    } catch (IOException e) {
      throw fail(SIGNATURES_FILE + " is not JSON: " + e.getMessage());
    }
    JsonNode list = root == null ? null : root.get("signatures");
    if (list == null || !list.isArray() || list.size() != 1 || !list.get(0).isTextual()) {
      throw fail(SIGNATURES_FILE + " must hold exactly one signature in `signatures`");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(list.get(0).asText());
    } catch (ParseException e) {
      throw fail("the signature is not a signed JWT: " + e.getMessage());
    }
    Map<String, Object> payload;
    try {
      payload = jwt.getPayload().toJSONObject();
    } catch (RuntimeException e) {
      throw fail("the signature payload is not a JSON object");
    }
    if (payload == null) {
      throw fail("the signature payload is not a JSON object");
    }
    String kid = payload.get("keyid") instanceof String s && !s.isEmpty() ? s
        : jwt.getHeader().getKeyID() != null && !jwt.getHeader().getKeyID().isEmpty() ? jwt.getHeader().getKeyID()
        : defaultKeyId;
    if (kid == null) {
      throw fail("the signature names no key id and no default key is configured");
    }
    JWK key = keys.get(kid);
    if (key == null) {
      throw fail("the signature's key id `" + GitPolicySource.printable(kid) + "` is not a configured verification key");
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    try {
      JWSVerifier verifier;
      if (key instanceof RSAKey rsa && RSA.contains(alg)) {
        verifier = new RSASSAVerifier(rsa);
      } else if (key instanceof ECKey ec && EC.contains(alg)) {
        verifier = new ECDSAVerifier(ec);
      } else if (key instanceof OctetSequenceKey oct && HMAC.contains(alg)) {
        verifier = new MACVerifier(oct);
      } else {
        throw fail("algorithm " + alg + " does not fit key `" + kid + "` (" + key.getKeyType() + ")");
      }
      if (!jwt.verify(verifier)) {
        throw fail("the signature does not verify with key `" + kid + "`");
      }
    } catch (JOSEException e) {
      throw new RolloutException(Stage.FETCH, "signature check failed: " + e.getMessage(), e);
    }
    if (scope != null && !scope.equals(payload.get("scope"))) {
      throw fail("the signature's scope `" + payload.get("scope") + "` is not the configured scope `" + scope + "`");
    }
    if (!(payload.get("files") instanceof List<?> listed)) {
      throw fail("the signature payload has no `files` list");
    }
    Map<String, Object[]> signed = new LinkedHashMap<>();
    for (Object o : listed) {
      if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name) || !(m.get("hash") instanceof String hash)
          || !(m.get("algorithm") instanceof String algorithm)) {
        throw fail("an entry of the signed `files` list lacks name, hash or algorithm");
      }
      if (signed.put(normalize(name), new Object[] {hash, algorithm}) != null) {
        throw fail("the signature lists `" + GitPolicySource.printable(name) + "` twice");
      }
    }
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Object[] s = signed.remove(f.getKey());
      if (s == null) {
        throw fail("file `" + f.getKey() + "` is not covered by the bundle signature");
      }
      String javaAlg = DIGESTS.get((String) s[1]);
      if (javaAlg == null) {
        throw fail("file `" + f.getKey() + "`: hashing algorithm `" + GitPolicySource.printable((String) s[1])
            + "` is not accepted (SHA-224/256/384/512)");
      }
      String actual;
      try {
        MessageDigest md = MessageDigest.getInstance(javaAlg);
        String n = f.getKey();
        byte[] d = n.endsWith(".json") || n.equals(".manifest") || n.endsWith("/.manifest")
            ? CanonicalJsonHash.digestJson(f.getValue(), md) : md.digest(f.getValue());
        actual = HexFormat.of().formatHex(d);
      } catch (NoSuchAlgorithmException e) {
        throw new RolloutException(Stage.FETCH, "digest " + javaAlg + " unavailable", e);
      } catch (IOException e) {
        throw fail("file `" + f.getKey() + "` is not valid JSON: " + e.getMessage());
      }
      if (!MessageDigest.isEqual(actual.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          ((String) s[0]).toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
        throw fail("file `" + f.getKey() + "` does not match its signed digest (modified after signing?)");
      }
    }
    if (!signed.isEmpty()) {
      throw fail("file(s) " + new TreeSet<>(signed.keySet()) + " are signed but missing from the bundle");
    }
  }

  private static RolloutException fail(String message) {
    return new RolloutException(Stage.FETCH, "bundle signature: " + message);
  }

  static String normalize(String name) {
    String n = name;
    while (n.startsWith("/") || n.startsWith("./")) {
      n = n.startsWith("/") ? n.substring(1) : n.substring(2);
    }
    return n;
  }

  private static Map<String, byte[]> readFiles(byte[] tarGz, BundleLimits limits) throws RolloutException {
    Objects.requireNonNull(limits, "limits");
    Map<String, byte[]> files = new TreeMap<>();
    long total = 0;
    int entries = 0;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new ByteArrayInputStream(tarGz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (++entries > limits.maxEntries()) {
          throw fail("more than " + limits.maxEntries() + " entries");
        }
        if (e.isDirectory()) {
          continue;
        }
        if (!e.isFile()) {
          throw fail("entry `" + GitPolicySource.printable(e.getName()) + "` is not a regular file");
        }
        byte[] content = readCapped(tar, limits.maxUncompressedBytes() - total);
        if (content == null) {
          throw fail("larger than " + limits.maxUncompressedBytes() + " bytes uncompressed");
        }
        total += content.length;
        if (files.put(normalize(e.getName()), content) != null) {
          throw fail("entry `" + GitPolicySource.printable(e.getName()) + "` appears twice");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new RolloutException(Stage.FETCH, "bundle is not a readable tar.gz: " + e.getMessage(), e);
    }
    return files;
  }

  private static byte[] readCapped(InputStream in, long budget) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    long n = 0;
    int r;
    while ((r = in.read(buf)) > 0) {
      n += r;
      if (n > budget) {
        return null;
      }
      out.write(buf, 0, r);
    }
    return out.toByteArray();
  }
}
