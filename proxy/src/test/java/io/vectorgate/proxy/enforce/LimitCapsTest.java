package io.vectorgate.proxy.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vectorgate.model.LimitCap;
import io.vectorgate.model.LimitCap.CapMode;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LimitCapsTest {
  private static final LimitCap CLAMP = new LimitCap(100, CapMode.CLAMP);
  private static final LimitCap DENY = new LimitCap(100, CapMode.DENY);

  @Test
  void withinTheCapNothingChanges() {
    for (LimitCap c : new LimitCap[] {CLAMP, DENY}) {
      assertTrue(LimitCaps.clamp(100L, null, c, "limit").isEmpty());
      assertTrue(LimitCaps.clamp(null, 10L, c, "limit").isEmpty());
    }
    assertTrue(LimitCaps.clamp(5000L, null, null, "limit").isEmpty());
  }

  @Test
  void anExplicitExcessIsClampedOrRefused() {
    assertEquals(OptionalLong.of(100), LimitCaps.clamp(101L, null, CLAMP, "limit"));
    ObligationException e = assertThrows(ObligationException.class, () -> LimitCaps.clamp(101L, 10L, DENY, "top_k"));
    assertEquals(ObligationException.LIMIT_EXCEEDED, e.code());
    assertTrue(e.getMessage().contains("`top_k` is 101"), e.getMessage());
  }

  @Test
  void aMissingLimitIsSetToTheCapInBothModesWhenItsDefaultIsOverOrUnbounded() {
    for (LimitCap c : new LimitCap[] {CLAMP, DENY}) {
      assertEquals(OptionalLong.of(100), LimitCaps.clamp(null, null, c, "limit"));
      assertEquals(OptionalLong.of(100), LimitCaps.clamp(null, 1000L, c, "limit"));
    }
  }

  @Test
  void responsesAreCutToTheCap() {
    assertEquals(100, LimitCaps.allowed(CLAMP));
    assertEquals(Long.MAX_VALUE, LimitCaps.allowed(null));
  }
}
