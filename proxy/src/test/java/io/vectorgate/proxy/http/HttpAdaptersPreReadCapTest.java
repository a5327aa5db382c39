package io.vectorgate.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.model.DatabaseKind;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import io.vectorgate.proxy.adapter.AdapterRegistry;
import io.vectorgate.proxy.adapter.http.HttpApiAdapter;
import io.vectorgate.proxy.adapter.milvus.RowFilterBinding;
import io.vectorgate.proxy.adapter.http.HttpRequestView;
import io.vectorgate.proxy.adapter.qdrant.HttpViews;
import io.vectorgate.proxy.config.GatewayConfig.ConnectionConfig;
import io.vectorgate.proxy.enforce.ObligationException;
import io.vectorgate.proxy.fakes.PineconeFake;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A connection's {@code max_pre_read_ids} reaches the adapter {@link HttpAdapters#defaults()}
 * builds: a row-filtered Pinecone upsert addressing more ids than the cap is refused before any
 * pre-read, one within it is pre-read against the (fake) index host.
 */
class HttpAdaptersPreReadCapTest {
  static final Obligations UNDER_ACME = new Obligations(List.of(), false,
      List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme")), null, null, null);

  static HttpRequestView upsert(int n) {
    StringBuilder sb = new StringBuilder("{\"namespace\":\"\",\"vectors\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"v").append(i)
          .append("\",\"values\":[1],\"metadata\":{\"tenant_id\":\"acme\"}}");
    }
    return HttpViews.view("POST", "/vectors/upsert", sb.append("]}").toString());
  }

  @Test
  void aSmallConfiguredCapRefusesLargerRowFilteredWrites() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (PineconeFake index = new PineconeFake("gateway-key")) {
      index.put("", "v0", new double[] {1}, Map.of("tenant_id", "acme"));
      ConnectionConfig conn = new ConnectionConfig("docs", "pinecone", index.address(), null, false, 30L, "template", 2L);
      HttpApiAdapter a = AdapterRegistry.defaults().http(DatabaseKind.PINECONE, new AdapterRegistry.Settings(conn.name(),
          HttpViews.masker(), RowFilterBinding.TEMPLATE, conn.preReadIdCap()),
          HttpUpstreamReads.of(DatabaseKind.PINECONE, new HttpUpstream(conn, 1 << 20, pool), "gateway-key")).api();

      HttpRequestView three = upsert(3);
      ObligationException e = assertThrows(ObligationException.class,
          () -> a.applyRequestObligations(three, a.decode(three), UNDER_ACME));
      assertEquals(ObligationException.ROW_FILTER_UNVERIFIABLE, e.code());
      assertTrue(e.getMessage().contains("3 ids") && e.getMessage().contains("at most 2"), e.getMessage());
      assertEquals(0, index.requestsTo("GET", "/vectors/fetch").size(), "over the cap nothing is pre-read");

      HttpRequestView two = upsert(2);
      assertEquals(2, a.applyRequestObligations(two, a.decode(two), UNDER_ACME).body().get("vectors").size());
      assertEquals(1, index.requestsTo("GET", "/vectors/fetch").size(), "within the cap the ids are pre-read");
    } finally {
      pool.shutdownNow();
    }
  }
}
