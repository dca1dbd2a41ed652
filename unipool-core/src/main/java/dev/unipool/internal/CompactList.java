package dev.unipool.internal;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The serialized form of a map chunk's items or results. Serializers write each boxed number as an
 * object with a type tag (and, with reference tracking, an identity lookup); a list of a million small
 * items then costs more to send than to compute. Lists of only Integers, Longs, Doubles or Strings travel
 * as one primitive or String array, which both Java serialization and Fory write in bulk; anything else
 * as an {@code Object[]}. What is read back is a fixed-size list view over that array, boxing on access:
 * its one reader (the chunk in the worker, the map's consumer in the parent) iterates it once.
 */
public final class CompactList implements Serializable {
  @Serial private static final long serialVersionUID = 2L;

  // Exactly one is non-null: the array of the list's one element kind.
  private final int @Nullable [] ints;
  private final long @Nullable [] longs;
  private final double @Nullable [] doubles;
  private final String @Nullable [] strings;
  private final @Nullable Object @Nullable [] objects;

  private CompactList(
      int @Nullable [] ints,
      long @Nullable [] longs,
      double @Nullable [] doubles,
      String @Nullable [] strings,
      @Nullable Object @Nullable [] objects) {
    this.ints = ints;
    this.longs = longs;
    this.doubles = doubles;
    this.strings = strings;
    this.objects = objects;
  }

  /**
   * Packs {@code items} in one pass: into the array their first element's kind asks for, falling back to
   * {@code Object[]} at the first element of another kind (or null).
   */
  static CompactList of(List<?> items) {
    int n = items.size();
    Object first = n == 0 ? null : items.getFirst();
    if (first instanceof Integer) {
      int[] a = new int[n];
      for (int i = 0; i < n; i++) {
        if (!(items.get(i) instanceof Integer v)) {
          return objects(items);
        }
        a[i] = v;
      }
      return new CompactList(a, null, null, null, null);
    }
    if (first instanceof Long) {
      long[] a = new long[n];
      for (int i = 0; i < n; i++) {
        if (!(items.get(i) instanceof Long v)) {
          return objects(items);
        }
        a[i] = v;
      }
      return new CompactList(null, a, null, null, null);
    }
    if (first instanceof Double) {
      double[] a = new double[n];
      for (int i = 0; i < n; i++) {
        if (!(items.get(i) instanceof Double v)) {
          return objects(items);
        }
        a[i] = v;
      }
      return new CompactList(null, null, a, null, null);
    }
    if (first instanceof String) {
      String[] a = new String[n];
      for (int i = 0; i < n; i++) {
        if (!(items.get(i) instanceof String v)) {
          return objects(items);
        }
        a[i] = v;
      }
      return new CompactList(null, null, null, a, null);
    }
    return objects(items);
  }

  private static CompactList objects(List<?> items) {
    return new CompactList(null, null, null, null, items.toArray());
  }

  /** The items, as a fixed-size list backed by the array read. */
  List<?> items() {
    if (ints != null) {
      return new Ints(ints);
    }
    if (longs != null) {
      return new Longs(longs);
    }
    if (doubles != null) {
      return new Doubles(doubles);
    }
    if (strings != null) {
      return Arrays.asList(strings);
    }
    @Nullable Object[] o = objects;
    return o == null ? List.of() : Arrays.asList(o);
  }

  // One class per array type, so that each get() is a plain array read and box: the list's reader calls
  // it once per item.
  private static final class Ints extends AbstractList<Integer> implements RandomAccess {
    private final int[] a;

    Ints(int[] a) {
      this.a = a;
    }

    @Override
    public Integer get(int index) {
      return a[index];
    }

    @Override
    public int size() {
      return a.length;
    }
  }

  private static final class Longs extends AbstractList<Long> implements RandomAccess {
    private final long[] a;

    Longs(long[] a) {
      this.a = a;
    }

    @Override
    public Long get(int index) {
      return a[index];
    }

    @Override
    public int size() {
      return a.length;
    }
  }

  private static final class Doubles extends AbstractList<Double> implements RandomAccess {
    private final double[] a;

    Doubles(double[] a) {
      this.a = a;
    }

    @Override
    public Double get(int index) {
      return a[index];
    }

    @Override
    public int size() {
      return a.length;
    }
  }
}
