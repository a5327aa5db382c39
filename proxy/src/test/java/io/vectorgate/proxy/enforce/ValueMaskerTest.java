package io.vectorgate.proxy.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorgate.model.MaskMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ValueMaskerTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final ValueMasker masker = new ValueMasker(KEY);
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void redact() {
    assertEquals("[REDACTED]", masker.maskString("alice@example.com", MaskMethod.REDACT));
    assertEquals(0L, masker.maskLong(42, MaskMethod.REDACT));
    assertEquals(0, masker.maskInt(42, MaskMethod.REDACT));
    assertEquals(0.0, masker.maskDouble(3.5, MaskMethod.REDACT));
    assertFalse(masker.maskBool(true, MaskMethod.REDACT));
  }

  @Test
  void hashIsKeyedDeterministicAndTyped() {
    String h = masker.maskString("alice", MaskMethod.HASH);
    assertTrue(h.matches("hmac:[0-9a-f]{64}"), h);
    assertEquals(h, masker.maskString("alice", MaskMethod.HASH));
    assertNotEquals(h, masker.maskString("alicf", MaskMethod.HASH));
    ValueMasker other = new ValueMasker("another-key-of-sufficient-length".getBytes(StandardCharsets.US_ASCII));
    assertNotEquals(h, other.maskString("alice", MaskMethod.HASH), "a different key gives a different hash");
    long l = masker.maskLong(12345, MaskMethod.HASH);
    assertTrue(l >= 0);
    assertEquals(l, masker.maskLong(12345, MaskMethod.HASH));
    assertNotEquals(12345L, l);
    assertTrue(masker.maskInt(7, MaskMethod.HASH) >= 0);
    assertEquals(0.0, masker.maskDouble(1.5, MaskMethod.HASH));
  }

  @Test
  void partial() {
    assertEquals("a***@example.com", masker.maskString("alice@example.com", MaskMethod.PARTIAL));
    assertEquals("4***1111", masker.maskString("4111111111111111", MaskMethod.PARTIAL));
    assertEquals("A***e", masker.maskString("Alice", MaskMethod.PARTIAL));
    assertEquals("***", masker.maskString("Bob", MaskMethod.PARTIAL));
    assertEquals("***", masker.maskString("", MaskMethod.PARTIAL));
    assertEquals("***", masker.maskString("@x", MaskMethod.PARTIAL));
    assertEquals("😀***😀", masker.maskString("😀abcde😀", MaskMethod.PARTIAL), "code points are not split");
    assertEquals(0L, masker.maskLong(5, MaskMethod.PARTIAL));
  }

  @Property(tries = 300)
  void partialNeverRevealsMoreThanAQuarterOfANonEmail(@ForAll String s) {
    if (s.contains("@")) {
      return;
    }
    String p = masker.maskString(s, MaskMethod.PARTIAL);
    int revealed = p.replace("***", "").codePointCount(0, p.replace("***", "").length());
    int n = s.codePointCount(0, s.length());
    assertTrue(revealed <= Math.max(0, 1 + n / 4), s + " -> " + p);
  }

  @Test
  void dropIsNotAValueMaskAndWeakKeysAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> masker.maskString("x", MaskMethod.DROP));
    assertThrows(IllegalArgumentException.class, () -> masker.maskLong(1, MaskMethod.DROP));
    assertThrows(IllegalArgumentException.class, () -> new ValueMasker(new byte[8]));
  }

  @Test
  void jsonPaths() throws Exception {
    JsonNode doc = json.readTree("{\"contact\":{\"email\":\"bob@corp.io\",\"phone\":\"5551234567\"},"
        + "\"contacts\":[{\"email\":\"a@b.c\"},{\"email\":\"d@e.f\"}],\"tags\":[\"x\",\"y\"],\"n\":5}");
    assertEquals("b***@corp.io",
        masker.maskJsonPath(doc, List.of("contact", "email"), MaskMethod.PARTIAL).at("/contact/email").textValue());
    JsonNode each = masker.maskJsonPath(doc, List.of("contacts", "email"), MaskMethod.REDACT);
    assertEquals("[REDACTED]", each.at("/contacts/0/email").textValue());
    assertEquals("[REDACTED]", each.at("/contacts/1/email").textValue());
    JsonNode dropped = masker.maskJsonPath(doc, List.of("contact", "phone"), MaskMethod.DROP);
    assertTrue(dropped.at("/contact/phone").isMissingNode());
    assertEquals("bob@corp.io", dropped.at("/contact/email").textValue());
    assertEquals(json.readTree("[\"[REDACTED]\",\"[REDACTED]\"]"), masker.maskJsonPath(doc, List.of("tags"), MaskMethod.REDACT).get("tags"));
    assertTrue(masker.maskJsonPath(doc, List.of("n"), MaskMethod.HASH).get("n").textValue().startsWith("hmac:"));
    assertEquals(doc, masker.maskJsonPath(doc, List.of("nope", "deeper"), MaskMethod.REDACT), "absent paths change nothing");
    assertEquals("bob@corp.io", doc.at("/contact/email").textValue(), "the input is not modified");
    assertEquals("[REDACTED]", masker.maskJsonPath(doc, List.of(), MaskMethod.REDACT).textValue());
  }

  @Test
  void maskFieldsKeepsTypesAndShapeAndDropsInPlace() throws Exception {
    JsonNode doc = json.readTree("{\"email\":\"a@b.c\",\"age\":42,\"score\":1.5,\"ok\":true,\"tags\":[\"x\",\"y\"],"
        + "\"profile\":{\"contacts\":[{\"phone\":\"123456\"},{\"phone\":\"654321\"}]},\"ssn\":\"1\",\"keep\":\"k\"}");
    int n = masker.maskFields(doc, List.of(new io.vectorgate.model.FieldMask("email", List.of(), MaskMethod.REDACT),
        new io.vectorgate.model.FieldMask("age", List.of(), MaskMethod.REDACT),
        new io.vectorgate.model.FieldMask("score", List.of(), MaskMethod.HASH),
        new io.vectorgate.model.FieldMask("ok", List.of(), MaskMethod.REDACT),
        new io.vectorgate.model.FieldMask("tags", List.of(), MaskMethod.REDACT),
        new io.vectorgate.model.FieldMask("profile", List.of("contacts", "phone"), MaskMethod.REDACT),
        new io.vectorgate.model.FieldMask("ssn", List.of(), MaskMethod.DROP),
        new io.vectorgate.model.FieldMask("absent", List.of(), MaskMethod.REDACT)), ValueMasker.KeyMatch.EXACT);
    assertEquals(json.readTree("{\"email\":\"[REDACTED]\",\"age\":0,\"score\":0.0,\"ok\":false,"
        + "\"tags\":[\"[REDACTED]\",\"[REDACTED]\"],\"profile\":{\"contacts\":[{\"phone\":\"[REDACTED]\"},"
        + "{\"phone\":\"[REDACTED]\"}]},\"keep\":\"k\"}").toString(), doc.toString());
    assertEquals(8, n);
  }

  @Test
  void maskFieldsMatchesKeysIgnoringCaseOnlyWhenAsked() throws Exception {
    JsonNode doc = json.readTree("{\"Email\":\"a@b.c\",\"EMAIL\":\"c@d.e\"}");
    List<io.vectorgate.model.FieldMask> m = List.of(new io.vectorgate.model.FieldMask("email", List.of(), MaskMethod.REDACT));
    assertEquals(0, masker.maskFields(doc, m, ValueMasker.KeyMatch.EXACT));
    assertEquals(2, masker.maskFields(doc, m, ValueMasker.KeyMatch.IGNORE_CASE));
    assertFalse(doc.toString().contains("@"), doc.toString());
  }
}
