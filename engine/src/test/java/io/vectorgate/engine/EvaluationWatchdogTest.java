package io.vectorgate.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EvaluationWatchdogTest {
  @Test
  void anEvaluationThatEndsInTimeIsNotInterrupted() {
    try (EvaluationWatchdog w = new EvaluationWatchdog(TimeUnit.MILLISECONDS.toNanos(200))) {
      EvaluationWatchdog.Slot s = w.newSlot();
      for (int i = 0; i < 10_000; i++) {
        s.start(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        assertFalse(s.end());
      }
      assertFalse(Thread.currentThread().isInterrupted());
    }
  }

  @Test
  void anOverdueEvaluationIsInterruptedAndTheFlagIsClearedAtTheEnd() {
    try (EvaluationWatchdog w = new EvaluationWatchdog(TimeUnit.MILLISECONDS.toNanos(20))) {
      EvaluationWatchdog.Slot s = w.newSlot();
      s.start(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Thread.currentThread().isInterrupted() && System.nanoTime() < giveUp) {
        Thread.onSpinWait();
      }
      assertTrue(Thread.currentThread().isInterrupted(), "the watchdog interrupts the evaluating thread");
      assertTrue(s.end(), "end() reports that the watchdog fired");
      assertFalse(Thread.currentThread().isInterrupted(), "the interrupt does not outlive the evaluation");
      // the slot is reusable afterwards
      s.start(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
      assertFalse(s.end());
    }
  }

  @Test
  void aRemovedSlotIsNotWatched() throws Exception {
    try (EvaluationWatchdog w = new EvaluationWatchdog(TimeUnit.MILLISECONDS.toNanos(4))) {
      EvaluationWatchdog.Slot s = w.newSlot();
      w.remove(s);
      s.start(System.nanoTime());
      Thread.sleep(100);
      assertFalse(s.end());
      assertFalse(Thread.currentThread().isInterrupted());
    }
  }
}
