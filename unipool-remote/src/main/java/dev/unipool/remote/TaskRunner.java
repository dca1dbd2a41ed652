package dev.unipool.remote;

import java.io.NotSerializableException;
import java.util.concurrent.Callable;

/**
 * The worker side of every remote backend: decode a task, run it, encode its result or exception. What
 * carries the task in and the {@link Reply} out belongs to the transport.
 *
 * <p>Threading: {@link #run} runs the task on the calling thread; wrap it in a {@link dev.unipool.spi.RunningTask} so that
 * cancels can interrupt it.
 */
public final class TaskRunner {
  private TaskRunner() {}

  /** What a transport does at the steps of a task's run; each may throw, which fails the task. */
  public interface Steps {
    /** No steps: a run counts from before decoding. */
    Steps NONE = new Steps() {};

    /**
     * Before decoding begins.
     *
     * @throws Exception to fail the task
     */
    default void decoding() throws Exception {}

    /**
     * After decoding, before the task's own code runs.
     *
     * @return true if the run time counts from now rather than from before decoding
     * @throws Exception to fail the task
     */
    default boolean decoded() throws Exception {
      return false;
    }
  }

  /**
   * Decodes {@code task}, calls it, and encodes what it returned or threw. Never throws: every failure,
   * a result that cannot be encoded included, becomes a {@link Reply.Status#FAILED} reply.
   *
   * @param codec the worker's codec
   * @param task the encoded {@link Callable}
   * @param steps the transport's steps
   * @return the reply, with the run time
   */
  public static Reply run(Codec codec, Codec.Encoded task, Steps steps) {
    long start = System.nanoTime();
    Reply.Status status;
    Codec.Encoded payload;
    try {
      steps.decoding();
      Callable<?> callable = (Callable<?>) codec.decodeTask(task);
      if (steps.decoded()) {
        start = System.nanoTime();
      }
      payload = codec.encode(callable.call());
      status = Reply.Status.OK;
    } catch (NotSerializableException e) {
      payload = codec.encodeThrowable(new IllegalArgumentException(
          "the task's result cannot be sent back: " + e.getMessage() + " is not java.io.Serializable", e));
      status = Reply.Status.FAILED;
    } catch (Throwable t) {
      payload = codec.encodeThrowable(t);
      status = Reply.Status.FAILED;
    }
    return new Reply(status, payload, System.nanoTime() - start);
  }
}
