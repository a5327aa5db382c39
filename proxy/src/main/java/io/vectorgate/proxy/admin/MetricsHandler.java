package io.vectorgate.proxy.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.vectorgate.approvals.Approver;
import io.vectorgate.approvals.admin.AdminAuthenticator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: {@link GatewayPrometheus} in the Prometheus text format. Authentication is
 * one of: an OIDC token of a reader or operator group ({@code oidc}), a static scrape token
 * compared in constant time ({@code bearer}), or none ({@code none}, for a scraper on loopback).
 */
public final class MetricsHandler implements HttpHandler {
  public static final String PATH = "/metrics";
  private static final Logger LOG = LoggerFactory.getLogger(MetricsHandler.class);

  /** How a scrape is authenticated. */
  public sealed interface Access {
    /** An OIDC token of one of {@code groups}. */
    record Oidc(AdminAuthenticator auth, Set<String> groups) implements Access {}

    /** Exactly this bearer token. */
    record StaticToken(String token) implements Access {
      @Override
      public String toString() {
        return "StaticToken[***]";
      }
    }

    /** No authentication. */
    record None() implements Access {}
  }

  private final GatewayPrometheus metrics;
  private final Access access;

  public MetricsHandler(GatewayPrometheus metrics, Access access) {
    this.metrics = metrics;
    this.access = access;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        if (!ex.getRequestURI().getRawPath().equals(PATH)) {
          throw new AdminHttp.Refusal(404, "not_found", "no such endpoint `"
              + AdminHttp.printable(ex.getRequestURI().getRawPath()) + "`");
        }
        authorize(ex);
        AdminHttp.requireMethod(ex, "GET");
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", GatewayPrometheus.CONTENT_TYPE);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      } catch (AdminHttp.Refusal e) {
        AdminHttp.respond(ex, e.status, AdminHttp.error(e.code, e.getMessage()));
      } catch (RuntimeException e) {
        LOG.error("event=metrics_error error={}", e.toString(), e);
        AdminHttp.respond(ex, 500, AdminHttp.error("internal_error", "collecting metrics failed; see the gateway log"));
      }
    }
  }

  private void authorize(HttpExchange ex) throws AdminHttp.Refusal {
    if (access instanceof Access.Oidc o) {
      Approver who = AdminHttp.authenticate(ex, o.auth());
      AdminHttp.requireGroup(who, o.groups(), "reading metrics");
    } else if (access instanceof Access.StaticToken t) {
      String given = AdminHttp.bearer(ex);
      if (!MessageDigest.isEqual(t.token().getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
        throw new AdminHttp.Refusal(401, "invalid_token", "the scrape token is not accepted");
      }
    }
  }
}
