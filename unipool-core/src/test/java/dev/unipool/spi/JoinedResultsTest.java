package dev.unipool.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import org.junit.jupiter.api.Test;

/** A map's results joined from its chunks without copying: indexing, iteration, immutability, serialization. */
class JoinedResultsTest {
  private static List<List<Integer>> chunks(int... sizes) {
    List<List<Integer>> out = new ArrayList<>();
    int next = 0;
    for (int size : sizes) {
      List<Integer> c = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        c.add(next++);
      }
      out.add(c);
    }
    return out;
  }

  @Test
  void indexesAndIterates_acrossChunkBoundaries_andEmptyChunks() {
    List<Integer> joined = MapEngine.Joined.of(chunks(3, 0, 1, 0, 0, 4, 2));
    assertEquals(10, joined.size());
    assertInstanceOf(RandomAccess.class, joined);
    for (int i = 0; i < 10; i++) {
      assertEquals(i, joined.get(i), "get(" + i + ")");
    }
    for (int i : new int[] {9, 0, 5, 3, 4, 8, 2, 6, 1, 7}) { // out of order: the remembered chunk is no help
      assertEquals(i, joined.get(i), "get(" + i + ")");
    }
    List<Integer> iterated = new ArrayList<>();
    Iterator<Integer> it = joined.iterator();
    while (it.hasNext()) {
      iterated.add(it.next());
    }
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), iterated);
    assertThrows(NoSuchElementException.class, it::next);
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), joined); // equals and hashCode as a list
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9).hashCode(), joined.hashCode());
    assertEquals(45, joined.stream().mapToInt(Integer::intValue).sum());
    assertThrows(IndexOutOfBoundsException.class, () -> joined.get(10));
    assertThrows(IndexOutOfBoundsException.class, () -> joined.get(-1));
  }

  @Test
  void isUnmodifiable_andKeepsNulls() {
    List<Integer> joined = MapEngine.Joined.of(List.of(Arrays.asList(1, null), Arrays.asList((Integer) null, 4)));
    assertNull(joined.get(1));
    assertNull(joined.get(2));
    assertThrows(UnsupportedOperationException.class, () -> joined.set(0, 5));
    assertThrows(UnsupportedOperationException.class, () -> joined.add(5));
    assertThrows(UnsupportedOperationException.class, () -> MapEngine.Joined.of(chunks(2)).add(5));
    assertEquals(List.of(), MapEngine.Joined.of(List.of()));
  }

  @Test
  void serializesAsAPlainList() throws Exception {
    List<Integer> joined = MapEngine.Joined.of(chunks(2, 3));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(joined);
    }
    Object back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = in.readObject();
    }
    assertEquals(List.of(0, 1, 2, 3, 4), back);
  }
}
