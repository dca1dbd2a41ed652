package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.remote.Codec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FrameWriter} against an in-memory channel that takes only part of each write, and sometimes
 * nothing: frames from many threads arrive whole and once, large payloads arrive intact and in order,
 * threads the application may interrupt hand their writes over, and a failed channel fails later sends.
 */
@Timeout(60)
class FrameWriterTest {
  /** A blocking-style channel (not selectable) that records what it is given, a little at a time. */
  private static final class Recorder implements WritableByteChannel {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Set<String> writers = new HashSet<>();
    private final int most;
    private final @Nullable IOException failure;
    private final CountDownLatch wrote = new CountDownLatch(1);
    private int calls;

    Recorder(int most, @Nullable IOException failure) {
      this.most = most;
      this.failure = failure;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
      wrote.countDown();
      if (failure != null) {
        throw failure;
      }
      writers.add(Thread.currentThread().getName());
      if (++calls % 3 == 0) {
        return 0; // "full": the writer must come back for the rest
      }
      int n = Math.min(most, src.remaining());
      byte[] b = new byte[n];
      src.get(b);
      bytes.write(b, 0, n);
      return n;
    }

    List<Frame> frames() throws IOException {
      return framesFrom(written(), 0, null);
    }

    synchronized int calls() {
      return calls;
    }

    synchronized byte[] written() {
      return bytes.toByteArray();
    }

    synchronized Set<String> writers() {
      return Set.copyOf(writers);
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  private interface Action {
    void run() throws Exception;
  }

  /** Runs {@code action} on a new thread marked as owned by unipool (one that may write itself). */
  private static void onOwnedThread(Action action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread.ofPlatform().name("owned").start(() -> {
      FrameWriter.markOwned();
      try {
        action.run();
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    });
    try {
      done.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Test
  void framesFromManyThreads_arriveWhole_eachOnce() throws Exception {
    Recorder channel = new Recorder(37, null); // 37 bytes: frames split at every possible place
    FrameWriter writer = new FrameWriter(channel, "test");
    int threads = 4;
    int perThread = 300;
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * perThread;
      CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
        try {
          onOwnedThread(() -> {
            for (int i = 0; i < perThread; i++) {
              writer.send(new Frame.Started(base + i), i % 5 == 4 || i == perThread - 1);
            }
          });
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, r -> Thread.ofPlatform().start(r));
      all.add(f);
    }
    for (CompletableFuture<Void> f : all) {
      f.get(30, TimeUnit.SECONDS);
    }
    Set<Long> ids = new HashSet<>();
    List<Frame> frames = channel.frames();
    for (Frame f : frames) {
      assertTrue(ids.add(assertInstanceOf(Frame.Started.class, f).id()), () -> "twice: " + f);
    }
    assertEquals(threads * perThread, frames.size());
  }

  @Test
  void largePayload_arrivesIntact_afterTheFramesQueuedBeforeIt() throws Exception {
    Recorder channel = new Recorder(64 * 1024, null);
    FrameWriter writer = new FrameWriter(channel, "test");
    byte[] big = new byte[3 * (1 << 18) + 123]; // above the by-reference threshold, several slices
    new Random(42).nextBytes(big);
    onOwnedThread(() -> {
      writer.send(new Frame.Started(1), false);
      writer.send(new Frame.Done(2, true, 5, new Codec.Encoded((byte) 10, big)), true);
      writer.send(new Frame.Cancel(3), false); // queued behind a large one sent without flush
      writer.send(new Frame.Done(4, false, -1, new Codec.Encoded((byte) 10, big)), false);
      writer.flush();
    });
    List<Frame> frames = channel.frames();
    assertEquals(4, frames.size(), frames::toString);
    assertEquals(new Frame.Started(1), frames.get(0));
    Frame.Done done = assertInstanceOf(Frame.Done.class, frames.get(1));
    assertEquals(2, done.id());
    assertArrayEquals(big, done.payload().body());
    assertEquals(new Frame.Cancel(3), frames.get(2));
    assertArrayEquals(big, assertInstanceOf(Frame.Done.class, frames.get(3)).payload().body());
  }

  @Test
  void payloadWithParts_arrivesWithEachPartInItsOwnArray_smallOrLarge() throws Exception {
    Recorder channel = new Recorder(64 * 1024, null);
    FrameWriter writer = new FrameWriter(channel, "test");
    Random random = new Random(7);
    byte[] body = new byte[100];
    byte[] part = new byte[70_000];
    byte[] large = new byte[3 * (1 << 18) + 5]; // sent by reference, from its own array
    double[] doubles = random.doubles(300_000).toArray(); // converted a chunk at a time: more than one chunk
    random.nextBytes(body);
    random.nextBytes(part);
    random.nextBytes(large);
    Codec.Encoded small = new Codec.Encoded(Codec.PARTS, body, List.of(part));
    Codec.Encoded big = new Codec.Encoded(Codec.PARTS, body, List.of(part, large, doubles));
    onOwnedThread(() -> {
      writer.send(new Frame.Run(1, false, small), false);
      writer.send(new Frame.Done(2, true, 5, big), true);
      writer.send(new Frame.Done(3, true, 5, big), false);
      writer.flush();
    });
    List<Frame> frames = channel.frames();
    assertEquals(3, frames.size(), frames::toString);
    Codec.Encoded a = assertInstanceOf(Frame.Run.class, frames.get(0)).task();
    assertEquals(Codec.PARTS, a.tag());
    assertArrayEquals(body, a.body());
    assertEquals(1, a.parts().size());
    assertArrayEquals(part, (byte[]) a.parts().get(0));
    for (Frame f : frames.subList(1, 3)) {
      Codec.Encoded b = assertInstanceOf(Frame.Done.class, f).payload();
      assertArrayEquals(body, b.body());
      assertEquals(3, b.parts().size());
      assertArrayEquals(part, (byte[]) b.parts().get(0));
      assertArrayEquals(large, (byte[]) b.parts().get(1));
      assertArrayEquals(doubles, assertInstanceOf(double[].class, b.parts().get(2)));
    }
  }

  /**
   * Sends {@code frame} with a flush on a new owned thread, completing {@code sent} when the send returns,
   * and returns once that thread sleeps (waiting for the region) or has ended.
   */
  private static Thread sendUntilItWaitsOrEnds(FrameWriter writer, Frame frame, CompletableFuture<Void> sent) {
    Thread t = Thread.ofPlatform().name("owned-waiting").start(() -> {
      FrameWriter.markOwned();
      try {
        writer.send(frame, true);
        sent.complete(null);
      } catch (Throwable e) {
        sent.completeExceptionally(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.TERMINATED) {
      assertTrue(System.nanoTime() - deadline < 0, "the sender neither waited nor finished");
      Thread.onSpinWait();
    }
    return t;
  }

  /** Reads the frames in {@code bytes} from {@code from} on, payloads in shared memory through {@code in}. */
  private static List<Frame> framesFrom(byte[] bytes, int from, Region.@Nullable In in) throws IOException {
    DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes, from, bytes.length - from));
    List<Frame> out = new ArrayList<>();
    for (Frame f = Frame.read(data, Integer.MAX_VALUE, in); f != null; f = Frame.read(data, Integer.MAX_VALUE, in)) {
      out.add(f);
    }
    return out;
  }

  /**
   * A writer whose payloads over a 3 MB socket limit go through a region in a directory, and that region's
   * reader; closing it unmaps both ends.
   */
  private record RegionRig(FrameWriter writer, Region.Out out, Region.In in) implements AutoCloseable {
    static final int SOCKET_MAX = 3 << 20;

    static RegionRig open(Recorder channel, Path dir, String prefix) {
      Region.Out out = new Region.Out(dir, prefix);
      FrameWriter writer = new FrameWriter(channel, "test", SOCKET_MAX);
      writer.useRegion(out);
      return new RegionRig(writer, out, new Region.In(dir, prefix));
    }

    @Override
    public void close() {
      out.close();
      in.close();
    }
  }

  @Test
  void aPayloadTooLargeForTheSocket_waitsForTheBusyRegion_inTheWritingThread_andLaterFramesStayBehindIt(
      @TempDir Path dir) throws Exception {
    Recorder channel = new Recorder(Integer.MAX_VALUE, null);
    int socketMax = RegionRig.SOCKET_MAX;
    Random random = new Random(11);
    byte[] first = new byte[2 << 20]; // through the region, which it then holds until it is read
    byte[] tooLarge = new byte[socketMax + 1]; // only a region can carry it
    byte[] after = new byte[2 << 20]; // may not take the region while the one before it waits
    random.nextBytes(first);
    random.nextBytes(tooLarge);
    random.nextBytes(after);
    try (RegionRig rig = RegionRig.open(channel, dir, "9-out-")) {
      FrameWriter writer = rig.writer();
      Region.In in = rig.in();
      onOwnedThread(() -> writer.send(new Frame.Done(1, true, 5, new Codec.Encoded((byte) 4, first)), true));
      int firstBytes = channel.written().length;
      assertTrue(firstBytes < 1000, "the first payload went to the region: " + firstBytes + " bytes on the socket");
      CompletableFuture<Void> sent = new CompletableFuture<>();
      Thread waiting = sendUntilItWaitsOrEnds(writer, new Frame.Done(2, true, 5, new Codec.Encoded((byte) 4, tooLarge)), sent);
      assertEquals(Thread.State.TIMED_WAITING, waiting.getState(),
          "the payload too large for the socket went without waiting for the busy region");
      onOwnedThread(() -> {
        writer.send(new Frame.Started(3), false);
        writer.send(new Frame.Done(4, true, 5, new Codec.Encoded((byte) 4, after)), false);
        writer.flush(); // the waiting thread is writing: these queue behind its frame
      });
      assertEquals(firstBytes, channel.written().length, "nothing overtook the waiting frame");

      List<Frame> head = framesFrom(channel.written(), 0, in); // reads the first payload: the region is free
      assertEquals(1, head.size());
      assertArrayEquals(first, assertInstanceOf(Frame.Done.class, head.get(0)).payload().body());
      sent.get(30, TimeUnit.SECONDS);
      waiting.join();

      byte[] all = channel.written();
      List<Frame> rest = framesFrom(all, firstBytes, in);
      assertEquals(3, rest.size(), rest::toString);
      Frame.Done big = assertInstanceOf(Frame.Done.class, rest.get(0));
      assertEquals(2, big.id());
      assertArrayEquals(tooLarge, big.payload().body());
      assertEquals(new Frame.Started(3), rest.get(1));
      Frame.Done last = assertInstanceOf(Frame.Done.class, rest.get(2));
      assertArrayEquals(after, last.payload().body());
      assertTrue(all.length - firstBytes > after.length && all.length - firstBytes < after.length + 1000,
          "the one that may not take the region went through the socket, the waiting one through the region: "
              + (all.length - firstBytes) + " bytes on the socket");
    }
  }

  @Test
  void whileAFrameWaitsToTakeTheRegion_aLaterPayloadDoesNotTakeItFirst(@TempDir Path dir) throws Exception {
    Recorder channel = new Recorder(Integer.MAX_VALUE, null);
    byte[] tooLarge = new byte[RegionRig.SOCKET_MAX + 1];
    byte[] later = new byte[2 << 20]; // would go to the free region, were the one before it not waiting for it
    new Random(5).nextBytes(tooLarge);
    new Random(6).nextBytes(later);
    try (RegionRig rig = RegionRig.open(channel, dir, "8-out-")) {
      FrameWriter writer = rig.writer();
      onOwnedThread(() -> {
        writer.send(new Frame.Done(1, true, 5, new Codec.Encoded((byte) 4, tooLarge)), false);
        writer.send(new Frame.Done(2, true, 5, new Codec.Encoded((byte) 4, later)), false);
        writer.flush(); // had the later one taken the region, the first would wait for it here forever
      });
      byte[] all = channel.written();
      List<Frame> frames = framesFrom(all, 0, rig.in());
      assertEquals(2, frames.size(), frames::toString);
      assertArrayEquals(tooLarge, assertInstanceOf(Frame.Done.class, frames.get(0)).payload().body());
      assertArrayEquals(later, assertInstanceOf(Frame.Done.class, frames.get(1)).payload().body());
      assertTrue(all.length > later.length && all.length < later.length + 1000, all.length + " bytes on the socket");
    }
  }

  @Test
  void aThreadWaitingForTheRegion_stopsWithAFailure_whenTheWriterIsClosed(@TempDir Path dir) throws Exception {
    Recorder channel = new Recorder(Integer.MAX_VALUE, null);
    try (RegionRig rig = RegionRig.open(channel, dir, "7-out-")) {
      FrameWriter writer = rig.writer();
      onOwnedThread(() -> writer.send(new Frame.Done(1, true, 5, new Codec.Encoded((byte) 4, new byte[2 << 20])), true));
      CompletableFuture<Void> sent = new CompletableFuture<>();
      sendUntilItWaitsOrEnds(writer,
          new Frame.Done(2, true, 5, new Codec.Encoded((byte) 4, new byte[RegionRig.SOCKET_MAX + 1])), sent);
      writer.close(); // as when the peer is gone: nobody will ever free the region
      java.util.concurrent.ExecutionException e =
          assertThrows(java.util.concurrent.ExecutionException.class, () -> sent.get(30, TimeUnit.SECONDS));
      assertInstanceOf(IOException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("its shared memory cannot take it"), e.getCause().getMessage());
    }
  }

  @Test
  void aPayloadTooLargeForTheSocket_withoutARegion_failsTheSend_sayingWhy() {
    Recorder channel = new Recorder(Integer.MAX_VALUE, null);
    FrameWriter writer = new FrameWriter(channel, "test", 1000);
    IOException e = assertThrows(IOException.class, () -> onOwnedThread(
        () -> writer.send(new Frame.Done(1, true, 5, new Codec.Encoded((byte) 4, new byte[1001])), true)));
    assertTrue(e.getMessage().contains("too large for one socket frame: this connection has no shared memory"),
        e.getMessage());
  }

  @Test
  void withoutFlush_nothingIsWritten_thenOneFlushWritesEveryFrame() throws Exception {
    Recorder channel = new Recorder(Integer.MAX_VALUE, null);
    FrameWriter writer = new FrameWriter(channel, "test");
    onOwnedThread(() -> {
      for (int i = 0; i < 10; i++) {
        writer.send(new Frame.Started(i), false);
      }
      assertEquals(0, channel.calls(), "a frame sent without flush was written at once");
      writer.flush();
    });
    assertEquals(10, channel.frames().size());
    assertTrue(channel.calls() <= 3, () -> "10 small frames took " + channel.calls() + " writes; they should combine");
  }

  @Test
  void aThreadTheApplicationMayInterrupt_handsItsWriteToTheWritersOwnThread() throws Exception {
    Recorder channel = new Recorder(Integer.MAX_VALUE, null);
    FrameWriter writer = new FrameWriter(channel, "handoff");
    writer.send(new Frame.Started(7), true); // the test thread: not owned
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (channel.frames().isEmpty()) {
      assertTrue(System.nanoTime() - deadline < 0, "the hand-off thread never wrote");
      LockSupport.parkNanos(1_000_000); // polls: the channel's content, not the pause, is what is awaited
    }
    assertEquals(List.of(new Frame.Started(7)), channel.frames());
    assertEquals(Set.of("unipool-writer-handoff"), channel.writers(), "the caller wrote to a blocking channel");
  }

  @Test
  void failedChannel_failsTheSend_onAnOwnedThread() throws Exception {
    IOException broken = new IOException("broken pipe");
    FrameWriter writer = new FrameWriter(new Recorder(10, broken), "test");
    IOException e = assertThrows(IOException.class, () -> onOwnedThread(() -> writer.send(new Frame.Started(1), true)));
    assertEquals("broken pipe", e.getMessage());
  }

  @Test
  void failedChannel_failsLaterFlushes_afterAHandOff() throws Exception {
    IOException broken = new IOException("broken pipe");
    Recorder channel = new Recorder(10, broken);
    FrameWriter writer = new FrameWriter(channel, "test");
    writer.send(new Frame.Started(1), true); // handed off; the writer's thread meets the failure
    assertTrue(channel.wrote.await(30, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        writer.flush();
      } catch (IOException e) {
        assertEquals("broken pipe", e.getMessage());
        return;
      }
      assertTrue(System.nanoTime() - deadline < 0, "flush kept succeeding on a failed channel");
      LockSupport.parkNanos(1_000_000); // the hand-off thread records the failure right after the write fails
    }
  }
}
