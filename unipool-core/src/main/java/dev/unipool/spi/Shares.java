package dev.unipool.spi;

import dev.unipool.Shared;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/** The {@link Shared} handles a pool made, so that its termination closes those still open. Thread-safe. */
final class Shares {
  private final Set<Shared> open = ConcurrentHashMap.newKeySet();

  /** {@link AbstractPool#share}: refused once the pool is shut down, since its tasks could never read it. */
  Shared share(AbstractPool pool, MemorySegment data) {
    Objects.requireNonNull(data, "data");
    if (pool.isShutdown()) {
      throw new RejectedExecutionException("cannot share data with " + pool + ": it is shut down, and its tasks"
          + " could never read it; call share(...) before shutdown() or close()");
    }
    Shared s = pool.shareBackend(data, open::remove);
    open.add(s);
    if (pool.isShutdown()) { // raced with close(), which may have missed it
      s.close();
      throw new RejectedExecutionException("cannot share data with " + pool + ": it was shut down meanwhile");
    }
    return s;
  }

  /** Closes every handle still open; called once the pool has terminated. */
  void closeAll() {
    for (Shared s : List.copyOf(open)) {
      s.close();
    }
  }
}
