package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.remote.Codec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames written by hand, as a broken or hostile peer would send them. */
class FrameTest {
  /** A frame whose byte array announces {@code announced} bytes but carries {@code carried}. */
  private static byte[] handMade(int type, int announced, int carried, long... longsBefore) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(body);
    out.writeByte(type);
    for (long l : longsBefore) {
      out.writeLong(l);
    }
    if (type == 5) {
      out.writeBoolean(false); // reportStart
      out.writeByte(9); // tag
    }
    out.writeInt(announced);
    out.write(new byte[carried]);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    DataOutputStream f = new DataOutputStream(frame);
    f.writeInt(body.size());
    f.write(body.toByteArray());
    return frame.toByteArray();
  }

  private static @org.jspecify.annotations.Nullable Frame read(byte[] bytes) throws IOException {
    return Frame.read(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  @Test
  void byteArrayLongerThanItsFrame_isRefusedBeforeAllocating_namingBothLengths() throws Exception {
    // Run: type, id, reportStart, tag, length, body. An 18-byte frame cannot hold a 2 GB array;
    // allocating it first would be an OutOfMemoryError, not an IOException.
    byte[] run = handMade(5, Integer.MAX_VALUE - 8, 3, 42L);
    StreamCorruptedException e = assertThrows(StreamCorruptedException.class, () -> read(run));
    assertTrue(e.getMessage().contains("a frame of 18 bytes announces a byte array of " + (Integer.MAX_VALUE - 8)
        + " bytes, but has room for at most 3"), e.getMessage());

    byte[] initFailed = handMade(4, 1_000_000, 0);
    e = assertThrows(StreamCorruptedException.class, () -> read(initFailed));
    assertTrue(e.getMessage().contains("announces a byte array of 1000000 bytes, but has room for at most 0"),
        e.getMessage());

    byte[] oneTooMany = handMade(5, 4, 3, 7L);
    assertThrows(StreamCorruptedException.class, () -> read(oneTooMany), "one byte more than the frame holds");
  }

  @Test
  void everyFrameType_hasAWireForm() throws Exception {
    // Frame.write tests types one by one (no exhaustive switch to catch a new type at compile time).
    List<Frame> frames = List.of(
        new Frame.Hello("token", "worker-1", 42), new Frame.Init(List.of(), null, false, ""), new Frame.Ready(),
        new Frame.InitFailed(new byte[1]), new Frame.Run(1, false, new Codec.Encoded((byte) 9, new byte[1])),
        new Frame.Started(2), new Frame.Cancel(3), new Frame.Done(4, true, 5, new Codec.Encoded((byte) 9, new byte[1])),
        new Frame.Skipped(6), new Frame.Stop(), new Frame.ForyReady(),
        new Frame.RunKept(7, true, 8, new Codec.Encoded((byte) 9, new byte[1])), new Frame.RunAgain(9, true, 10));
    java.util.Set<Class<?>> covered = new java.util.HashSet<>();
    for (Frame f : frames) {
      Frame.Buffer buffer = new Frame.Buffer();
      Frame.write(f, buffer);
      Frame back = read(Arrays.copyOf(buffer.bytes().array(), buffer.size()));
      assertEquals(f.getClass(), back == null ? null : back.getClass(), "read back as " + back);
      if (f.getClass().getRecordComponents().length == 0 || f instanceof Frame.Hello
          || f instanceof Frame.Started || f instanceof Frame.Cancel || f instanceof Frame.Skipped
          || f instanceof Frame.RunAgain) {
        assertEquals(f, back); // value records: equal when every field came back
      }
      covered.add(f.getClass());
    }
    assertEquals(java.util.Set.of(Frame.class.getPermittedSubclasses()), covered, "a frame type without a sample here");
  }

  @Test
  void framesThatFit_readBackAsWritten() throws Exception {
    byte[] body = {1, 2, 3, 4, 5};
    List<Frame> frames = List.of(
        new Frame.Run(7, true, new Codec.Encoded((byte) 9, body)),
        new Frame.Started(11),
        new Frame.ForyReady(),
        new Frame.Done(8, true, 123, new Codec.Encoded((byte) 10, body)),
        new Frame.Done(9, false, -1, new Codec.Encoded((byte) 0, new byte[0])),
        new Frame.InitFailed(body),
        new Frame.Init(List.of("com.example.*", "caf\u00e9.**", ""), body, true, "/dev/shm/x"),
        new Frame.Init(List.of(), null, false, ""),
        new Frame.RunKept(7, true, 4095, new Codec.Encoded((byte) 9, body)),
        new Frame.RunAgain(7, true, 4095));
    for (Frame f : frames) {
      Frame.Buffer buffer = new Frame.Buffer();
      Frame.write(f, buffer);
      Frame back = read(Arrays.copyOf(buffer.bytes().array(), buffer.size()));
      switch (back) {
        case Frame.Run r -> {
          assertEquals(7, r.id());
          assertTrue(r.reportStart());
          assertArrayEquals(body, r.task().body());
        }
        case Frame.RunKept k -> {
          assertEquals(new Frame.RunAgain(7, true, 4095), new Frame.RunAgain(k.id(), k.reportStart(), k.key()));
          assertArrayEquals(body, k.task().body());
        }
        case Frame.RunAgain a -> assertEquals(f, a);
        case Frame.Started st -> assertEquals(11, st.id());
        case Frame.ForyReady r -> assertEquals(f, r); // a frame of its own type, nothing more
        case Frame.Done d -> assertEquals(((Frame.Done) f).payload().body().length, d.payload().body().length);
        case Frame.InitFailed i -> assertArrayEquals(body, i.error());
        case Frame.Init i -> {
          assertEquals(((Frame.Init) f).allowClasses(), i.allowClasses());
          assertEquals(((Frame.Init) f).prepareFory(), i.prepareFory());
        }
        default -> throw new AssertionError("read back " + back);
      }
    }
  }

  /** A channel that hands out at most {@code step} bytes per read, as a socket may. */
  private static ReadableByteChannel trickle(byte[] bytes, int step) {
    ByteBuffer source = ByteBuffer.wrap(bytes);
    return new ReadableByteChannel() {
      @Override
      public int read(ByteBuffer dst) {
        if (!source.hasRemaining()) {
          return -1;
        }
        int n = Math.min(step, Math.min(dst.remaining(), source.remaining()));
        dst.put(source.slice(source.position(), n));
        source.position(source.position() + n);
        return n;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void nextIsBuffered_onlyForAWholeFrameThatCopiesNothingOutOfSharedMemory() throws Exception {
    Frame.Buffer buffer = new Frame.Buffer();
    Frame.write(new Frame.Started(1), buffer);
    Frame.write(new Frame.Run(2, false, new Codec.Encoded((byte) 9, new byte[100])), buffer);
    Frame.write(new Frame.Cancel(3), buffer);
    Frame.write(new Frame.Run(4, false, new Codec.Encoded((byte) 9, new byte[100])), buffer, false,
        new Region.Ticket(1, 1 << 20, 100, MemorySegment.NULL));
    int doneInRegion = buffer.size();
    Frame.write(new Frame.Done(5, true, 10, new Codec.Encoded((byte) 9, new byte[100])), buffer, false,
        new Region.Ticket(1, 1 << 20, 100, MemorySegment.NULL));
    byte[] bytes = Arrays.copyOf(buffer.bytes().array(), buffer.size());

    ChannelInput whole = new ChannelInput(trickle(bytes, bytes.length));
    DataInputStream in = new DataInputStream(whole);
    assertFalse(Frame.nextIsBuffered(whole), "nothing is read before the first frame is asked for");
    assertInstanceOf(Frame.Started.class, Frame.read(in));
    assertTrue(Frame.nextIsBuffered(whole));
    assertEquals(2, assertInstanceOf(Frame.Run.class, Frame.read(in)).id());
    assertTrue(Frame.nextIsBuffered(whole));
    assertEquals(3, assertInstanceOf(Frame.Cancel.class, Frame.read(in)).id());
    assertFalse(Frame.nextIsBuffered(whole), "a task whose payload is in shared memory counts as not buffered");
    // An answer whose payload is in shared memory, after a Started frame (13 bytes), likewise.
    byte[] startedThenDone = new byte[13 + bytes.length - doneInRegion];
    System.arraycopy(bytes, 0, startedThenDone, 0, 13);
    System.arraycopy(bytes, doneInRegion, startedThenDone, 13, bytes.length - doneInRegion);
    ChannelInput answers = new ChannelInput(trickle(startedThenDone, startedThenDone.length));
    assertInstanceOf(Frame.Started.class, Frame.read(new DataInputStream(answers)));
    assertEquals(bytes.length - doneInRegion, answers.available());
    assertFalse(Frame.nextIsBuffered(answers), "an answer whose payload is in shared memory counts as not buffered");

    ChannelInput pieces = new ChannelInput(trickle(bytes, 7)); // 14 bytes for the first frame's 13
    assertInstanceOf(Frame.Started.class, Frame.read(new DataInputStream(pieces)));
    assertEquals(1, pieces.available());
    assertFalse(Frame.nextIsBuffered(pieces), "one byte of the next frame is not the frame");
    ChannelInput header = new ChannelInput(trickle(bytes, 13 + 10)); // the Run's length, not its body
    assertInstanceOf(Frame.Started.class, Frame.read(new DataInputStream(header)));
    assertEquals(10, header.available());
    assertFalse(Frame.nextIsBuffered(header), "part of the next frame is not the frame");
  }

  @Test
  void nextIsBuffered_findsTheBodyLengthOfAKeptTask() throws Exception {
    Frame.Buffer buffer = new Frame.Buffer();
    Frame.write(new Frame.Started(1), buffer); // 13 bytes
    Frame.write(new Frame.RunKept(2, false, 3, new Codec.Encoded((byte) 9, new byte[100])), buffer);
    Frame.write(new Frame.RunAgain(4, false, 3), buffer);
    byte[] bytes = Arrays.copyOf(buffer.bytes().array(), buffer.size());

    ChannelInput whole = new ChannelInput(trickle(bytes, bytes.length));
    DataInputStream in = new DataInputStream(whole);
    assertInstanceOf(Frame.Started.class, Frame.read(in));
    assertTrue(Frame.nextIsBuffered(whole));
    assertEquals(3, assertInstanceOf(Frame.RunKept.class, Frame.read(in)).key());
    assertTrue(Frame.nextIsBuffered(whole));
    assertEquals(4, assertInstanceOf(Frame.RunAgain.class, Frame.read(in)).id());

    // The parent never puts a kept task in shared memory, but the field must be read where it is.
    byte[] inRegion = bytes.clone();
    ByteBuffer.wrap(inRegion).putInt(13 + Frame.KEPT_BODY_LENGTH_AT, Frame.IN_REGION);
    ChannelInput marked = new ChannelInput(trickle(inRegion, inRegion.length));
    assertInstanceOf(Frame.Started.class, Frame.read(new DataInputStream(marked)));
    assertFalse(Frame.nextIsBuffered(marked), "a kept task whose body is in shared memory is not buffered");
  }

  @Test
  void buffer_growsPastItsFirstArray_andHoldsWhatADataOutputStreamWouldWrite() throws IOException {
    Frame.Buffer buffer = new Frame.Buffer();
    ByteArrayOutputStream reference = new ByteArrayOutputStream();
    DataOutputStream expected = new DataOutputStream(reference);
    byte[] chunk = new byte[3000];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) (i * 31);
    }
    for (int round = 0; round < 10; round++) { // 10 rounds of ~3 KB: well past the first 8 KB array
      for (DataOutputStream out : List.of(buffer, expected)) {
        out.writeInt(round);
        out.writeByte(round);
        out.writeLong(-round);
        out.writeBoolean(round % 2 == 0);
        out.write(chunk, round, chunk.length - round);
      }
    }
    assertEquals(reference.size(), buffer.bytes().size());
    assertArrayEquals(reference.toByteArray(), Arrays.copyOf(buffer.bytes().array(), buffer.bytes().size()));
    assertThrows(IndexOutOfBoundsException.class, () -> buffer.write(chunk, 10, chunk.length));
    assertThrows(IndexOutOfBoundsException.class, () -> buffer.write(chunk, -1, 1));
    assertEquals(reference.size(), buffer.bytes().size(), "a refused write adds nothing");
  }
}
