package dev.unipool.process.internal;

import dev.unipool.remote.Codec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parent's half of the switch to Apache Fory: each side writes Fory only once the other has said, with
 * a {@link Frame.ForyReady}, that its Fory reader is built. Otherwise the first Fory payload meets a
 * reader still building Fory (a few hundred milliseconds of CPU in a fresh worker) and every task behind
 * it waits; meanwhile Java serialization carries the traffic. Tasks go as Fory once every worker that may
 * get them has said so; a worker that joins later is told in its Init to build Fory before it is ready.
 * The workers' half is in {@link WorkerMain} and {@link TaskLoop}.
 *
 * <p>Methods ending in {@code Locked} run under the pool's lock, which guards this object and the
 * handles' {@link WorkerHandle#readsFory} and {@link WorkerHandle#initSent}; {@link #tell} runs outside it.
 */
final class ForyHandshake {
  private final Codec codec;
  /** This JVM's Fory reader is built. */
  private boolean parentReads;

  /**
   * Makes {@code codec} wait for the workers' word before it switches.
   *
   * @param codec the pool's codec, not yet used
   */
  ForyHandshake(Codec codec) {
    this.codec = codec;
    codec.switchOnlyWhenPeerReads();
  }

  /**
   * This JVM's reader is built.
   *
   * @param workers the pool's workers
   * @return the connections to tell, those whose Init is out (the others are told when it is)
   */
  List<FrameWriter> parentReadsLocked(List<WorkerHandle> workers) {
    parentReads = true;
    List<FrameWriter> tell = new ArrayList<>();
    for (WorkerHandle h : workers) {
      FrameWriter out = h.out;
      if (h.initSent && out != null) {
        tell.add(out);
      }
    }
    return tell;
  }

  /**
   * {@code h}'s Init is out, so other frames may follow it.
   *
   * @param h the worker
   * @return whether to tell it now that this JVM reads Fory (a second word is harmless)
   */
  boolean initSentLocked(WorkerHandle h) {
    h.initSent = true;
    return parentReads;
  }

  /**
   * {@code h} said its reader is built.
   *
   * @param h the worker
   * @param workers the pool's workers
   */
  void workerReadsLocked(WorkerHandle h, List<WorkerHandle> workers) {
    h.readsFory = true;
    workersChangedLocked(workers);
  }

  /**
   * A worker joined or left: tasks may go as Fory only if every worker reads it (a switch, once made,
   * stays: workers started after it build Fory before they are ready).
   *
   * @param workers the pool's workers
   */
  void workersChangedLocked(List<WorkerHandle> workers) {
    codec.peerReadsFory(!workers.isEmpty() && workers.stream().allMatch(w -> w.readsFory));
  }

  /**
   * Tells the other side, parent or worker, that this JVM reads Fory. A connection that is gone is left to
   * whoever handles its end (the pool's exit handling, the worker's task loop).
   *
   * @param out the connection to the other side
   */
  static void tell(FrameWriter out) {
    try {
      out.send(new Frame.ForyReady(), true);
    } catch (IOException e) {
      // the other side is gone; its end is handled where every end is
    }
  }
}
