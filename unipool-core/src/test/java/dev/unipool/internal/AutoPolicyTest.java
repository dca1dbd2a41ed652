package dev.unipool.internal;

import static dev.unipool.internal.AutoPool.CPU_BOUND;
import static dev.unipool.internal.AutoPool.IO_BOUND;
import static dev.unipool.internal.AutoPool.REPROBE_EVERY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Hint;
import dev.unipool.internal.AutoPool.Route;
import org.junit.jupiter.api.Test;

/** The auto router's decisions, with plain numbers: no threads, no clocks. */
class AutoPolicyTest {
  private static final long MS = 1_000_000;

  @Test
  void hints_nameTheirRoute() {
    assertEquals(Route.IO, AutoPolicy.hinted(Hint.IO));
    assertEquals(Route.CPU, AutoPolicy.hinted(Hint.CPU));
    assertEquals(Route.ISOLATED, AutoPolicy.hinted(Hint.ISOLATED));
  }

  @Test
  void newKind_isProbed_andAnIoKindIsReprobedEveryFewRuns_butNotTwiceAtOnce() {
    assertTrue(AutoPolicy.needsProbe(null, 0, false), "a kind without a route");
    assertFalse(AutoPolicy.needsProbe(Route.IO, REPROBE_EVERY - 1, false));
    assertTrue(AutoPolicy.needsProbe(Route.IO, REPROBE_EVERY, false));
    assertFalse(AutoPolicy.needsProbe(Route.IO, REPROBE_EVERY, true), "a probe already runs");
    assertFalse(AutoPolicy.needsProbe(Route.CPU, 10 * REPROBE_EVERY, false), "CPU runs are measured anyway");
    assertFalse(AutoPolicy.needsProbe(Route.ISOLATED, 10 * REPROBE_EVERY, false));
  }

  @Test
  void cpuTaskWithATimeout_goesToAProcess_onlyIfOneCanBeHad() {
    assertEquals(Route.ISOLATED, AutoPolicy.withTimeout(Route.CPU, true, true));
    assertEquals(Route.CPU, AutoPolicy.withTimeout(Route.CPU, true, false));
    assertEquals(Route.CPU, AutoPolicy.withTimeout(Route.CPU, false, true));
    assertEquals(Route.IO, AutoPolicy.withTimeout(Route.IO, true, true), "a waiting task is interruptible");
  }

  @Test
  void earlyLook_decidesClearCasesAtOnce_andBorderlineOnesOnlyAtTheLastLook() {
    assertEquals(Route.CPU, AutoPolicy.early(19 * MS, 20 * MS, false), "busy");
    assertEquals(Route.IO, AutoPolicy.early(0, 20 * MS, false), "idle");
    long borderline = (long) (20 * MS * CPU_BOUND);
    assertNull(AutoPolicy.early(borderline, 20 * MS, false), "borderline: look again");
    assertEquals(Route.CPU, AutoPolicy.early(borderline, 20 * MS, true), "at the last look the threshold decides");
    assertEquals(Route.IO, AutoPolicy.early(borderline / 2, 20 * MS, true));
  }

  @Test
  void earlyLook_unreadableCpuTime_countsAsComputing() {
    assertEquals(Route.CPU, AutoPolicy.early(-1, 20 * MS, false));
    assertEquals(Route.CPU, AutoPolicy.early(5 * MS, 0, false), "no wall time passed");
  }

  @Test
  void afterProbe_switchesToCpuAtTheUpperBound_andBackOnlyBelowTheLowerOne() {
    double between = (CPU_BOUND + IO_BOUND) / 2;
    assertEquals(Route.CPU, AutoPolicy.afterProbe(null, CPU_BOUND));
    assertEquals(Route.IO, AutoPolicy.afterProbe(null, between));
    assertEquals(Route.CPU, AutoPolicy.afterProbe(Route.IO, CPU_BOUND));
    assertEquals(Route.IO, AutoPolicy.afterProbe(Route.IO, between), "no flapping in the gap");
    assertEquals(Route.CPU, AutoPolicy.afterProbe(Route.CPU, between), "no flapping in the gap");
    assertEquals(Route.IO, AutoPolicy.afterProbe(Route.CPU, IO_BOUND / 2));
    assertEquals(Route.ISOLATED, AutoPolicy.afterProbe(Route.ISOLATED, 1.0), "a process route is not measured away");
  }

  @Test
  void afterProbe_withNothingMeasured_guessesIo_orKeepsTheRoute() {
    assertEquals(Route.IO, AutoPolicy.afterProbe(null, -1));
    assertEquals(Route.CPU, AutoPolicy.afterProbe(Route.CPU, -1));
  }

  @Test
  void cpuKind_goesBackToIo_afterThreeMeasuredRunsBelowTheBound_unlessAHintSentIt() {
    double idle = IO_BOUND / 2;
    assertTrue(AutoPolicy.backToIo(Route.CPU, 3, idle, "measured 2% CPU"));
    assertFalse(AutoPolicy.backToIo(Route.CPU, 2, idle, "measured 2% CPU"), "too few measurements");
    assertFalse(AutoPolicy.backToIo(Route.CPU, 3, IO_BOUND, "measured"), "not below the bound");
    assertFalse(AutoPolicy.backToIo(Route.CPU, 3, idle, "hint CPU"), "hints win over measurement");
    assertFalse(AutoPolicy.backToIo(Route.CPU, 3, idle, null));
    assertFalse(AutoPolicy.backToIo(Route.IO, 3, idle, "measured"));
  }

  @Test
  void average_startsAtTheFirstSample_thenWeighsTheHistory() {
    assertEquals(0.5, AutoPolicy.average(-1, 0.5));
    assertEquals(0.7 * 0.5 + 0.3 * 1.0, AutoPolicy.average(0.5, 1.0), 1e-12);
  }
}
