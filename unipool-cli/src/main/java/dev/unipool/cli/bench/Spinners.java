package dev.unipool.cli.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Busy cores for the "busy" round-trip and floor figures: one platform thread per core that computes
 * until closed. A cross-process wake-up costs very differently when the cores are busy (the woken thread
 * waits for a time slice) than when they idle (it may wait for a core to leave a sleep state), so the
 * bench reports both.
 */
final class Spinners implements AutoCloseable {
  private volatile boolean stop;
  private final List<Thread> threads = new ArrayList<>();
  /** Written by every spinner so that the JIT cannot drop their loops; never read for anything else. */
  @SuppressWarnings("unused")
  private volatile long sink;

  private Spinners(int n) {
    for (int i = 0; i < n; i++) {
      threads.add(Thread.ofPlatform().daemon().name("bench-spinner-" + i).start(this::spin));
    }
  }

  /** Starts one spinning thread per core. */
  static Spinners onEveryCore() {
    return new Spinners(Runtime.getRuntime().availableProcessors());
  }

  private void spin() {
    long x = 0;
    while (!stop) {
      for (int i = 0; i < 10_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    }
    sink = x;
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    for (Thread t : threads) {
      t.join();
    }
  }
}
