package dev.unipool.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.unipool.Backend;
import dev.unipool.PoolOptions;
import dev.unipool.SerializableCallable;
import dev.unipool.TaskFuture;
import dev.unipool.WorkerInfo;
import dev.unipool.spi.WorkerMeter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a submit flushes what it queued to a worker, and when it leaves that to the worker's next answer. */
class RemotePoolFlushTest {
  private static final SerializableCallable<Integer> ONE = () -> 1;

  /** A worker that runs nothing: it records what was queued to it and what a flush sent. */
  static final class Recorder extends RemoteWorker {
    final List<Long> queued = new ArrayList<>();
    final List<Long> sent = new ArrayList<>();

    Recorder(WorkerMeter meter) {
      super(meter);
      info = new WorkerInfo(1, "recorder", "none", "localhost");
    }

    @Override
    protected boolean acceptsLocked() {
      return true;
    }

    @Override
    protected int windowLocked() {
      return 100;
    }

    @Override
    protected void queueLocked(RemoteTask task, boolean reportStart) {
      queued.add(task.id());
    }

    @Override
    protected void flush() {
      synchronized (this) {
        sent.clear();
        sent.addAll(queued);
      }
    }

    synchronized List<Long> sent() {
      return List.copyOf(sent);
    }

    @Override
    protected void cancel(long id, boolean interrupt) {}

    @Override
    protected String label() {
      return "recorder";
    }
  }

  /** A pool of one recorder, whose submits leave the flush to an answer above {@code later} tasks in flight. */
  static final class OneWorkerPool extends RemotePool<Recorder> {
    final int later;
    final Recorder worker = new Recorder(new WorkerMeter(this, "recorder"));

    OneWorkerPool(int later) {
      super(Backend.processes(1), PoolOptions.defaults(), new Codec(List.of(), "a test"), "test pool", true, 0);
      this.later = later;
      lock.lock();
      try {
        workers.add(worker);
      } finally {
        lock.unlock();
      }
    }

    @Override
    protected int flushesLaterAbove() {
      return later;
    }

    /** The worker answers task {@code id}, as a transport's reader would deliver it. */
    void answer(long id) throws Exception {
      List<Recorder> touched = new ArrayList<>();
      answered(worker, id, new Reply(Reply.Status.OK, codec.encode(1), 0), true, touched);
      flush(touched);
    }

    @Override
    protected boolean transportTerminatedLocked() {
      return true;
    }

    @Override
    protected void drainedLocked() {}

    @Override
    protected void afterShutdownNow(List<Recorder> all) {}
  }

  @Test
  void aSubmitToABusyWorker_leavesTheFlushToItsNextAnswer() throws Exception {
    OneWorkerPool pool = new OneWorkerPool(2);
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(pool.submit(ONE));
    }
    assertEquals(5, pool.worker.queued.size());
    assertEquals(pool.worker.queued.subList(0, 2), pool.worker.sent(), "flushed while two or fewer were in flight");

    pool.answer(pool.worker.queued.get(0));
    assertEquals(pool.worker.queued, pool.worker.sent(), "the answer sent what waited");
    assertEquals(1, futures.get(0).get(10, TimeUnit.SECONDS));
    for (int i = 1; i < 5; i++) {
      pool.answer(pool.worker.queued.get(i));
      assertEquals(1, futures.get(i).get(10, TimeUnit.SECONDS));
    }
    pool.shutdown();
  }

  @Test
  void byDefault_everySubmitFlushes() throws Exception {
    OneWorkerPool pool = new OneWorkerPool(Integer.MAX_VALUE);
    List<TaskFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      futures.add(pool.submit(ONE));
      assertEquals(pool.worker.queued, pool.worker.sent());
    }
    for (int i = 0; i < 5; i++) {
      pool.answer(pool.worker.queued.get(i));
      assertEquals(1, futures.get(i).get(10, TimeUnit.SECONDS));
    }
    pool.shutdown();
  }
}
