package dev.unipool.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.TaskFuture;
import dev.unipool.Worker;
import dev.unipool.remote.Codec;
import dev.unipool.testkit.SystemProperty;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache Fory across real worker processes: tasks, results and map chunks in Fory from the first object
 * ({@code -Dunipool.codec=fory}, passed on to the workers), and the default mode's switch-over from Java
 * serialization in the middle of a stream of tasks.
 */
class ForyCodecProcessTest {
  private static final long WAIT = 60;
  private static @Nullable SystemProperty codec;
  private static @Nullable Pool pool;

  record Reading(String sensor, double value, List<Integer> samples) implements Serializable {}

  /** No (String) constructor: Fory alone would lose its stack trace, so exceptions travel by Java serialization. */
  static final class SensorFailure extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;
    final int code;

    SensorFailure(int code) {
      super("sensor failed with " + code);
      this.code = code;
    }
  }

  static final class Handle {
    int n = 3;
  }

  @BeforeAll
  static void start() {
    codec = SystemProperty.set(Codec.MODE_PROPERTY, "fory");
    pool = Pool.of(Backend.processes(2));
  }

  @AfterAll
  static void stop() {
    try {
      if (pool != null) {
        pool.close();
      }
    } finally {
      if (codec != null) {
        codec.close();
      }
    }
  }

  private static Pool pool() {
    return java.util.Objects.requireNonNull(pool);
  }

  @Test
  void capturingTasksAndRecordResultsRoundTrip() throws Exception {
    String sensor = "t-" + System.nanoTime();
    List<Integer> samples = List.of(3, 1, 4, 1, 5);
    TaskFuture<Reading> f = pool().submit(() -> new Reading(sensor, samples.stream().mapToInt(i -> i).sum() / 2.0,
        List.of((int) Worker.current().pid())));
    Reading r = f.get(WAIT, TimeUnit.SECONDS);
    assertEquals(sensor, r.sensor());
    assertEquals(7.0, r.value());
    assertNotEquals(ProcessHandle.current().pid(), (long) r.samples().getFirst(), "ran in a worker");
  }

  @Test
  void exceptionsKeepTypeFieldsAndWorkerStack() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> pool().submit(() -> {
          throw new SensorFailure(42);
        }).get(WAIT, TimeUnit.SECONDS));
    SensorFailure s = assertInstanceOf(SensorFailure.class, e.getCause());
    assertEquals(42, s.code);
    assertTrue(s.getStackTrace().length > 0, "the worker's stack trace is attached");
  }

  @Test
  void nonSerializableCaptureFailsAtSubmitNamingIt() {
    Handle h = new Handle();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool().submit(() -> h.n));
    assertTrue(e.getMessage().contains(Handle.class.getName()), e.getMessage());
  }

  @Test
  void mapAndLargePayloads() throws Exception {
    List<Integer> items = IntStream.range(0, 20_000).boxed().toList();
    List<Long> out = pool().map(x -> (long) x * x, items);
    for (int i = 0; i < items.size(); i++) {
      assertEquals((long) i * i, out.get(i));
    }
    byte[] big = new byte[3_000_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 13);
    }
    byte[] back = pool().submit(() -> big.clone()).get(WAIT, TimeUnit.SECONDS);
    assertArrayEquals(big, back);
  }

  @Test
  void defaultModeSwitchesToForyMidStreamWithoutLosingATask() throws Exception {
    // a new pool in the default (auto) mode
    try (SystemProperty unset = SystemProperty.set(Codec.MODE_PROPERTY, null); Pool auto = Pool.of(Backend.processes(2))) {
      // In waves, so that the stream outlasts Fory's warm-up (a few hundred ms) on both sides.
      for (int wave = 0; wave < 20; wave++) {
        List<TaskFuture<Reading>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          int k = wave * 50 + i;
          fs.add(auto.submit(() -> new Reading("s" + k, k, List.of(k))));
        }
        for (int i = 0; i < fs.size(); i++) {
          int k = wave * 50 + i;
          assertEquals(new Reading("s" + k, k, List.of(k)), fs.get(i).get(WAIT, TimeUnit.SECONDS));
        }
      }
    }
  }
}
