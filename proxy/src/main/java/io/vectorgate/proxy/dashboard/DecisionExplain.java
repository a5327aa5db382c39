package io.vectorgate.proxy.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.engine.DecisionExplainer;
import io.vectorgate.engine.PolicyEngine;
import io.vectorgate.model.Decision;
import io.vectorgate.model.PolicyInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Explain": which rules of the gateway's active revision produce each reason and obligation of a
 * recorded request's decision. The policy input is the replay's ({@link DecisionReplay#inputOf}),
 * the sources come from {@link ActiveSources}, and {@link DecisionExplainer} runs the real
 * {@code opa eval --explain=full} on them.
 *
 * <p>Bounded so it cannot be used to load the gateway: one explanation at a time per gateway
 * (another request meanwhile is answered 429 at once, it does not queue), each opa run limited to
 * {@link #TIMEOUT}, scratch files deleted afterwards.
 */
final class DecisionExplain {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Logger LOG = LoggerFactory.getLogger(DecisionExplain.class);

  /** An explanation of a recorded request under {@code revision}; {@code now}: opa's result as a decision (null when it is not one). */
  record Result(String revision, Decision recorded, Decision now, DecisionExplainer.Explanation explanation) {}

  private final PolicyEngine live;
  private final ActiveSources sources;
  private final Semaphore running = new Semaphore(1);

  DecisionExplain(PolicyEngine live, ActiveSources sources) {
    this.live = Objects.requireNonNull(live, "live");
    this.sources = Objects.requireNonNull(sources, "sources");
  }

  Result explain(ObjectNode entry) throws DashboardHandler.PageError {
    Decision recorded;
    PolicyInput input;
    String json;
    try {
      recorded = DecisionReplay.recordedDecision(entry);
      input = DecisionReplay.inputOf(entry, recorded);
      json = ContractJson.mapper().writeValueAsString(input);
    } catch (DecisionReplay.NotReplayable e) {
      throw new DashboardHandler.PageError(409, "this request cannot be explained: " + e.getMessage());
    } catch (JsonProcessingException e) {
      throw new DashboardHandler.PageError(409, "this request's policy input cannot be written: " + e.getOriginalMessage());
    }
    String revision = live.activeRevision().orElseThrow(() -> new DashboardHandler.PageError(503,
        "no policy is active on this gateway"));
    if (!running.tryAcquire()) {
      throw new DashboardHandler.PageError(429, "another explanation is running on this gateway; try again in a moment");
    }
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("vectorgate-explain-");
      DecisionExplainer explainer = DecisionExplainer.create(TIMEOUT);
      DecisionExplainer.Explanation x = explainer.explain(new DecisionExplainer.Request(
          sources.sources(revision, scratch), json, DecisionExplainer.Request.queryOf(live.config().entrypoint()), false));
      Decision now = null;
      if (x.result() != null) {
        try {
          now = ContractJson.mapper().treeToValue(x.result(), Decision.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
          LOG.info("event=dashboard_explain_result_not_a_decision revision={} error=\"{}\"", revision, e.getMessage());
        }
      }
      return new Result(revision, recorded, now, x);
    } catch (ActiveSources.Unavailable e) {
      throw new DashboardHandler.PageError(503, "cannot explain: " + e.getMessage());
    } catch (DecisionExplainer.ExplainException e) {
      LOG.warn("event=dashboard_explain_failed revision={} error=\"{}\"", revision, e.getMessage());
      throw new DashboardHandler.PageError(503, "cannot explain: " + e.getMessage());
    } catch (IOException e) {
      throw new DashboardHandler.PageError(503, "cannot explain: no scratch folder: " + e.getMessage());
    } finally {
      running.release();
      if (scratch != null) {
        delete(scratch);
      }
    }
  }

  private static void delete(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("event=dashboard_explain_cleanup_failed dir={} error=\"{}\"", dir, e.toString());
    }
  }
}
