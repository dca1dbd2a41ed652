package dev.unipool.remote;

import dev.unipool.PayloadTooLargeException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An output stream that grows by adding chunks instead of copying, so a 100 MB object is copied once
 * into the chunks and once into the result, not log2(100 MB) times. Bounded: the write that would pass
 * the limit throws {@link PayloadTooLargeException} and frees the chunks, so an object graph too large
 * for one array fails clearly instead of filling the heap; later writes (ObjectOutputStream's attempt
 * to record the failure, its close) are dropped.
 */
final class ChunkedOutput extends OutputStream {
  private final String what;
  private final int limit;
  private final List<byte[]> full = new ArrayList<>();
  private byte[] current = new byte[512];
  private int used;
  private long total;
  private boolean overflowed;

  ChunkedOutput(String what, int limit) {
    this.what = what;
    this.limit = limit;
  }

  private boolean admit(int len) throws PayloadTooLargeException {
    if (overflowed) {
      return false;
    }
    if (total + len > limit) {
      overflowed = true;
      full.clear();
      current = new byte[0];
      used = 0;
      throw new PayloadTooLargeException(what, total + len, false, limit);
    }
    return true;
  }

  @Override
  public void write(int b) throws PayloadTooLargeException {
    if (!admit(1)) {
      return;
    }
    if (used == current.length) {
      next(1);
    }
    current[used++] = (byte) b;
    total++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws PayloadTooLargeException {
    if (!admit(len)) {
      return;
    }
    total += len;
    while (len > 0) {
      if (used == current.length) {
        next(len);
      }
      int n = Math.min(len, current.length - used);
      System.arraycopy(b, off, current, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  private void next(int wanted) {
    full.add(current);
    int size = (int) Math.min(Math.max(wanted, Math.min(total, 1 << 26)), Integer.MAX_VALUE - 16);
    current = new byte[Math.max(size, 512)];
    used = 0;
  }

  byte[] toByteArray() throws IOException {
    if (overflowed) { // only if the caller swallowed the exception: never return a partial encoding
      throw new PayloadTooLargeException(what, total, false, limit);
    }
    byte[] out = new byte[(int) total];
    int pos = 0;
    for (byte[] c : full) {
      System.arraycopy(c, 0, out, pos, c.length);
      pos += c.length;
    }
    System.arraycopy(current, 0, out, pos, used);
    return out;
  }
}
