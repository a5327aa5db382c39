package io.vectorgate.proxy.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.model.Operation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The fingerprint an approval is bound to: SHA-256 over length-prefixed fields (a version tag, the
 * connection, the wire method, the database the request addresses, the exact request bytes).
 * An HTTP request ({@link #ofHttp}) is fingerprinted under its own tag over the connection, the
 * method, the normalized path, the normalized query and the body bytes as the client sent them.
 * Without bytes (a transport that does not pass them) the canonical JSON of the operation stands
 * in, under another tag. Each kind has its own tag, so no two kinds ever collide.
 */
public final class RequestFingerprint {
  private RequestFingerprint() {}

  public static String of(String connection, String method, String database, byte[] requestBytes) {
    MessageDigest md = sha256();
    field(md, "vectorgate-approval-v1/bytes".getBytes(StandardCharsets.UTF_8));
    field(md, utf8(connection));
    field(md, utf8(method));
    field(md, utf8(database));
    field(md, requestBytes);
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * The fingerprint of an HTTP request: {@code target} is the normalized request-target
   * ({@code /path} or {@code /path?query}); path and query go in as separate fields.
   */
  public static String ofHttp(String connection, String method, String target, byte[] body) {
    int q = target.indexOf('?');
    MessageDigest md = sha256();
    field(md, "vectorgate-approval-v2/http".getBytes(StandardCharsets.UTF_8));
    field(md, utf8(connection));
    field(md, utf8(method));
    field(md, utf8(q < 0 ? target : target.substring(0, q)));
    // a query marker first, so "no query" and "an empty query" stay distinct
    field(md, q < 0 ? new byte[0] : utf8("?" + target.substring(q + 1)));
    field(md, body == null ? new byte[0] : body);
    return HexFormat.of().formatHex(md.digest());
  }

  public static String ofOperation(String connection, Operation op) {
    byte[] json;
    try {
      json = ContractJson.mapper().writeValueAsBytes(op);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the operation for its fingerprint", e);
    }
    MessageDigest md = sha256();
    field(md, "vectorgate-approval-v1/operation".getBytes(StandardCharsets.UTF_8));
    field(md, utf8(connection));
    field(md, json);
    return HexFormat.of().formatHex(md.digest());
  }

  private static byte[] utf8(String s) {
    return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
  }

  private static void field(MessageDigest md, byte[] b) {
    md.update(ByteBuffer.allocate(8).putLong(b.length).array());
    md.update(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
