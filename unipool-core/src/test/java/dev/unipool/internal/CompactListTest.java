package dev.unipool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.unipool.SerializableFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** A map chunk's items and results survive serialization whatever their mix of element kinds. */
class CompactListTest {
  private static Object roundTrip(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }

  private static List<?> through(List<?> items) throws Exception {
    return ((CompactList) roundTrip(CompactList.of(items))).items();
  }

  @Test
  void everyKindComesBackEqualAndInOrder() throws Exception {
    List<List<?>> cases = List.of(
        List.of(),
        List.of(1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE),
        List.of(1L, -2L, Long.MAX_VALUE),
        List.of(0.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY),
        List.of("a", "", "ünïcödé ✓"),
        List.of(new java.math.BigInteger("12345678901234567890"), List.of(1, 2)));
    for (List<?> items : cases) {
      assertEquals(items, through(items), "kind of " + items);
    }
  }

  @Test
  void aMixOrANullFallsBackToObjects() throws Exception {
    List<@Nullable Object> mixed = new ArrayList<>(List.of(1, 2, 3));
    mixed.add(4L); // same first kind up to here, then another
    mixed.add("five");
    assertEquals(mixed, through(mixed));
    List<@Nullable Object> withNull = new ArrayList<>(List.of(1, 2));
    withNull.add(null);
    withNull.add(3);
    assertEquals(withNull, through(withNull));
    List<@Nullable Object> leadingNull = new ArrayList<>();
    leadingNull.add(null);
    leadingNull.add("x");
    assertEquals(leadingNull, through(leadingNull));
  }

  @Test
  void numbersReadBackAsARandomAccessListThatRefusesChanges() throws Exception {
    List<?> back = through(List.of(7, 8, 9));
    assertInstanceOf(RandomAccess.class, back);
    assertEquals(8, back.get(1));
    assertThrows(IndexOutOfBoundsException.class, () -> back.get(3));
    assertThrows(UnsupportedOperationException.class, () -> back.remove(0));
  }

  @Test
  void aChunkTravelsAndRunsAndItsResultsTravelBack() throws Exception {
    SerializableFunction<Integer, Long> square = x -> (long) x * x;
    TaskAdapters.Chunk<Integer, Long> chunk =
        new TaskAdapters.Chunk<>(square, new ArrayList<>(Arrays.asList(3, 4, 100_000)));
    @SuppressWarnings("unchecked")
    TaskAdapters.Chunk<Integer, Long> arrived = (TaskAdapters.Chunk<Integer, Long>) roundTrip(chunk);
    Object results = roundTrip(arrived.call());
    assertEquals(List.of(9L, 16L, 10_000_000_000L), results);
  }
}
