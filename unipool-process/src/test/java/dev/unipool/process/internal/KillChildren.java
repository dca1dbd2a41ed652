package dev.unipool.process.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** SIGKILLs this JVM's child processes (worker JVMs) every 300 ms, up to {@code max} kills, until closed. */
final class KillChildren implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger kills = new AtomicInteger();
  private final Thread thread;

  private KillChildren(int max) {
    thread = Thread.ofPlatform().daemon().name("kill-children").start(() -> {
      while (!stop.get() && kills.get() < max) {
        try {
          Thread.sleep(300); // the killer's pace, not synchronisation
        } catch (InterruptedException e) {
          return;
        }
        List<ProcessHandle> children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
        if (!children.isEmpty() && children.get(kills.get() % children.size()).destroyForcibly()) {
          kills.incrementAndGet();
        }
      }
    });
  }

  static KillChildren start(int max) {
    return new KillChildren(max);
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.interrupt();
    thread.join();
  }
}
