package dev.unipool.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class CodecTest {
  /** Not Serializable: a task capturing it must be refused at encoding, naming it. */
  static final class Unsendable {
    final int x = 1;
  }

  record Point(int x, String label, List<Integer> path) implements Serializable {}

  /** Custom serialization: the transient field is rebuilt by readObject, which Fory must call. */
  static final class Custom implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final String name;
    transient int length;

    Custom(String name) {
      this.name = name;
      this.length = name.length();
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      length = name.length() * 10;
    }
  }

  /** An exception without a (String) constructor: Fory alone would drop its stack trace. */
  static final class Odd extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;
    final int code;

    Odd(int code, Throwable cause) {
      super("odd " + code, cause);
      this.code = code;
    }
  }

  static final class Node implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    Node next;
  }

  private static Codec codec(String mode, List<String> allow) {
    String old = System.getProperty(Codec.MODE_PROPERTY);
    System.setProperty(Codec.MODE_PROPERTY, mode);
    try {
      return new Codec(allow, "a test");
    } finally {
      if (old == null) {
        System.clearProperty(Codec.MODE_PROPERTY);
      } else {
        System.setProperty(Codec.MODE_PROPERTY, old);
      }
    }
  }

  private static Codec codec(String mode) {
    return codec(mode, List.of());
  }

  private static Callable<Long> capturing(long a, String s, List<Integer> list) {
    return (Callable<Long> & Serializable) () -> a * 2 + s.length() + list.size();
  }

  @Test
  void javaWarmUp_sendsALambdaThroughAndBack() {
    // A worker's boot thread runs it; false would mean every worker's first task pays the set-up again.
    assertTrue(Codec.warmUpJava(), "the warm-up lambda did not survive Java serialization under the deny-list");
  }

  @Test
  void foryCarriesCapturingLambdas() throws Exception {
    Codec c = codec("fory");
    Codec.Encoded e = c.encodeTask(capturing(20, "abc", List.of(1, 2)));
    assertEquals(Codec.FORY, e.tag());
    Callable<?> back = (Callable<?>) codec("fory").decodeTask(e);
    assertEquals(45L, back.call());
  }

  @Test
  void foryCarriesRecordsCustomSerializationAndCycles() throws Exception {
    Codec c = codec("fory");
    Point p = new Point(3, "p", List.of(4, 5));
    Codec.Encoded e = c.encode(p);
    assertEquals(Codec.FORY, e.tag());
    assertEquals(p, c.decode(e));

    Custom custom = (Custom) c.decode(c.encode(new Custom("four")));
    assertEquals("four", custom.name);
    assertEquals(40, custom.length, "readObject must run");

    Node a = new Node();
    a.next = new Node();
    a.next.next = a;
    Node back = (Node) c.decode(c.encode(a));
    assertSame(back, back.next.next, "a cycle comes back as a cycle");

    Map<String, List<Integer>> m = Map.of("k", List.of(1, 2, 3));
    assertEquals(m, c.decode(c.encode(m)));
  }

  @Test
  void unserializableCaptureIsRefusedNamingTheClass() {
    for (String mode : List.of("fory", "java", "auto")) {
      Unsendable u = new Unsendable();
      Callable<Integer> task = (Callable<Integer> & Serializable) () -> u.x;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec(mode).encodeTask(task));
      assertTrue(e.getMessage().contains(Unsendable.class.getName()), mode + ": " + e.getMessage());
    }
  }

  @Test
  void unserializableJdkCapture_isNamed_withoutAdviceToChangeTheJdk() {
    java.io.ByteArrayInputStream stream = new java.io.ByteArrayInputStream(new byte[1]);
    Callable<Integer> task = (Callable<Integer> & Serializable) () -> stream.read();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec("auto").encodeTask(task));
    assertTrue(e.getMessage().contains("java.io.ByteArrayInputStream"), e.getMessage());
    assertTrue(e.getMessage().contains("create clients, streams and connections inside the task"), e.getMessage());
    assertFalse(e.getMessage().contains("implement Serializable"), e.getMessage());
  }

  /** What CompletableFuture.supplyAsync(..., pool) hands the pool: the JDK's stage object, not the supplier. */
  @Test
  @SuppressWarnings("FutureReturnValueIgnored") // the futures never run: only the stages handed over matter
  void completableFutureAsyncStage_namesTheWrapper_andWhatToDoInstead() {
    List<Runnable> handed = new ArrayList<>();
    java.util.concurrent.CompletableFuture.supplyAsync(() -> 1, handed::add);
    java.util.concurrent.CompletableFuture.completedFuture(1).thenApplyAsync(x -> x + 1, handed::add);
    assertEquals(2, handed.size());
    for (Runnable stage : handed) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec("auto").encodeTask(stage));
      String m = e.getMessage();
      assertTrue(m.contains("CompletableFuture.supplyAsync"), m);
      assertTrue(m.contains("pool.submit(() -> ...) returns a TaskFuture, which is a CompletionStage"), m);
      assertFalse(m.contains("implement Serializable"), m);
    }
  }

  @Test
  void executorCompletionServiceWrapper_pointsToFuturesAsCompleted() {
    List<Runnable> handed = new ArrayList<>();
    new java.util.concurrent.ExecutorCompletionService<Integer>(handed::add).submit(() -> 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codec("auto").encodeTask(handed.getFirst()));
    assertTrue(e.getMessage().contains("ExecutorCompletionService"), e.getMessage());
    assertTrue(e.getMessage().contains("Futures.asCompleted"), e.getMessage());
    assertFalse(e.getMessage().contains("implement Serializable"), e.getMessage());
  }

  @Test
  void executorsCallableAdapter_saysToSubmitTheRunnable() {
    Callable<Object> adapted = java.util.concurrent.Executors.callable((Runnable & Serializable) () -> {});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec("auto").encodeTask(adapted));
    assertTrue(e.getMessage().contains("Executors.callable"), e.getMessage());
    assertFalse(e.getMessage().contains("implement Serializable"), e.getMessage());
  }

  @Test
  void allowListRefusesOtherClassesInBothForms() throws Exception {
    for (String mode : List.of("fory", "java")) {
      Codec.Encoded e = codec(mode).encode(new example.outside.Parcel("x"));
      Codec strict = codec(mode, List.of("com.example.nothing.*"));
      IOException refused = assertThrows(IOException.class, () -> strict.decode(e), mode);
      assertTrue(refused.getMessage().contains("refused") || refused.getMessage().contains("REJECTED"),
          mode + ": " + refused.getMessage());
      Codec allowing = codec(mode, List.of("example.outside.*"));
      assertEquals(new example.outside.Parcel("x"), allowing.decode(e), mode);
    }
  }

  @Test
  void denyListRefusesKnownGadgetPackages() throws Exception {
    for (String mode : List.of("fory", "java")) {
      Codec c = codec(mode);
      Codec.Encoded e = c.encode(new javax.management.ObjectName("d:type=x"));
      assertThrows(IOException.class, () -> c.decode(e), mode);
    }
  }

  @Test
  void exceptionsKeepTypeMessageCauseAndStackTrace() {
    Codec c = codec("fory");
    Odd odd = new Odd(7, new IllegalStateException("inner"));
    Throwable back = c.decodeThrowable(c.encodeThrowable(odd));
    Odd o = assertInstanceOf(Odd.class, back);
    assertEquals(7, o.code);
    assertEquals("odd 7", o.getMessage());
    assertEquals("inner", o.getCause().getMessage());
    assertTrue(o.getStackTrace().length > 0);
    assertArrayEquals(odd.getStackTrace(), o.getStackTrace());
  }

  @Test
  void unserializableExceptionBecomesRemoteTaskException() {
    Codec c = codec("auto");
    RuntimeException bad = new RuntimeException("holds junk") {
      @Serial private static final long serialVersionUID = 1L;
      @SuppressWarnings("unused")
      final Unsendable junk = new Unsendable();
    };
    Throwable back = c.decodeThrowable(c.encodeThrowable(bad));
    dev.unipool.RemoteTaskException r = assertInstanceOf(dev.unipool.RemoteTaskException.class, back);
    assertEquals("holds junk", r.getMessage().contains("holds junk") ? "holds junk" : r.getMessage());
  }

  @Test
  void byteArraysAreTheirOwnBody() throws Exception {
    byte[] data = {1, 2, 3};
    Codec c = codec("auto");
    Codec.Encoded e = c.encode(data);
    assertSame(data, e.body());
    assertSame(data, c.decode(e));
    assertArrayEquals(data, (byte[]) c.decodeJoined(e.joined()));
  }

  @Test
  void autoStartsWithJavaAndSwitchesToForyOnceWarm() throws Exception {
    Codec c = codec("auto");
    List<Codec.Encoded> early = new ArrayList<>();
    for (int i = 0; i < Codec.WARM_AFTER; i++) {
      early.add(c.encode(new Point(i, "p", List.of(i))));
    }
    early.forEach(e -> assertEquals(Codec.JAVA, e.tag()));
    ForyEngine.writer(); // waits for the warm-up the WARM_AFTERth use started
    Codec.Encoded later = c.encode(new Point(9, "p", List.of(9)));
    assertEquals(Codec.FORY, later.tag());
    // A reader in either mode reads both forms.
    Codec javaOnly = codec("java");
    assertEquals(new Point(0, "p", List.of(0)), javaOnly.decode(early.getFirst()));
    assertEquals(new Point(9, "p", List.of(9)), javaOnly.decode(later));
  }

  @Test
  void aCodecWaitingForItsPeer_writesJavaUntilThePeerReadsFory_thenStaysSwitched() throws Exception {
    Codec c = codec("auto");
    c.switchOnlyWhenPeerReads();
    c.prepareFory(); // writer built: only the peer's word is missing
    for (int i = 0; i < 3 * Codec.WARM_AFTER; i++) {
      assertEquals(Codec.JAVA, c.encode(new Point(i, "p", List.of(i))).tag(), "use " + i);
    }
    assertFalse(c.writesFory());
    c.peerReadsFory(true);
    Codec.Encoded switched = c.encode(new Point(1, "p", List.of(1)));
    assertEquals(Codec.FORY, switched.tag());
    assertTrue(c.writesFory());
    c.peerReadsFory(false); // a worker that has not built its reader joins: a switch once made stays
    assertEquals(Codec.FORY, c.encode(new Point(2, "p", List.of(2))).tag());
    assertEquals(new Point(1, "p", List.of(1)), codec("java").decode(switched));
  }

  @Test
  void onForyReaderBuilt_runsWhenTheReaderIsBuilt_atOnceIfItIs_neverWithoutFory() {
    // An allow-list of its own: a reader no other test has built yet.
    List<String> allow = List.of("com.example.handshake" + System.nanoTime() + ".*");
    Codec c = codec("auto", allow);
    java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
    c.onForyReaderBuilt(told::incrementAndGet);
    assertEquals(0, told.get(), "told before the reader was built");
    c.prepareFory();
    assertEquals(1, told.get(), "not told once the reader was built");
    c.onForyReaderBuilt(told::incrementAndGet);
    assertEquals(2, told.get(), "a late listener is told at once");

    Codec javaOnly = codec("java", allow);
    javaOnly.onForyReaderBuilt(told::incrementAndGet);
    javaOnly.prepareFory();
    assertEquals(2, told.get(), "a codec that never uses Fory said it reads Fory");
  }

  @Test
  void warmUpStartsWhenEncodingsAndDecodingsInterleave() throws Exception {
    Codec c = codec("auto");
    List<Codec.Encoded> sent = new ArrayList<>();
    for (int i = 0; i < Codec.WARM_AFTER / 2; i++) {
      sent.add(c.encode(new Point(i, "p", List.of())));
    }
    for (Codec.Encoded e : sent) { // the results of invokeAll over four tasks, say
      c.decode(e);
    }
    c.encode(new Point(99, "p", List.of()));
    assertTrue(c.warmUpStarted(), "no use hit the threshold exactly, yet one passed it");
  }

  @Test
  void allowListKeepsCommonJdkExceptions() {
    Codec strict = codec("java", List.of("com.example.nothing.*"));
    for (Throwable t : List.of(new IOException("disk"), new java.io.UncheckedIOException(new IOException("io")),
        new java.nio.file.NoSuchFileException("/x"))) {
      Throwable back = strict.decodeThrowable(strict.encodeThrowable(t));
      assertEquals(t.getClass(), back.getClass(), () -> "came back as " + back);
    }
  }

  @Test
  void unserializableFieldIsRefusedEvenWithoutAContextClassLoader() throws Exception {
    record Holder(Object inside) implements Serializable {}
    Codec c = codec("fory");
    Holder h = new Holder(new Unsendable());
    java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
    Thread t = Thread.ofPlatform().unstarted(() -> {
      try {
        c.encodeTask((Callable<Object> & Serializable) () -> h);
        outcome.complete(null);
      } catch (Throwable e) {
        outcome.complete(e);
      }
    });
    t.setContextClassLoader(null); // as on some framework and pool threads
    t.start();
    Throwable e = outcome.get(60, java.util.concurrent.TimeUnit.SECONDS);
    IllegalArgumentException iae = assertInstanceOf(IllegalArgumentException.class, e);
    assertTrue(iae.getMessage().contains(Unsendable.class.getName()), iae.getMessage());
  }

  @Test
  void largeObjectsSurviveJavaSerialization() throws Exception {
    byte[] big = new byte[5_000_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 7);
    }
    record Holder(byte[] data) implements Serializable {}
    for (String mode : List.of("java", "fory")) {
      Codec c = codec(mode);
      Holder back = (Holder) c.decode(c.encode(new Holder(big)));
      assertArrayEquals(big, back.data(), mode);
    }
  }

  @Test
  void badModeIsRejectedListingTheValidOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec("kryo"));
    assertTrue(e.getMessage().contains("auto, fory, java"), e.getMessage());
  }

  /** A record holding large and small byte arrays, one of them twice. */
  record Arrays(byte[] big, byte[] small, List<byte[]> more) implements Serializable {}

  private static byte[] filled(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  @Test
  void largeByteArrays_travelAsParts_notCopied_andComeBackAsThoseArrays() throws Exception {
    for (String mode : List.of("fory", "java")) {
      Codec c = codec(mode);
      byte[] big = filled(Codec.PART_MIN, 1);
      byte[] other = filled(Codec.PART_MIN + 7, 2);
      byte[] small = filled(Codec.PART_MIN - 1, 3);
      Codec.Encoded e = c.encode(new Arrays(big, small, List.of(other, big)));
      assertEquals(mode.equals("fory") ? Codec.PARTS : Codec.JAVA_PARTS, e.tag());
      assertEquals(2, e.parts().size(), mode + ": each large array once, however often it is referred to");
      assertSame(big, e.parts().get(0), "a part is the caller's array, not a copy");
      assertSame(other, e.parts().get(1));
      assertTrue(e.body().length > small.length && e.body().length < small.length + 1024,
          mode + ": the small array is in the body, the large ones are not: " + e.body().length);

      Arrays back = (Arrays) codec(mode).decode(e);
      assertSame(e.parts().get(0), back.big(), mode + ": decoding uses the part as it is");
      assertSame(back.big(), back.more().get(1), mode + ": a shared array stays shared");
      assertArrayEquals(other, back.more().get(0));
      assertArrayEquals(small, back.small());

      Arrays joined = (Arrays) codec(mode).decodeJoined(e.joined());
      assertArrayEquals(big, joined.big());
      assertArrayEquals(other, joined.more().get(0));
      assertSame(joined.big(), joined.more().get(1));
      assertEquals(e.wireLength() + 1, e.joined().length);
    }
  }

  private static Callable<Byte> fifth(byte[] data) {
    return (Callable<Byte> & Serializable) () -> data[5];
  }

  @Test
  void tasksWithParts_areNeverTakenForEachOther() throws Exception {
    Codec c = codec("fory");
    byte[] a = filled(Codec.PART_MIN, 1);
    byte[] b = filled(Codec.PART_MIN, 2);
    Codec.Encoded ea = c.encodeTask(fifth(a));
    Codec.Encoded eb = c.encodeTask(fifth(b));
    assertArrayEquals(ea.body(), eb.body(), "same class, same shape: only the parts differ");
    Codec reader = codec("fory");
    assertEquals(a[5], ((Callable<?>) reader.decodeTask(ea)).call());
    assertEquals(b[5], ((Callable<?>) reader.decodeTask(eb)).call());
  }

  @Test
  void corruptPartTables_areRefused_beforeAllocating() {
    byte[] body = {1, 2};
    int[][] tables = { // body length, part count, then kind and element count of each part; 3 part bytes follow
      {2, 1, 1, 3}, // the one that fits
      {2, 0}, {2, 1, 1, -5}, {2, 1, 1, 1 << 30}, {2, 100_000_000, 1, 3}, {-1, 1, 1, 3}, {2, 1, 0, 3}, {2, 1, 8, 3},
      {2, 1, 7, 1 << 29}}; // 4 GB of doubles: the byte count does not overflow into a plausible one
    for (int[] table : tables) {
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(1 + 4 * table.length + body.length + 3);
      bb.put(Codec.PARTS);
      for (int n : table) {
        bb.putInt(n);
      }
      bb.put(body);
      java.lang.foreign.MemorySegment wire = java.lang.foreign.MemorySegment.ofArray(bb.array()).asSlice(1);
      String name = java.util.Arrays.toString(table);
      if (table == tables[0]) {
        assertEquals(3, ((byte[]) assertDoesNotThrow(() -> Codec.Encoded.split(bb.array())).parts().get(0)).length);
        assertEquals(3, ((byte[]) assertDoesNotThrow(() -> Codec.Encoded.read(Codec.PARTS, wire)).parts().get(0)).length);
      } else {
        assertThrows(java.io.StreamCorruptedException.class, () -> Codec.Encoded.split(bb.array()), name);
        assertThrows(java.io.StreamCorruptedException.class, () -> Codec.Encoded.read(Codec.PARTS, wire), name);
      }
    }
  }

  /** Large and small arrays of every primitive type. */
  @SuppressWarnings("ArrayRecordComponent")
  record Numbers(short[] s, char[] c, int[] i, long[] l, float[] f, double[] d, boolean[] z, double[] smallD)
      implements Serializable {}

  @Test
  void largeArraysOfEveryPrimitiveKind_travelAsParts_overEveryWireForm() throws Exception {
    java.util.Random r = new java.util.Random(3);
    int n = Codec.PART_MIN / 2 + 1; // 64 KiB or more for every kind but boolean[] and byte[]
    short[] s = new short[n];
    char[] c = new char[n];
    for (int k = 0; k < n; k++) {
      s[k] = (short) r.nextInt();
      c[k] = (char) r.nextInt();
    }
    Numbers sent = new Numbers(s, c, r.ints(n).toArray(), r.longs(n).toArray(), new float[n],
        r.doubles(n).toArray(), new boolean[Codec.PART_MIN], r.doubles(10).toArray());
    sent.f()[n - 1] = Float.NaN;
    for (String mode : List.of("fory", "java")) {
      Codec.Encoded e = codec(mode).encode(sent);
      assertEquals(6, e.parts().size(), mode + ": all but boolean[] and the small double[]");
      assertTrue(e.body().length > Codec.PART_MIN && e.body().length < Codec.PART_MIN + 2048,
          mode + ": the boolean[] and the small array are in the body: " + e.body().length);
      Numbers back = (Numbers) codec(mode).decode(e);
      assertSame(sent.d(), back.d(), mode + ": decoding uses the part as it is");
      Codec.Encoded joined = Codec.Encoded.split(e.joined());
      java.lang.foreign.MemorySegment region = java.lang.foreign.MemorySegment.ofArray(new long[(int) e.wireLength() / 8 + 2]);
      e.copyTo(region.asSlice(3)); // unaligned, as in a region after a body of any length
      Codec.Encoded mapped = Codec.Encoded.read(e.tag(), region.asSlice(3, e.wireLength()));
      for (Codec.Encoded wire : List.of(joined, mapped)) {
        Numbers got = (Numbers) codec(mode).decode(wire);
        assertArrayEquals(s, got.s(), mode);
        assertArrayEquals(c, got.c(), mode);
        assertArrayEquals(sent.i(), got.i(), mode);
        assertArrayEquals(sent.l(), got.l(), mode);
        assertArrayEquals(sent.f(), got.f(), mode);
        assertArrayEquals(sent.d(), got.d(), mode);
        assertArrayEquals(sent.z(), got.z(), mode);
        assertArrayEquals(sent.smallD(), got.smallD(), mode);
      }
    }
  }

  @Test
  void aPartOfAnotherKind_thanTheBodyExpects_isRefused() throws Exception {
    for (String mode : List.of("fory", "java")) {
      Codec.Encoded e = codec(mode).encode(new Numbers(new short[0], new char[0], new int[0], new long[0],
          new float[0], new double[Codec.PART_MIN], new boolean[0], new double[0]));
      Codec.Encoded swapped = new Codec.Encoded(e.tag(), e.body(), List.of(new long[Codec.PART_MIN]));
      assertThrows(IOException.class, () -> codec(mode).decode(swapped), mode);
    }
  }

  @Test
  void aPartReferenceWithoutItsPart_isRefused() throws Exception {
    for (String mode : List.of("fory", "java")) {
      Codec.Encoded e = codec(mode).encode(new Arrays(filled(Codec.PART_MIN, 1), new byte[0], List.of()));
      Codec.Encoded stripped = new Codec.Encoded(mode.equals("fory") ? Codec.FORY : Codec.JAVA, e.body());
      assertThrows(IOException.class, () -> codec(mode).decode(stripped), mode);
    }
  }

  @Test
  void statelessTasksAreDecodedOncePerBody_comparedByContent() throws Exception {
    Codec sender = codec("java");
    Codec receiver = codec("java");
    Callable<Integer> stateless = (Callable<Integer> & Serializable) () -> 42;
    Callable<Integer> other = (Callable<Integer> & Serializable) () -> 43;
    Codec.Encoded e = sender.encodeTask(stateless);
    // Each frame brings its own array: equal content must find the cached task, not identity.
    Object first = receiver.decodeTask(new Codec.Encoded(e.tag(), e.body().clone()));
    assertSame(first, receiver.decodeTask(new Codec.Encoded(e.tag(), e.body().clone())));
    assertNotSame(first, receiver.decodeTask(sender.encodeTask(other)));
    assertEquals(43, ((Callable<?>) receiver.decodeTask(sender.encodeTask(other))).call());
    // A capturing task has state: never cached.
    Codec.Encoded capturing = sender.encodeTask(capturing(1, "s", List.of()));
    assertNotSame(receiver.decodeTask(capturing), receiver.decodeTask(capturing));
  }

  @Test
  void sharedEncodings_haveKeys_byInstance() {
    Codec c = codec("auto");
    Callable<Integer> stateless = (Callable<Integer> & Serializable) () -> 42;
    Callable<Integer> other = (Callable<Integer> & Serializable) () -> 43;
    Codec.Encoded e = c.encodeTask(stateless);
    int key = c.sharedKey(e);
    assertTrue(key >= 0, "a stateless task's encoding is shared: " + key);
    assertEquals(key, c.sharedKey(c.encodeTask(stateless)));
    int otherKey = c.sharedKey(c.encodeTask(other));
    assertTrue(otherKey >= 0 && otherKey != key, key + " and " + otherKey);
    assertEquals(-1, c.sharedKey(new Codec.Encoded(e.tag(), e.body().clone())), "equal bytes, another instance");
    assertEquals(-1, c.sharedKey(c.encodeTask(capturing(1, "s", List.of()))), "a task with state");
    assertEquals(-1, codec("auto").sharedKey(e), "another codec's encoding");
  }

  @Test
  void statelessTasksAreEncodedOnce() {
    Codec c = codec("auto");
    Callable<Integer> stateless = (Callable<Integer> & Serializable) () -> 42;
    assertSame(c.encodeTask(stateless), c.encodeTask(stateless));
    assertNotEquals(0, c.encodeTask(stateless).body().length);
  }

  /**
   * Fory bytes as an attacker would make them: written by a Fory instance with no type checker, which
   * writes any class, serializable or not (the codec's own writer refuses non-serializable ones).
   */
  private static Codec.Encoded handMadeFory(Object value, org.apache.fory.config.CompatibleMode mode) {
    org.apache.fory.Fory raw = org.apache.fory.Fory.builder()
        .withLanguage(org.apache.fory.config.Language.JAVA)
        .withRefTracking(true)
        .requireClassRegistration(false)
        .withCodegen(false)
        .withCompatibleMode(mode)
        .build();
    return new Codec.Encoded(Codec.FORY, raw.serialize(value));
  }

  /** In the mode the codec's writer uses. */
  private static Codec.Encoded handMadeFory(Object value) {
    return handMadeFory(value, org.apache.fory.config.CompatibleMode.SCHEMA_CONSISTENT);
  }

  /** Not Serializable, with state an attacker would choose. */
  static final class Plain {
    String command = "id";
  }

  /** Serializable, holding whatever it is given: Java serialization checks the class of each field's value. */
  static final class Box implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    final Object content;

    Box(Object content) {
      this.content = content;
    }
  }

  @Test
  void foryReader_refusesAHandMadeNonSerializableObject_namingTheClass() {
    for (List<String> allow : List.of(List.<String>of(), List.of("dev.unipool.**"))) {
      Codec c = codec("fory", allow);
      IOException top = assertThrows(IOException.class, () -> c.decode(handMadeFory(new Plain())), allow::toString);
      assertTrue(top.getMessage().contains(Plain.class.getName()) && top.getMessage().contains("Serializable"),
          top.getMessage());
      IOException nested = assertThrows(IOException.class, () -> c.decode(handMadeFory(new Box(new Plain()))));
      assertTrue(nested.getMessage().contains(Plain.class.getName()), nested.getMessage());
      // Fory's default mode carries type definitions, from which it would build serializers unchecked.
      assertThrows(IOException.class,
          () -> c.decode(handMadeFory(new Plain(), org.apache.fory.config.CompatibleMode.COMPATIBLE)));
    }
  }

  @Test
  void foryReader_stillReadsWhatJavaSerializationWould() throws Exception {
    Codec c = codec("fory");
    // A Class object of a non-serializable class is fine in Java serialization, and common in tasks.
    Class<?> type = Plain.class;
    Callable<String> task = (Callable<String> & Serializable) () -> type.getSimpleName();
    Callable<?> back = (Callable<?>) c.decodeTask(c.encodeTask(task));
    assertEquals("Plain", back.call());
    // A serializable holder whose field of a non-serializable type is null.
    Box empty = (Box) c.decode(handMadeFory(new Box(List.of())));
    assertEquals(List.of(), empty.content);
    record Holder(@org.jspecify.annotations.Nullable Plain plain, int n) implements Serializable {}
    Holder h = (Holder) c.decode(c.encode(new Holder(null, 3)));
    assertEquals(3, h.n());
  }

  private static Codec limited(String mode, int maxBodyBytes) {
    String old = System.getProperty(Codec.MODE_PROPERTY);
    System.setProperty(Codec.MODE_PROPERTY, mode);
    try {
      return new Codec(List.of(), "a test", maxBodyBytes);
    } finally {
      if (old == null) {
        System.clearProperty(Codec.MODE_PROPERTY);
      } else {
        System.setProperty(Codec.MODE_PROPERTY, old);
      }
    }
  }

  @Test
  void resultLargerThanTheLimit_failsWithPayloadTooLarge_namingSizeAndLimit() throws Exception {
    Codec c = limited("auto", 1000);
    assertEquals(1000, c.encode(new byte[1000]).body().length, "exactly the limit fits");
    dev.unipool.PayloadTooLargeException bytes =
        assertThrows(dev.unipool.PayloadTooLargeException.class, () -> c.encode(new byte[1001]));
    assertEquals(1001, bytes.size());
    assertEquals(1000, bytes.limit());
    assertTrue(bytes.getMessage().startsWith("result too large (1,001 bytes; the limit is 1,000 bytes"),
        bytes.getMessage());

    assertEquals("x".repeat(400), c.decode(c.encode("x".repeat(400))), "measured, then fits");
    assertEquals(1200, assertThrows(dev.unipool.PayloadTooLargeException.class,
        () -> c.encode("\u00e9".repeat(600))).size(), "two UTF-8 bytes per char");
    assertEquals(1002, assertThrows(dev.unipool.PayloadTooLargeException.class,
        () -> c.encode("x".repeat(998) + "\ud83d\ude00")).size(), "a surrogate pair is four bytes");
  }

  @Test
  void aLargerWireLimit_letsLargeArraysPastTheBodyLimit_upToWhatItSays_butNoLargerBody() throws Exception {
    byte[] a = new byte[70_000];
    byte[] b = new byte[70_000];
    a[69_999] = 1;
    b[0] = 2;
    List<byte[]> arrays = List.of(a, b); // each array a part, beside a small body
    for (String mode : List.of("java", "fory")) {
      Codec c = limited(mode, 1000);
      assertEquals(1000, assertThrows(dev.unipool.PayloadTooLargeException.class, () -> c.encode(arrays), mode)
          .limit(), mode + ": without a larger wire limit, the body limit holds for the whole value");
      AtomicInteger asked = new AtomicInteger();
      c.allowLargeWire(() -> {
        asked.incrementAndGet();
        return 150_000;
      });
      assertEquals(0, asked.get());
      assertEquals("small", c.decode(c.encode("small")), mode);
      assertEquals(0, asked.get(), mode + ": a value within the body limit does not ask");
      Codec.Encoded e = c.encode(arrays);
      assertEquals(1, asked.get(), mode);
      assertTrue(e.wireLength() > 140_000, mode + ": " + e.wireLength());
      List<?> back = assertInstanceOf(List.class, c.decode(e), mode);
      assertArrayEquals(a, (byte[]) back.get(0), mode);
      assertArrayEquals(b, (byte[]) back.get(1), mode);

      c.allowLargeWire(() -> 100_000);
      dev.unipool.PayloadTooLargeException over =
          assertThrows(dev.unipool.PayloadTooLargeException.class, () -> c.encode(arrays), mode);
      assertEquals(100_000, over.limit(), mode);
      assertEquals(e.wireLength(), over.size(), mode);
      assertEquals(1001, assertThrows(dev.unipool.PayloadTooLargeException.class,
          () -> c.encode(new byte[1001]), mode).size(), mode + ": a body still has the body limit");
    }
  }

  @Test
  void objectGraphLargerThanTheLimit_failsWhileEncoding_inBothForms() {
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      many.add(i);
    }
    for (String mode : List.of("java", "fory")) {
      Codec c = limited(mode, 1000);
      dev.unipool.PayloadTooLargeException e =
          assertThrows(dev.unipool.PayloadTooLargeException.class, () -> c.encode(many), mode);
      assertTrue(e.size() > 1000, mode + ": " + e.size());
      assertTrue(e.getMessage().startsWith("result too large ("), mode + ": " + e.getMessage());
    }
  }

  @Test
  void taskLargerThanTheLimit_isRefusedAtSubmit_saysTask() {
    byte[] captured = new byte[5_000];
    Callable<Integer> task = (Callable<Integer> & Serializable) () -> captured.length;
    for (String mode : List.of("java", "fory")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> limited(mode, 1000).encodeTask(task), mode);
      assertInstanceOf(dev.unipool.PayloadTooLargeException.class, e.getCause(), mode);
      assertTrue(e.getMessage().contains("task too large ("), mode + ": " + e.getMessage());
    }
  }

  @Test
  void payloadTooLarge_travelsBackAsTheTasksFailure() {
    Codec c = limited("auto", 50_000); // exceptions are bounded too, and a stack trace takes a few KB
    dev.unipool.PayloadTooLargeException tooLarge = new dev.unipool.PayloadTooLargeException("result", 5000, true, 1000);
    Throwable back = c.decodeThrowable(c.encodeThrowable(tooLarge));
    assertEquals(tooLarge.getMessage(), assertInstanceOf(dev.unipool.PayloadTooLargeException.class, back).getMessage());

    RuntimeException huge = new IllegalStateException("y".repeat(100_000));
    Throwable cut = c.decodeThrowable(c.encodeThrowable(huge));
    dev.unipool.RemoteTaskException r = assertInstanceOf(dev.unipool.RemoteTaskException.class, cut);
    assertEquals(IllegalStateException.class.getName(), r.remoteClassName());
    assertTrue(r.getMessage().endsWith("(100000 characters in all)"), () -> r.getMessage().substring(10_000));
  }
}
