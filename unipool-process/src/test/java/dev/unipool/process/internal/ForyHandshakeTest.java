package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.remote.Codec;
import dev.unipool.testkit.SystemProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Fory handshake end to end: in the default codec mode a process pool sends tasks as Fory only once
 * every worker has said (with a {@link Frame.ForyReady}) that its Fory reader is built, and it does get
 * there, with every answer right before, during and after the switch.
 */
class ForyHandshakeTest {
  record Reading(String sensor, int value, List<Integer> samples) implements Serializable {}

  @Test
  void aPoolSwitchesToForyOnceItsWorkersSayTheyReadIt_losingNothing() throws Exception {
    try (SystemProperty auto = SystemProperty.set(Codec.MODE_PROPERTY, null);
        ProcessPool pool = (ProcessPool) Pool.of(Backend.processes(2))) {
      // Without the workers' word the pool would stay with Java serialization forever: the loop ends only
      // because both workers built their readers (a few uses start that) and told the pool.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      int k = 0;
      int wavesAfterSwitch = 0;
      while (wavesAfterSwitch < 3) {
        assertTrue(System.nanoTime() < deadline,
            "no switch to Fory after " + k + " tasks: a worker never said it reads Fory");
        if (pool.writesFory()) {
          wavesAfterSwitch++;
        }
        int first = k;
        List<TaskFuture<Reading>> wave = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          int n = k++;
          wave.add(pool.submit(() -> new Reading("s" + n, n, List.of(n, -n))));
        }
        for (int i = 0; i < wave.size(); i++) {
          int n = first + i;
          assertEquals(new Reading("s" + n, n, List.of(n, -n)), wave.get(i).get(60, TimeUnit.SECONDS));
        }
      }
    }
  }
}
