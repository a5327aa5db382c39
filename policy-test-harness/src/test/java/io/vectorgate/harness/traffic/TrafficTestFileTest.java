package io.vectorgate.harness.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.harness.HarnessException;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RowFilter;
import io.vectorgate.model.FilterOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict parsing of traffic-test files, with errors at file:line:col; partial expectations. */
class TrafficTestFileTest {
  @TempDir Path tmp;

  HarnessException fails(String name, String text) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    return assertThrows(HarnessException.class, () -> TrafficTestFile.read(f));
  }

  static final String HEAD = "version: vectorgate-traffic-test/v1\ndefaults:\n  connection: {name: m, kind: milvus}\ncases:\n";
  static final String CASE = "  - name: one\n    identity: {subject: a, groups: [g]}\n    request: {rpc: Query, message: {collectionName: docs}}\n"
      + "    expect: {allow: true}\n";

  @Test
  void readsAValidFile() throws Exception {
    Path f = tmp.resolve("ok.traffic.yaml");
    Files.writeString(f, HEAD + CASE);
    TrafficTestFile t = TrafficTestFile.read(f);
    assertEquals(1, t.cases().size());
    assertEquals(f + ":5:5", t.cases().get(0).location());
    assertEquals(Boolean.TRUE, t.cases().get(0).expect().allow());
  }

  @Test
  void readsJsonToo() throws Exception {
    Path f = tmp.resolve("ok.traffic.json");
    Files.writeString(f, "{\"version\":\"vectorgate-traffic-test/v1\",\"cases\":[{\"name\":\"n\","
        + "\"identity\":{\"subject\":\"a\",\"groups\":[]},\"connection\":{\"name\":\"c\",\"kind\":\"chroma\"},"
        + "\"request\":{\"method\":\"GET\",\"path\":\"/api/v2/heartbeat\"},\"expect\":{\"allow\":false}}]}");
    assertEquals("n", TrafficTestFile.read(f).cases().get(0).name());
  }

  @Test
  void errorsNameTheFileLineAndField() throws Exception {
    assertTrue(fails("a.yaml", "cases: []\n").getMessage().contains("missing `version`"));
    assertTrue(fails("b.yaml", "version: v0\ncases: []\n").getMessage().contains("unsupported version `v0`"));
    HarnessException e = fails("c.yaml", HEAD + CASE.replace("expect: {allow: true}", "expect: {allow: true, alow: false}"));
    assertTrue(e.getMessage().contains("c.yaml:5:5 (case `one`): unknown field `expect.alow`"), e.getMessage());
    e = fails("d.yaml", HEAD + CASE + CASE);
    assertTrue(e.getMessage().contains("d.yaml:9:5: case name `one` is used twice (first at "), e.getMessage());
    e = fails("e.yaml", HEAD + CASE.replace("    request: {rpc: Query, message: {collectionName: docs}}\n", ""));
    assertTrue(e.getMessage().contains("needs a `record` id"), e.getMessage());
    e = fails("f.yaml", HEAD + CASE.replace("request:", "record: rec-1-1\n    request:"));
    assertTrue(e.getMessage().contains("either a `record` or an inline `request`"), e.getMessage());
    e = fails("g.yaml", HEAD + CASE.replace("{allow: true}", "{allow: yes please}"));
    assertTrue(e.getMessage().contains("`expect.allow` must be true or false"), e.getMessage());
    e = fails("h.yaml", HEAD + CASE.replace("name: one", "name: one\n    name: two"));
    assertTrue(e.getMessage().startsWith(tmp.resolve("h.yaml") + ":6:"), e.getMessage());
    assertTrue(e.getMessage().contains("Duplicate field 'name'"), e.getMessage());
    e = fails("i.yaml", HEAD + CASE.replace("groups: [g]", "groups: [g], rank: 3"));
    assertTrue(e.getMessage().contains("`identity` is not a valid identity"), e.getMessage());
    e = fails("j.yaml", HEAD.replace("kind: milvus", "kind: mysql") + CASE);
    assertTrue(e.getMessage().contains("`defaults.connection` is not a valid connection"), e.getMessage());
    e = fails("k.yaml", HEAD + "  - name: r\n    record: rec-1-1\n    expect: {}\n");
    assertTrue(e.getMessage().contains("the file names no `recording`"), e.getMessage());
    e = fails("l.yaml", HEAD + CASE.replace("{allow: true}", "{error: unknown_field, allow: false}"));
    assertTrue(e.getMessage().contains("cannot be combined"), e.getMessage());
    e = fails("m.yaml", "version: [unclosed\n");
    assertTrue(e.getMessage().startsWith(tmp.resolve("m.yaml") + ":"), e.getMessage());
  }

  @Test
  void partialExpectationsCheckOnlyWhatIsGiven() throws Exception {
    Path f = tmp.resolve("p.traffic.yaml");
    Files.writeString(f, HEAD + """
          - name: partial
            identity: {subject: a, groups: [g]}
            request: {rpc: Query, message: {collectionName: docs}}
            expect:
              allow: true
              reasons: [role_grant]
              not_reasons: [pii_masked]
              mask: [{field: email, method: hash}, {field: profile, path: [contact, email]}]
              row_filter: [{field: tenant_id, value: acme}]
              limit_cap: {max: 100}
              approval: null
              strip_vectors: true
        """);
    Expectation e = TrafficTestFile.read(f).cases().get(0).expect();
    Obligations o = new Obligations(
        List.of(new FieldMask("email", List.of(), MaskMethod.HASH), new FieldMask("profile", List.of("contact", "email"), MaskMethod.REDACT)),
        true, List.of(new RowFilter("tenant_id", FilterOp.EQ, "acme")), new LimitCap(100, LimitCap.CapMode.CLAMP), null, null);
    Decision ok = new Decision(true, List.of(new Reason("role_grant", "m"), new Reason("limit_capped", "m")), o, null, null);
    assertEquals(List.of(), e.check(ok));
    Decision denied = Decision.deny("no_allow_rule", "none");
    List<String> f1 = e.check(denied);
    assertTrue(f1.contains("expect.allow: expected true, got false (reasons [no_allow_rule])"), f1.toString());
    assertTrue(f1.contains("expect.limit_cap: expected {\"max\":100}, got none"), f1.toString());
    Decision pii = new Decision(true, List.of(new Reason("role_grant", "m"), new Reason("pii_masked", "m")), o, null, null);
    assertEquals(List.of("expect.not_reasons: `pii_masked` is among the reasons [role_grant, pii_masked]"), e.check(pii));
  }
}
