package dev.unipool;

/**
 * What kind of work a task is, for {@link Backend#auto()} (and {@link Tasks}): the unsync idea of
 * declaring a function I/O-bound or CPU-bound once. A hint always wins over measurement. Backends
 * other than {@code auto} ignore hints.
 */
public enum Hint {
  /** Mostly waits (network, disk, sleeps, locks): runs on a virtual thread. */
  IO,
  /** Mostly computes: runs on a platform thread pool sized to the cores, so it cannot starve virtual threads. */
  CPU,
  /**
   * Must run in a separate process (crash isolation, hard timeouts, native code that may hang): runs in a
   * worker process. Needs the {@code unipool-process} module and a serializable task.
   */
  ISOLATED
}
