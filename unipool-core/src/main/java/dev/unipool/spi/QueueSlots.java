package dev.unipool.spi;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The slots of a bounded queue: one per task accepted and not yet started. Unlike a {@code Semaphore},
 * it can be closed, which wakes every submitter waiting for a slot so that a shut-down pool rejects them
 * at once instead of leaving them blocked until some queued task starts.
 */
final class QueueSlots {
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition freed = lock.newCondition();
  private int used;
  private boolean closed;

  QueueSlots(int capacity) {
    this.capacity = capacity;
  }

  /** Takes a slot if one is free. */
  boolean tryAcquire() {
    lock.lock();
    try {
      if (used >= capacity) {
        return false;
      }
      used++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a slot, waiting until one is free.
   *
   * @return false if the slots were closed while every slot was taken
   * @throws InterruptedException if interrupted while waiting
   */
  boolean acquire() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (used >= capacity) {
        if (closed) {
          return false;
        }
        freed.await();
      }
      used++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Gives a slot back. */
  void release() {
    lock.lock();
    try {
      used--;
      freed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The slots taken now: 0 once every accepted task has started or finished, whatever happened to it.
   *
   * @return the number of slots held
   */
  int used() {
    lock.lock();
    try {
      return used;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiting submitter; those that find no free slot give up. */
  void close() {
    lock.lock();
    try {
      closed = true;
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
