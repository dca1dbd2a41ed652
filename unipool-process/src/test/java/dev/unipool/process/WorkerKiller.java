package dev.unipool.process;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An outside killer, as an operator, the OOM killer or a container runtime would be: every 100–300 ms it
 * SIGKILLs a random child process of this JVM (the workers of the pool under test, at any moment of their
 * lives, including while they start), until it has killed {@code maxKills} or is stopped.
 */
final class WorkerKiller implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger kills = new AtomicInteger();
  private final Thread thread;

  private WorkerKiller(int maxKills, long seed) {
    Random random = new Random(seed);
    this.thread = Thread.ofPlatform().name("worker-killer").daemon().start(() -> {
      while (!stop.get() && kills.get() < maxKills) {
        try {
          Thread.sleep(100 + random.nextInt(201)); // the chaos's pace, not synchronisation
        } catch (InterruptedException e) {
          return;
        }
        List<ProcessHandle> workers = children();
        if (!workers.isEmpty() && workers.get(random.nextInt(workers.size())).destroyForcibly()) {
          kills.incrementAndGet();
        }
      }
    });
  }

  static WorkerKiller start(int maxKills, long seed) {
    return new WorkerKiller(maxKills, seed);
  }

  /** This JVM's live child processes: the worker JVMs (and those still being spawned). */
  static List<ProcessHandle> children() {
    return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
  }

  int kills() {
    return kills.get();
  }

  void stop() throws InterruptedException {
    stop.set(true);
    thread.interrupt();
    thread.join();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
