package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.remote.Codec;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class KeptTasksTest {
  private static final Codec.Encoded A = new Codec.Encoded((byte) 9, new byte[] {1, 2, 3});
  private static final Codec.Encoded B = new Codec.Encoded((byte) 9, new byte[] {4, 5});

  @Test
  void sender_sendsASharedTaskWholeOnce_thenItsKey_andOtherTasksPlain() {
    Map<Codec.Encoded, Integer> keys = Map.of(A, 0, B, 100);
    KeptTasks.Sender sender = new KeptTasks.Sender(e -> keys.getOrDefault(e, -1));
    Frame.RunKept kept = assertInstanceOf(Frame.RunKept.class, sender.runFrame(1, false, A));
    assertEquals(0, kept.key());
    assertSame(A, kept.task());
    Frame.RunAgain again = assertInstanceOf(Frame.RunAgain.class, sender.runFrame(2, true, A));
    assertEquals(new Frame.RunAgain(2, true, 0), again);
    assertInstanceOf(Frame.RunKept.class, sender.runFrame(3, false, B));
    assertInstanceOf(Frame.RunAgain.class, sender.runFrame(4, false, B));
    Codec.Encoded plain = new Codec.Encoded((byte) 9, new byte[] {1, 2, 3}); // equal bytes, not shared
    assertSame(plain, assertInstanceOf(Frame.Run.class, sender.runFrame(5, false, plain)).task());

    KeptTasks.Sender another = new KeptTasks.Sender(e -> keys.getOrDefault(e, -1));
    assertInstanceOf(Frame.RunKept.class, another.runFrame(6, false, A), "each worker keeps its own");
  }

  @Test
  void sender_sendsKeysBeyondTheLimitPlain() {
    KeptTasks.Sender sender = new KeptTasks.Sender(e -> Frame.MAX_KEPT);
    assertInstanceOf(Frame.Run.class, sender.runFrame(1, false, A));
    assertInstanceOf(Frame.Run.class, sender.runFrame(2, false, A));
  }

  @Test
  void receiver_turnsKeptAndRepeatedTasksIntoRuns_ofOneInstance() throws Exception {
    KeptTasks.Receiver receiver = new KeptTasks.Receiver();
    Frame.Run first = assertInstanceOf(Frame.Run.class, receiver.resolve(new Frame.RunKept(1, true, 700, A)));
    assertEquals(1, first.id());
    assertTrue(first.reportStart());
    assertSame(A, first.task());
    Frame.Run again = assertInstanceOf(Frame.Run.class, receiver.resolve(new Frame.RunAgain(2, false, 700)));
    assertEquals(new Frame.Run(2, false, A), again);
    assertSame(A, again.task());
    Frame cancel = new Frame.Cancel(3);
    assertSame(cancel, receiver.resolve(cancel));
    assertNull(receiver.resolve(null));
  }

  @Test
  void receiver_refusesKeysNeverKept_orOutOfRange() throws Exception {
    KeptTasks.Receiver receiver = new KeptTasks.Receiver();
    StreamCorruptedException e = assertThrows(StreamCorruptedException.class,
        () -> receiver.resolve(new Frame.RunAgain(1, false, 5)));
    assertEquals("task key 5 was never sent", e.getMessage());
    receiver.resolve(new Frame.RunKept(2, false, 5, A));
    assertThrows(StreamCorruptedException.class, () -> receiver.resolve(new Frame.RunAgain(3, false, 6)));
    assertThrows(StreamCorruptedException.class, () -> receiver.resolve(new Frame.RunAgain(3, false, -1)));
    assertThrows(StreamCorruptedException.class, () -> receiver.resolve(new Frame.RunAgain(3, false, 1 << 20)));
    assertThrows(StreamCorruptedException.class, () -> receiver.resolve(new Frame.RunKept(4, false, -1, A)));
    assertThrows(StreamCorruptedException.class,
        () -> receiver.resolve(new Frame.RunKept(4, false, Frame.MAX_KEPT, A)));
  }

  @Test
  void aRepeatedTask_travelsAsAKey_andIsDecodedOnce() throws Exception {
    Codec parent = new Codec(List.of(), "a test");
    Codec worker = new Codec(List.of(), "a test");
    Callable<Integer> task = (Callable<Integer> & Serializable) () -> 42;
    KeptTasks.Sender sender = new KeptTasks.Sender(parent::sharedKey);
    Frame.Buffer wire = new Frame.Buffer();
    Frame.write(sender.runFrame(1, false, parent.encodeTask(task)), wire);
    int firstLength = wire.size();
    Frame.write(sender.runFrame(2, false, parent.encodeTask(task)), wire);
    assertTrue(wire.size() - firstLength < 32,
        "the second is a key: " + (wire.size() - firstLength) + " bytes after " + firstLength);

    DataInputStream in = new DataInputStream(
        new ByteArrayInputStream(Arrays.copyOf(wire.bytes().array(), wire.size())));
    KeptTasks.Receiver receiver = new KeptTasks.Receiver();
    Frame.Run one = assertInstanceOf(Frame.Run.class, receiver.resolve(Frame.read(in)));
    Frame.Run two = assertInstanceOf(Frame.Run.class, receiver.resolve(Frame.read(in)));
    assertEquals(2, two.id());
    Object decoded = worker.decodeTask(one.task());
    assertSame(decoded, worker.decodeTask(two.task()));
    assertEquals(42, ((Callable<?>) decoded).call());
  }
}
