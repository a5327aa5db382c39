package io.vectorgate.rollout;

import io.vectorgate.engine.PolicyBundle;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls an OPA-compatible bundle server: {@code GET url} with {@code If-None-Match} (the last
 * ETag); 304 keeps the known revision without a download; 200 brings a bundle that is size-limited,
 * signature-checked when configured, and parsed. The revision is the manifest's {@code revision}
 * (else {@code sha256:} of the archive). The last {@value #KEEP} bundles are kept for pin and rollback.
 */
public final class BundleServerSource implements PolicySource {
  private static final Logger LOG = LoggerFactory.getLogger(BundleServerSource.class);
  static final int KEEP = 8;

  private final BundleServerConfig config;
  private final HttpClient http;
  private String etag;
  private String current;
  private long downloads;
  private long notModified;
  private final Map<String, PolicyBundle> bundles = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, PolicyBundle> eldest) {
      return size() > KEEP;
    }
  };

  public BundleServerSource(BundleServerConfig config) {
    this.config = config;
    this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public String describe() {
    return "bundle server " + config.url();
  }

  /** Downloads with a 200 so far. */
  public synchronized long downloads() {
    return downloads;
  }

  /** Answers 304 Not Modified so far. */
  public synchronized long notModified() {
    return notModified;
  }

  @Override
  public synchronized Optional<String> latest() throws RolloutException {
    HttpRequest.Builder req = HttpRequest.newBuilder(config.url()).timeout(config.timeout()).GET()
        .header("Accept", "application/gzip");
    if (etag != null && current != null) {
      req.header("If-None-Match", etag);
    }
    if (config.bearerToken() != null) {
      req.header("Authorization", "Bearer " + config.bearerToken());
    }
    HttpResponse<InputStream> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new RolloutException(Stage.FETCH, "cannot reach " + config.url() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RolloutException(Stage.FETCH, "interrupted while fetching " + config.url(), e);
    }
    try (InputStream body = resp.body()) {
      if (resp.statusCode() == 304) {
        notModified++;
        return Optional.ofNullable(current);
      }
      if (resp.statusCode() != 200) {
        throw new RolloutException(Stage.FETCH, config.url() + " answered HTTP " + resp.statusCode());
      }
      long max = config.limits().maxCompressedBytes();
      byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new RolloutException(Stage.FETCH, "bundle from " + config.url() + " is larger than " + max + " bytes");
      }
      downloads++;
      if (config.verifier() != null) {
        config.verifier().verify(bytes, config.limits());
      }
      PolicyBundle bundle;
      try {
        bundle = PolicyBundle.read(bytes, config.limits());
      } catch (PolicyBundle.BundleException e) {
        throw new RolloutException(Stage.FETCH, "bundle from " + config.url() + " is not usable: " + e.getMessage(), e);
      }
      String rev = bundle.revision() == null || bundle.revision().isEmpty() ? "sha256:" + bundle.sha256()
          : bundle.revision();
      bundles.put(rev, bundle);
      current = rev;
      etag = resp.headers().firstValue("ETag").orElse(null);
      LOG.info("event=bundle_downloaded source=\"{}\" revision={} bytes={} etag={}", describe(), rev, bytes.length, etag);
      return Optional.of(rev);
    } catch (IOException e) {
      throw new RolloutException(Stage.FETCH, "cannot read the bundle from " + config.url() + ": " + e, e);
    }
  }

  @Override
  public synchronized Candidate checkout(String revision, Path staging) throws RolloutException {
    PolicyBundle b = bundles.get(revision);
    if (b == null) {
      throw new RolloutException(Stage.CHECKOUT, "revision `" + GitPolicySource.printable(revision)
          + "` is not one of the last " + KEEP + " bundles downloaded from " + config.url());
    }
    return new Candidate.Bundle(revision, b);
  }
}
