package io.vectorgate.harness.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorgate.engine.ContractJson;
import io.vectorgate.harness.HarnessException;
import io.vectorgate.model.ApprovalRequirement;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.RowFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a traffic-test case expects of a decision. Every part is optional; only the parts given are
 * checked (partial assertions):
 *
 * <pre>
 * expect:
 *   allow: false
 *   reasons: [role_grant]            # each code must be among the decision's reasons
 *   reasons_exactly: [no_allow_rule] # the decision's codes, as a set, must equal this
 *   not_reasons: [pii_masked]        # none of these codes may appear
 *   mask: [{field: email, method: hash}]   # each entry must match one mask (path/method optional); [] = no masks
 *   strip_vectors: true
 *   row_filter: [{field: tenant, op: eq, value: acme}]  # each must match one condition; [] = none
 *   limit_cap: {max: 100, mode: clamp}   # null = no cap
 *   approval: {approver_groups: [db-admins], min_approvals: 2}  # null = none, true = some
 *   error: unknown_field             # the adapter must refuse the request with this code
 * </pre>
 */
public record Expectation(
    Boolean allow,
    List<String> reasons,
    List<String> reasonsExactly,
    List<String> notReasons,
    List<JsonNode> mask,
    Boolean stripVectors,
    List<JsonNode> rowFilter,
    boolean limitCapGiven,
    JsonNode limitCap,
    boolean approvalGiven,
    JsonNode approval,
    String error) {

  static final Set<String> FIELDS = Set.of("allow", "reasons", "reasons_exactly", "not_reasons", "mask", "strip_vectors",
      "row_filter", "limit_cap", "approval", "error");
  private static final Set<String> MASK_FIELDS = Set.of("field", "path", "method");
  private static final Set<String> ROW_FIELDS = Set.of("field", "op", "value");
  private static final Set<String> CAP_FIELDS = Set.of("max", "mode");
  private static final Set<String> APPROVAL_FIELDS = Set.of("approver_groups", "min_approvals", "expires_in_seconds", "reason");

  /** Parses {@code expect}; {@code location} prefixes every error. */
  static Expectation parse(JsonNode node, String location) {
    Fields f = new Fields(node, location, "expect", FIELDS);
    List<JsonNode> mask = f.objects("mask");
    if (mask != null) {
      for (int i = 0; i < mask.size(); i++) {
        Fields m = new Fields(mask.get(i), location, "expect.mask[" + i + "]", MASK_FIELDS);
        m.text("field", true);
        m.text("method", false);
        m.strings("path");
      }
    }
    List<JsonNode> rows = f.objects("row_filter");
    if (rows != null) {
      for (int i = 0; i < rows.size(); i++) {
        Fields r = new Fields(rows.get(i), location, "expect.row_filter[" + i + "]", ROW_FIELDS);
        r.text("field", true);
        r.text("op", false);
      }
    }
    JsonNode cap = f.get("limit_cap");
    if (cap != null && !cap.isNull()) {
      Fields c = new Fields(cap, location, "expect.limit_cap", CAP_FIELDS);
      c.integer("max");
      c.text("mode", false);
    }
    JsonNode approval = f.get("approval");
    if (approval != null && !approval.isNull() && !approval.isBoolean()) {
      Fields a = new Fields(approval, location, "expect.approval", APPROVAL_FIELDS);
      a.strings("approver_groups");
      a.integer("min_approvals");
      a.integer("expires_in_seconds");
      a.text("reason", false);
    }
    Expectation e = new Expectation(f.bool("allow"), f.strings("reasons"), f.strings("reasons_exactly"),
        f.strings("not_reasons"), mask, f.bool("strip_vectors"), rows, f.has("limit_cap"), cap, f.has("approval"),
        approval, f.text("error", false));
    if (e.error != null && (e.allow != null || e.reasons != null || e.reasonsExactly != null || e.mask != null
        || e.stripVectors != null || e.rowFilter != null || e.limitCapGiven || e.approvalGiven)) {
      throw new HarnessException(location, "`expect.error` says the request is refused before any decision; "
          + "it cannot be combined with decision expectations");
    }
    return e;
  }

  /** The expectation that checks every part of {@code d} (snapshot mode). */
  public static ObjectNode snapshot(Decision d) {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("allow", d.allow());
    e.set("reasons_exactly", ContractJson.mapper().valueToTree(new ArrayList<>(new java.util.TreeSet<>(d.reasonCodes()))));
    if (!d.allow()) {
      return e;
    }
    Obligations o = d.obligations();
    e.set("mask", ContractJson.mapper().valueToTree(o.mask()));
    e.put("strip_vectors", o.stripVectors());
    e.set("row_filter", ContractJson.mapper().valueToTree(o.rowFilter()));
    e.set("limit_cap", o.limitCap() == null ? JsonNodeFactory.instance.nullNode() : ContractJson.mapper().valueToTree(o.limitCap()));
    if (o.approval() == null) {
      e.putNull("approval");
    } else {
      ObjectNode a = e.putObject("approval");
      a.set("approver_groups", ContractJson.mapper().valueToTree(o.approval().approverGroups()));
      a.put("min_approvals", o.approval().minApprovals());
      a.put("expires_in_seconds", o.approval().expiresInSeconds());
    }
    return e;
  }

  /** Checks a replay error (code) against {@code error}; empty when as expected. */
  public List<String> checkError(String code, String message) {
    if (error == null) {
      return List.of("the adapter refused the request (" + code + ": " + message + ") but a decision was expected");
    }
    return error.equals(code) ? List.of() : List.of("expect.error: expected `" + error + "`, got `" + code + "`: " + message);
  }

  /** Every way {@code d} differs from this expectation; empty when it matches. */
  public List<String> check(Decision d) {
    List<String> out = new ArrayList<>();
    if (error != null) {
      out.add("expect.error: expected the adapter to refuse the request with `" + error + "`, but it was decided (allow="
          + d.allow() + ")");
      return out;
    }
    List<String> codes = d.reasonCodes();
    if (allow != null && allow != d.allow()) {
      out.add("expect.allow: expected " + allow + ", got " + d.allow() + " (reasons " + codes + ")");
    }
    if (reasons != null) {
      for (String r : reasons) {
        if (!codes.contains(r)) {
          out.add("expect.reasons: `" + r + "` is not among the reasons " + codes);
        }
      }
    }
    if (reasonsExactly != null && !new HashSet<>(reasonsExactly).equals(new HashSet<>(codes))) {
      out.add("expect.reasons_exactly: expected " + reasonsExactly + ", got " + codes);
    }
    if (notReasons != null) {
      for (String r : notReasons) {
        if (codes.contains(r)) {
          out.add("expect.not_reasons: `" + r + "` is among the reasons " + codes);
        }
      }
    }
    Obligations o = d.obligations();
    if (mask != null) {
      if (mask.isEmpty() && !o.mask().isEmpty()) {
        out.add("expect.mask: expected no masks, got " + json(o.mask()));
      }
      for (JsonNode m : mask) {
        if (o.mask().stream().noneMatch(x -> maskMatches(m, x))) {
          out.add("expect.mask: no mask matches " + m + " (masks: " + json(o.mask()) + ")");
        }
      }
    }
    if (stripVectors != null && stripVectors != o.stripVectors()) {
      out.add("expect.strip_vectors: expected " + stripVectors + ", got " + o.stripVectors());
    }
    if (rowFilter != null) {
      if (rowFilter.isEmpty() && !o.rowFilter().isEmpty()) {
        out.add("expect.row_filter: expected no row filter, got " + json(o.rowFilter()));
      }
      for (JsonNode r : rowFilter) {
        if (o.rowFilter().stream().noneMatch(x -> rowMatches(r, x))) {
          out.add("expect.row_filter: no condition matches " + r + " (row filter: " + json(o.rowFilter()) + ")");
        }
      }
    }
    if (limitCapGiven) {
      LimitCap c = o.limitCap();
      if (limitCap == null || limitCap.isNull()) {
        if (c != null) {
          out.add("expect.limit_cap: expected none, got " + json(c));
        }
      } else if (c == null) {
        out.add("expect.limit_cap: expected " + limitCap + ", got none");
      } else {
        if (limitCap.has("max") && limitCap.get("max").longValue() != c.max()) {
          out.add("expect.limit_cap.max: expected " + limitCap.get("max") + ", got " + c.max());
        }
        if (limitCap.has("mode") && !limitCap.get("mode").asText().equalsIgnoreCase(String.valueOf(modeText(c)))) {
          out.add("expect.limit_cap.mode: expected " + limitCap.get("mode").asText() + ", got " + modeText(c));
        }
      }
    }
    if (approvalGiven) {
      ApprovalRequirement a = o.approval();
      if (approval == null || approval.isNull() || (approval.isBoolean() && !approval.booleanValue())) {
        if (a != null) {
          out.add("expect.approval: expected none, got " + json(a));
        }
      } else if (a == null) {
        out.add("expect.approval: expected an approval, got none");
      } else if (approval.isObject()) {
        if (approval.has("approver_groups")) {
          List<String> want = new ArrayList<>();
          approval.get("approver_groups").forEach(g -> want.add(g.asText()));
          if (!new HashSet<>(want).equals(new HashSet<>(a.approverGroups()))) {
            out.add("expect.approval.approver_groups: expected " + want + ", got " + a.approverGroups());
          }
        }
        if (approval.has("min_approvals") && approval.get("min_approvals").longValue() != a.minApprovals()) {
          out.add("expect.approval.min_approvals: expected " + approval.get("min_approvals") + ", got " + a.minApprovals());
        }
        if (approval.has("expires_in_seconds") && approval.get("expires_in_seconds").longValue() != a.expiresInSeconds()) {
          out.add("expect.approval.expires_in_seconds: expected " + approval.get("expires_in_seconds") + ", got "
              + a.expiresInSeconds());
        }
        if (approval.has("reason") && !Objects.equals(approval.get("reason").asText(), a.reason())) {
          out.add("expect.approval.reason: expected " + approval.get("reason") + ", got " + a.reason());
        }
      }
    }
    return out;
  }

  private static String modeText(LimitCap c) {
    JsonNode n = ContractJson.mapper().valueToTree(c);
    return n.path("mode").asText();
  }

  private static boolean maskMatches(JsonNode want, FieldMask got) {
    JsonNode g = ContractJson.mapper().valueToTree(got);
    if (!want.get("field").asText().equals(g.path("field").asText())) {
      return false;
    }
    if (want.has("method") && !want.get("method").asText().toLowerCase(Locale.ROOT).equals(g.path("method").asText())) {
      return false;
    }
    if (want.has("path")) {
      JsonNode gp = g.path("path").isMissingNode() || g.path("path").isNull()
          ? JsonNodeFactory.instance.arrayNode() : g.get("path");
      return want.get("path").equals(gp);
    }
    return true;
  }

  private static boolean rowMatches(JsonNode want, RowFilter got) {
    JsonNode g = ContractJson.mapper().valueToTree(got);
    if (!want.get("field").asText().equals(g.path("field").asText())) {
      return false;
    }
    if (want.has("op") && !want.get("op").asText().equals(g.path("op").asText())) {
      return false;
    }
    return !want.has("value") || numericEquals(want.get("value"), g.get("value"));
  }

  private static boolean numericEquals(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        if (!numericEquals(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private static String json(Object o) {
    return ContractJson.mapper().valueToTree(o).toString();
  }
}
