package dev.unipool.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InFlightTest {
  @Test
  void answersOldestFirst_leaveItEmpty() {
    InFlight<String> f = new InFlight<>();
    for (long id = 1; id <= 100; id++) {
      f.add(id, "t" + id);
    }
    assertEquals(100, f.size());
    for (long id = 1; id <= 100; id++) {
      assertEquals(id, f.firstId());
      assertEquals("t" + id, f.remove(id));
    }
    assertTrue(f.isEmpty());
    assertThrows(IllegalStateException.class, f::firstId);
  }

  @Test
  void outOfOrderAnswers_leaveTheOthersInOrder_andTheOldestFirst() {
    InFlight<String> f = new InFlight<>();
    for (long id = 10; id < 20; id++) {
      f.add(id, "t" + id);
    }
    assertEquals("t15", f.remove(15));
    assertNull(f.remove(15), "already gone");
    assertNull(f.get(15));
    assertFalse(f.contains(15));
    assertEquals("t19", f.remove(19));
    assertEquals("t10", f.remove(10));
    assertEquals(11, f.firstId());
    assertEquals(List.of("t11", "t12", "t13", "t14", "t16", "t17", "t18"), f.list());
    assertEquals("t16", f.get(16));
    assertNull(f.get(9), "below every id held");
    assertNull(f.get(25), "above every id held");
    f.add(30, "t30"); // after the last one held, even if above ids that left
    assertEquals(8, f.size());
    f.clear();
    assertTrue(f.isEmpty());
    assertEquals(List.of(), f.list());
  }

  @Test
  void anIdNotAboveTheLast_isRefused() {
    InFlight<String> f = new InFlight<>();
    f.add(5, "a");
    assertThrows(IllegalArgumentException.class, () -> f.add(5, "b"));
    assertThrows(IllegalArgumentException.class, () -> f.add(4, "b"));
    assertEquals(List.of("a"), f.list());
  }

  /**
   * One long task held while thousands after it finish (a cluster member's many threads): the gaps are
   * compacted away, so the arrays stay near the number of tasks held instead of growing with every task sent.
   */
  @Test
  void aLongTaskAtTheHead_whileManyAfterItFinish_keepsTheArraysSmall() {
    InFlight<String> f = new InFlight<>();
    f.add(1, "long");
    for (long id = 2; id < 200_000; id++) {
      f.add(id, "t" + id);
      if (id > 5) {
        assertEquals("t" + (id - 3), f.remove(id - 3)); // a middle one: leaves a gap
      }
    }
    assertEquals(5, f.size());
    assertEquals(1, f.firstId());
    assertTrue(f.capacity() <= 64, () -> "capacity " + f.capacity());
  }

  /** Random adds and removals against a LinkedHashMap, the structure it replaces. */
  @Test
  void behavesAsAnInsertionOrderedMap_underRandomOperations() {
    for (long seed = 0; seed < 20; seed++) {
      Random r = new Random(seed);
      InFlight<Long> f = new InFlight<>();
      Map<Long, Long> model = new LinkedHashMap<>();
      long next = 1;
      for (int step = 0; step < 20_000; step++) {
        int op = r.nextInt(10);
        if (op < 4 || model.isEmpty()) {
          next += 1 + r.nextInt(3); // ids grow, with holes (tasks sent to other workers)
          f.add(next, next * 7);
          model.put(next, next * 7);
        } else if (op < 6) {
          long oldest = model.keySet().iterator().next();
          assertEquals(oldest, f.firstId(), "seed " + seed);
          assertEquals(model.remove(oldest), f.remove(oldest), "seed " + seed);
        } else {
          long id = 1 + (long) (r.nextDouble() * next); // held or not
          assertEquals(model.get(id), f.get(id), "seed " + seed + " get " + id);
          assertEquals(model.containsKey(id), f.contains(id), "seed " + seed);
          assertEquals(model.remove(id), f.remove(id), "seed " + seed + " remove " + id);
        }
        assertEquals(model.size(), f.size(), "seed " + seed);
        if (step % 997 == 0) {
          assertEquals(new ArrayList<>(model.values()), f.list(), "seed " + seed);
        }
      }
      assertEquals(new ArrayList<>(model.values()), f.list(), "seed " + seed);
    }
  }
}
