package dev.unipool.internal;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The serialized form of a map chunk's items or results. Java serialization writes each boxed number as
 * an object with a class reference; a list of a million small items then costs more to serialize than
 * to compute. Lists of only Integers, Longs, Doubles or Strings are written as raw values instead;
 * anything else falls back to one {@code writeObject} per element. Public with a no-argument constructor
 * only because {@link Externalizable} requires it.
 */
public final class CompactList implements Externalizable {
  @Serial private static final long serialVersionUID = 1L;
  private static final byte OBJECTS = 0;
  private static final byte INTS = 1;
  private static final byte LONGS = 2;
  private static final byte DOUBLES = 3;
  private static final byte STRINGS = 4;

  private List<?> items;

  /** For deserialization only. */
  public CompactList() {
    this.items = List.of();
  }

  CompactList(List<?> items) {
    this.items = items;
  }

  List<?> items() {
    return items;
  }

  private static byte kindOf(List<?> items) {
    if (items.isEmpty()) {
      return OBJECTS;
    }
    Class<?> first = items.getFirst() == null ? null : items.getFirst().getClass();
    if (first != Integer.class && first != Long.class && first != Double.class && first != String.class) {
      return OBJECTS;
    }
    for (Object o : items) {
      if (o == null || o.getClass() != first) {
        return OBJECTS;
      }
    }
    return first == Integer.class ? INTS : first == Long.class ? LONGS : first == Double.class ? DOUBLES : STRINGS;
  }

  @Override
  public void writeExternal(ObjectOutput out) throws IOException {
    byte kind = kindOf(items);
    out.writeByte(kind);
    out.writeInt(items.size());
    for (Object o : items) {
      switch (kind) {
        case INTS -> out.writeInt((Integer) o);
        case LONGS -> out.writeLong((Long) o);
        case DOUBLES -> out.writeDouble((Double) o);
        case STRINGS -> {
          byte[] utf = ((String) o).getBytes(StandardCharsets.UTF_8);
          out.writeInt(utf.length);
          out.write(utf);
        }
        default -> out.writeObject(o);
      }
    }
  }

  @Override
  public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
    byte kind = in.readByte();
    int n = in.readInt();
    if (n < 0) {
      throw new java.io.StreamCorruptedException("negative list size " + n);
    }
    List<Object> list = new ArrayList<>(Math.min(n, 1 << 16));
    for (int i = 0; i < n; i++) {
      switch (kind) {
        case INTS -> list.add(in.readInt());
        case LONGS -> list.add(in.readLong());
        case DOUBLES -> list.add(in.readDouble());
        case STRINGS -> {
          byte[] utf = new byte[in.readInt()];
          in.readFully(utf);
          list.add(new String(utf, StandardCharsets.UTF_8));
        }
        case OBJECTS -> list.add(in.readObject());
        default -> throw new java.io.StreamCorruptedException("unknown list kind " + kind);
      }
    }
    this.items = list;
  }
}
