package io.vectorgate.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** Approval ids from the admin API and the CLI are hostile input: only the exact format passes. */
class ApprovalIdsProperties {
  @Property(tries = 300)
  void generatedIdsAreValidAndDistinct() {
    String a = ApprovalIds.next();
    String b = ApprovalIds.next();
    assertTrue(ApprovalIds.isValid(a), a);
    assertFalse(a.equals(b));
    assertEquals(a, ApprovalIds.require(a));
  }

  @Property(tries = 2000)
  void arbitraryStringsAreRefusedWithAPrintableMessage(@ForAll @StringLength(max = 200) String s) {
    boolean valid = s.matches("apr-[a-z2-7]{20}");
    assertEquals(valid, ApprovalIds.isValid(s));
    if (!valid) {
      ApprovalException e = assertThrows(ApprovalException.class, () -> ApprovalIds.require(s));
      assertEquals(ApprovalException.Code.INVALID, e.code());
      assertTrue(e.getMessage().chars().allMatch(c -> c >= 0x20 && c < 0x7f), e.getMessage());
      assertTrue(e.getMessage().length() < 200, e.getMessage());
    }
  }

  @Property(tries = 500)
  void oneCharacterChangedIsRefused(@ForAll("positions") int pos, @ForAll char c) {
    String id = ApprovalIds.next();
    String changed = id.substring(0, pos) + c + id.substring(pos + 1);
    boolean ok = pos < 4 ? changed.equals(id) : (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
    assertEquals(ok, ApprovalIds.isValid(changed), changed);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> positions() {
    return net.jqwik.api.Arbitraries.integers().between(0, 23);
  }
}
