package dev.unipool.spi;

import dev.unipool.MapOptions;
import dev.unipool.ProgressListener;
import dev.unipool.SerializableFunction;
import dev.unipool.TaskOptions;
import dev.unipool.internal.TaskAdapters;
import java.util.ArrayDeque;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * The map family: chunks the input, keeps a bounded window of chunks in flight, and yields results in
 * input or completion order.
 *
 * <p>Overview: everything happens on the consuming thread. Each {@code hasNext} tops the window up
 * (reading more input only then, so infinite inputs stay in constant memory) and then waits for the next
 * chunk to yield: the oldest one (ordered) or whichever completes first (unordered, fed by completion
 * callbacks into a queue). Chunk sizes adapt to the measured cost per item unless fixed by the caller.
 *
 * <p>Chunk sizing ({@link ChunkSizer}): a chunk should take about {@link #TARGET_CHUNK_NANOS}, and no chunk
 * holds more than a quarter of a worker's share of a known input (Python's default), so every worker gets
 * several and none is left with a long tail, unless that would make chunks of less than
 * {@link ChunkSizer#MIN_CHUNK_NANOS} of work. A function mapped before (the same lambda call site, in any
 * pool of this JVM) starts at the size its measured cost asks for: no ramp. A function never seen starts
 * small, because nothing says its items are not seconds each, and grows per chunk submitted (1, 2, 4, ...
 * up to {@link ChunkSizer#PROBE_LIMIT}) until the first chunks' measured cost sets the size; an earlier
 * version grew only 4x per chunk consumed, so a map of a few hundred thousand cheap items spent much of
 * its life ramping up and lost to {@code multiprocessing.Pool.map(chunksize=1000)}. The cost is what the
 * chunk's worker measured ({@link TaskRun#workNanos}) less each chunk's fixed part (a line fitted
 * through chunks of different sizes), and recent chunks outweigh older ones.
 *
 * <p>Progress ({@link MapOptions#progress()}) is reported from the consuming thread too: items of chunks
 * already taken plus items of chunks in the window that completed normally, so the count never goes back;
 * while the consumer waits, it waits in slices of {@link #REPORT_NANOS} and reports in between. Without a
 * listener nothing of this runs.
 *
 * <p>Package-private beside {@link AbstractPool}, the only caller: it submits chunks through
 * {@link AbstractPool#submitChecked}, which bypasses the bounded queue and is therefore not API.
 */
final class MapEngine {
  /** Aim for chunks of about this long, so per-chunk overhead (a round trip to a worker) stays small. */
  private static final long TARGET_CHUNK_NANOS = 2_000_000;
  private static final int MAX_CHUNK = 65_536;
  private static final int MAX_WINDOW = 256;
  /** Progress is reported at most this often (and at the start and the end). */
  private static final long REPORT_NANOS = 100_000_000;

  private MapEngine() {}

  /**
   * Starts a lazy map.
   *
   * @param pool the pool to run chunks on
   * @param fn the function
   * @param items the inputs
   * @param options chunking and window
   * @param ordered whether results come in input order
   * @param <T> item type
   * @param <R> result type
   * @return the results, lazily; closing cancels work in flight
   */
  static <T, R> Stream<R> stream(
      AbstractPool pool,
      SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items,
      MapOptions options,
      boolean ordered) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(options, "options");
    ChunkIterator<T, R> it = iterator(pool, fn, items, options, ordered);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(it, ordered ? Spliterator.ORDERED : 0), false)
        .onClose(it::close);
  }

  /**
   * Runs a whole ordered map and collects its results, a chunk at a time: a stream's {@code toList} would
   * buffer them item by item and copy them again, which for a map of cheap items costs as much as the
   * results' decoding.
   *
   * @param pool the pool to run chunks on
   * @param fn the function
   * @param items the inputs
   * @param options chunking and window
   * @param <T> item type
   * @param <R> result type
   * @return the results in input order, unmodifiable (nulls allowed)
   */
  static <T, R> List<R> list(
      AbstractPool pool,
      SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items,
      MapOptions options) {
    Objects.requireNonNull(fn, "fn");
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(options, "options");
    ChunkIterator<T, R> it = iterator(pool, fn, items, options, true);
    try {
      List<List<R>> chunks = new ArrayList<>();
      for (List<R> chunk = it.nextChunk(); chunk != null; chunk = it.nextChunk()) {
        chunks.add(chunk);
      }
      return Joined.of(chunks);
    } finally {
      it.close();
    }
  }

  /**
   * A map's results: its chunks' result lists, joined without copying. Copying them into one list boxed
   * every number a chunk brought back as a primitive array ({@code CompactList}) at once; a million
   * results then lived as a million objects until the map returned, and the young collections that
   * copied them took as long as the map (50-100 ms per million items with a 2 GB heap). Here a number
   * is boxed when it is read. Immutable, so safe to share between threads once returned.
   *
   * @param <R> result type
   */
  static final class Joined<R> extends AbstractList<R> implements RandomAccess, java.io.Serializable {
    @java.io.Serial private static final long serialVersionUID = 1L;

    private final transient List<List<R>> chunks;
    private final transient int[] starts; // starts[i]: the index of chunk i's first result; then the size
    // The chunk the last get() found, so that a loop over the indexes searches once per chunk. Racy on
    // purpose: any value a thread reads is a valid chunk, checked before use.
    private transient int lastChunk;

    private Joined(List<List<R>> chunks, int[] starts) {
      this.chunks = chunks;
      this.starts = starts;
    }

    static <R> List<R> of(List<List<R>> chunks) {
      if (chunks.isEmpty()) {
        return Collections.emptyList();
      }
      if (chunks.size() == 1) {
        return Collections.unmodifiableList(chunks.getFirst());
      }
      int[] starts = new int[chunks.size() + 1];
      for (int i = 0; i < chunks.size(); i++) {
        long end = (long) starts[i] + chunks.get(i).size();
        if (end > Integer.MAX_VALUE) {
          throw new IllegalStateException("a map's results exceed a list's " + Integer.MAX_VALUE
              + " elements; use Pool.mapStream or imap, which yield results without collecting them");
        }
        starts[i + 1] = (int) end;
      }
      return new Joined<>(List.copyOf(chunks), starts);
    }

    @Override
    public R get(int index) {
      int size = size();
      if (index < 0 || index >= size) {
        throw new IndexOutOfBoundsException("Index " + index + " out of bounds for length " + size);
      }
      int c = lastChunk;
      if (index < starts[c] || index >= starts[c + 1]) {
        c = Arrays.binarySearch(starts, 0, chunks.size(), index);
        if (c < 0) {
          c = -c - 2; // the chunk whose start is the largest below index
        } else {
          while (c + 1 < chunks.size() && starts[c + 1] == index) {
            c++; // empty chunks share their start with the next: skip them
          }
        }
        lastChunk = c;
      }
      return chunks.get(c).get(index - starts[c]);
    }

    @Override
    public int size() {
      return starts[chunks.size()];
    }

    @Override
    public Iterator<R> iterator() {
      // Chunk by chunk, so iterating costs no search per element.
      return new Iterator<>() {
        private int chunk;
        private int pos;

        @Override
        public boolean hasNext() {
          while (chunk < chunks.size() && pos >= chunks.get(chunk).size()) {
            chunk++;
            pos = 0;
          }
          return chunk < chunks.size();
        }

        @Override
        public R next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return chunks.get(chunk).get(pos++);
        }
      };
    }

    @java.io.Serial
    private Object writeReplace() {
      return Collections.unmodifiableList(new ArrayList<>(this));
    }

    @java.io.Serial
    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
      throw new java.io.InvalidObjectException("a map's joined results travel as a plain list");
    }
  }

  private static <T, R> ChunkIterator<T, R> iterator(
      AbstractPool pool,
      SerializableFunction<? super T, ? extends R> fn,
      Iterable<? extends T> items,
      MapOptions options,
      boolean ordered) {
    int known = items instanceof Collection<?> c ? c.size() : -1;
    // A random-access list is cut into chunks by bulk copies of its ranges, not item by item.
    List<? extends T> list = items instanceof List<? extends T> l && items instanceof RandomAccess ? l : null;
    return new ChunkIterator<>(pool, fn, list == null ? items.iterator() : null, list, options, known, ordered);
  }

  private record InFlight<R>(TaskRun<List<R>> run, long first, int size) {}

  /**
   * Per mapped function class, its last measured cost per item in nanoseconds as {@code double} bits
   * ({@code -1} bits unknown); read when a map starts, written when it ends.
   */
  private static final ClassValue<AtomicLong> KNOWN_COST = new ClassValue<>() {
    @Override
    protected AtomicLong computeValue(Class<?> type) {
      return new AtomicLong(Double.doubleToRawLongBits(-1));
    }
  };

  /**
   * The adaptive chunk size of one map: what is known (item count, workers, earlier cost), then what its
   * chunks measure. Pure and single-threaded (the consuming thread's), so it is tested without a pool.
   */
  static final class ChunkSizer {
    /** Before anything is measured, chunks grow by submission up to this size, then wait for a measurement. */
    static final int PROBE_LIMIT = 64;
    /** A later measurement may grow the size at most this much at once (early items may run cheap). */
    static final int MAX_GROWTH = 8;
    /** Fewer items than this measured make no estimate worth keeping for the next map. */
    static final int MIN_ITEMS_TO_REMEMBER = 256;
    /**
     * A chunk of a known cost holds at least this much work, even above a quarter of a worker's share:
     * below it, the per-chunk overhead (a round trip to a worker process and its wake-ups, 50-200 us)
     * costs more than spreading a small map over every worker gains. A 10,000-item map of 40 ns items
     * then travels as one chunk (0.5 ms on one worker) instead of eight of 1,250 (2-5 ms on two).
     */
    static final long MIN_CHUNK_NANOS = 500_000;
    /**
     * Measured chunk sizes must spread this much (variance over squared mean, i.e. a coefficient of
     * variation of 10%) before a line through their times is trusted.
     */
    static final double MIN_SPREAD = 0.01;
    /** The fitted cost per item is never taken below the plain average divided by this. */
    static final double MAX_FIT_DISCOUNT = 64;

    private final int cap;
    private final int maxChunk;
    private final long targetNanos;
    private int size;
    private int probes;
    // Decayed sums over the measured chunks (weight, items, nanos, items^2, items*nanos): each chunk
    // measured halves the weight of all before it (see measured).
    private double weight;
    private double measuredItems;
    private double measuredNanos;
    private double itemsSquared;
    private double itemsTimesNanos;
    private long totalItems;

    /**
     * @param known the number of items, or -1 if unknown
     * @param parallelism the pool's workers (clamped to 1..64)
     * @param priorNanosPerItem a cost per item measured by an earlier map of the same function, or <= 0
     * @param targetNanos how long a chunk should take
     * @param maxChunk the largest chunk ever
     */
    ChunkSizer(long known, int parallelism, double priorNanosPerItem, long targetNanos, int maxChunk) {
      int par = Math.max(1, Math.min(parallelism, 64));
      this.cap = known >= 0 ? Math.max(1, (int) Math.min(maxChunk, Math.ceilDiv(known, 4L * par))) : maxChunk;
      this.maxChunk = maxChunk;
      this.targetNanos = targetNanos;
      this.size = priorNanosPerItem > 0 ? ideal(priorNanosPerItem) : 0;
    }

    private int ideal(double nanosPerItem) {
      long worthIt = Math.min(maxChunk, (long) Math.ceil(MIN_CHUNK_NANOS / nanosPerItem));
      return (int) Math.max(1, Math.min((double) Math.max(cap, worthIt), targetNanos / nanosPerItem));
    }

    /** The size of the next chunk to submit. */
    int next() {
      if (size > 0) {
        return size;
      }
      // Nothing measured yet: 1, 2, 4, ... items per chunk, so the first results come back at once and a
      // cheap function still reaches sizable chunks within the first window.
      return (int) Math.min(Math.min(cap, PROBE_LIMIT), 1L << Math.min(30, probes++));
    }

    /** Learns from a completed chunk of {@code items} items that ran {@code nanos} (ignored if negative). */
    void measured(int items, long nanos) {
      if (nanos < 0 || items <= 0) {
        return;
      }
      // Recent chunks count most. The first chunks a fresh worker runs are cold (class loading, codec
      // set-up, interpreted code) and can take a thousand times a warm one; in a plain average one of
      // them kept every later chunk of the map near one item, and was remembered for the next map.
      weight = weight / 2 + 1;
      measuredItems = measuredItems / 2 + items;
      measuredNanos = measuredNanos / 2 + nanos;
      itemsSquared = itemsSquared / 2 + (double) items * items;
      itemsTimesNanos = itemsTimesNanos / 2 + (double) items * nanos;
      totalItems += items;
      int ideal = ideal(Math.max(1e-3, nanosPerItem()));
      // Growth is bounded from the largest chunk submitted so far.
      int from = size > 0 ? size : Math.min(Math.min(cap, PROBE_LIMIT), 1 << Math.min(30, Math.max(0, probes - 1)));
      size = (int) Math.max(1, Math.min(ideal, (long) MAX_GROWTH * from));
    }

    /**
     * The cost of one more item in a chunk. A chunk's time is a fixed part (decoding the task, whose
     * function a fresh worker deserializes in milliseconds, and encoding the reply) plus a part per item;
     * dividing the whole by the items took the fixed part for a cost per item, so a fresh worker's
     * one-item chunks of 1-5 ms asked for chunks of one or two items, and a 10,000-item map in a new pool
     * took a second. When the measured chunks differ enough in size, the slope of their times (a least
     * squares line, recent chunks weighing most) is the cost per item, never above the plain average
     * (the line's fixed part is never negative) nor under 1/{@link #MAX_FIT_DISCOUNT} of it (noise).
     */
    private double nanosPerItem() {
      double average = measuredNanos / measuredItems;
      double meanItems = measuredItems / weight;
      double variance = itemsSquared / weight - meanItems * meanItems;
      if (variance < MIN_SPREAD * meanItems * meanItems) {
        return average; // chunks of (nearly) one size: no line to fit
      }
      double meanNanos = measuredNanos / weight;
      double slope = (itemsTimesNanos / weight - meanItems * meanNanos) / variance;
      if (meanNanos - slope * meanItems <= 1e-6 * meanNanos) {
        return average; // no fixed part (up to rounding) or a negative one: the plain average
      }
      return Math.min(average, Math.max(slope, average / MAX_FIT_DISCOUNT));
    }

    /** The measured cost per item, or -1 if too little was measured to be worth remembering. */
    double costToRemember() {
      return totalItems >= MIN_ITEMS_TO_REMEMBER ? nanosPerItem() : -1;
    }

    int cap() {
      return cap;
    }
  }

  private static final class ChunkIterator<T, R> implements Iterator<R> {
    private final AbstractPool pool;
    private final SerializableFunction<? super T, ? extends R> fn;
    private final @Nullable Iterator<? extends T> source; // null when reading from list
    private final @Nullable List<? extends T> list;
    private int listPos;
    private final boolean ordered;
    private final int fixedChunk;
    private final int window;
    private final ArrayDeque<InFlight<R>> inFlight = new ArrayDeque<>();
    private final LinkedBlockingQueue<InFlight<R>> completed = new LinkedBlockingQueue<>();
    private int outstanding; // submitted and not yet taken (unordered)
    private long nextIndex;
    private final @Nullable ChunkSizer sizer;
    private final @Nullable AtomicLong knownCost;
    private @Nullable Iterator<R> current;
    private boolean closed;
    private final @Nullable ProgressListener progress;
    private long total; // -1 until known
    private long taken; // items of chunks handed to the consumer
    private long reported = -1;
    private long reportedAt;
    private boolean finished;

    ChunkIterator(
        AbstractPool pool,
        SerializableFunction<? super T, ? extends R> fn,
        @Nullable Iterator<? extends T> source,
        @Nullable List<? extends T> list,
        MapOptions options,
        int known,
        boolean ordered) {
      this.pool = pool;
      this.fn = fn;
      this.source = source;
      this.list = list;
      this.ordered = ordered;
      this.fixedChunk = options.chunkSize();
      int par = Math.min(pool.parallelism(), 64);
      this.window = options.maxInFlight() > 0 ? options.maxInFlight() : Math.min(MAX_WINDOW, 4 * par);
      if (fixedChunk > 0) {
        this.sizer = null;
        this.knownCost = null;
      } else {
        AtomicLong cost = KNOWN_COST.get(fn.getClass());
        this.knownCost = cost;
        this.sizer = new ChunkSizer(known, par, Double.longBitsToDouble(cost.get()), TARGET_CHUNK_NANOS, MAX_CHUNK);
      }
      this.progress = options.progress();
      this.total = known;
    }

    // The completion stage below only queues the chunk for awaitAny; a failure is read from the chunk itself.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void fill() {
      while (outstanding < window && moreInput()) {
        ChunkSizer z = sizer;
        int size = z == null ? fixedChunk : z.next();
        List<T> items = nextItems(size);
        TaskRun<List<R>> run = pool.submitChecked(new TaskAdapters.Chunk<>(fn, items), TaskOptions.none(), false, true);
        InFlight<R> c = new InFlight<>(run, nextIndex, items.size());
        nextIndex += items.size();
        outstanding++;
        if (ordered) {
          inFlight.add(c);
        } else {
          inFlight.add(c);
          run.whenComplete((v, e) -> completed.add(c));
        }
      }
    }

    private boolean moreInput() {
      List<? extends T> l = list;
      return l != null ? listPos < l.size() : Objects.requireNonNull(source).hasNext();
    }

    private List<T> nextItems(int size) {
      List<? extends T> l = list;
      if (l != null) {
        int end = (int) Math.min(l.size(), (long) listPos + size);
        List<T> items = new ArrayList<>(l.subList(listPos, end));
        listPos = end;
        return items;
      }
      Iterator<? extends T> in = Objects.requireNonNull(source);
      List<T> items = new ArrayList<>(Math.min(size, 1024));
      while (items.size() < size && in.hasNext()) {
        items.add(in.next());
      }
      return items;
    }

    @Override
    public boolean hasNext() {
      while (true) {
        Iterator<R> cur = current;
        if (cur != null && cur.hasNext()) {
          return true;
        }
        List<R> chunk = nextChunk();
        if (chunk == null) {
          return false;
        }
        current = chunk.iterator();
      }
    }

    /** The next chunk's results (in input order when ordered), or null at the end. */
    @Nullable List<R> nextChunk() {
      if (closed) {
        return null;
      }
      if (reported < 0 && progress != null) {
        report(true); // the start: 0 of the total
      }
      fill();
      if (outstanding == 0) {
        if (progress != null) {
          total = nextIndex; // read to its end
          report(true);
          finish(true);
        }
        close();
        return null;
      }
      return take();
    }

    /** Items whose results are ready: never fewer than before (chunks only move from the window to taken). */
    private long done() {
      long n = taken;
      for (InFlight<R> c : inFlight) {
        TaskRun<List<R>> r = c.run();
        if (r.isDone() && !r.isCompletedExceptionally()) {
          n += c.size();
        }
      }
      return n;
    }

    /** Tells the listener, unless it heard the same count less than {@link #REPORT_NANOS} ago. */
    private void report(boolean force) {
      ProgressListener l = progress;
      if (l == null || finished) {
        return;
      }
      long now = System.nanoTime();
      if (!force && now - reportedAt < REPORT_NANOS) {
        return;
      }
      long n = Math.max(reported, done());
      if (!force && n == reported) {
        return;
      }
      reported = n;
      reportedAt = now;
      try {
        l.onProgress(n, total);
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }

    private void finish(boolean completed) {
      ProgressListener l = progress;
      if (l == null || finished) {
        return;
      }
      finished = true;
      l.onFinish(Math.max(0, reported), total, completed);
    }

    /** Waits for {@code c}, reporting progress meanwhile if there is a listener. */
    private void await(InFlight<R> c) throws InterruptedException, ExecutionException {
      if (progress == null) {
        c.run().get();
        return;
      }
      while (true) {
        try {
          c.run().get(REPORT_NANOS, TimeUnit.NANOSECONDS);
          return;
        } catch (TimeoutException e) {
          report(false);
        }
      }
    }

    /** The next chunk to complete, reporting progress meanwhile if there is a listener. */
    private InFlight<R> awaitAny() throws InterruptedException {
      if (progress == null) {
        return completed.take();
      }
      while (true) {
        InFlight<R> c = completed.poll(REPORT_NANOS, TimeUnit.NANOSECONDS);
        if (c != null) {
          return c;
        }
        report(false);
      }
    }

    @Override
    public R next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return Objects.requireNonNull(current).next();
    }

    private List<R> take() {
      InFlight<R> c;
      try {
        if (ordered) {
          c = Objects.requireNonNull(inFlight.peek());
          await(c);
          inFlight.poll();
        } else {
          c = awaitAny();
          inFlight.remove(c);
        }
        outstanding--;
        List<R> results = c.run().get();
        taken += c.size();
        learn(c);
        report(false);
        return results;
      } catch (InterruptedException e) {
        close();
        Thread.currentThread().interrupt();
        CancellationException ce = new CancellationException("interrupted while waiting for map results");
        ce.initCause(e);
        throw ce;
      } catch (ExecutionException e) {
        close();
        throw new CompletionException(failureMessage(e.getCause()), e.getCause());
      } catch (CancellationException e) {
        close();
        throw e;
      }
    }

    private String failureMessage(@Nullable Throwable cause) {
      return "map failed on an item: " + cause;
    }

    private void learn(InFlight<R> c) {
      ChunkSizer z = sizer;
      if (z != null) {
        z.measured(c.size(), c.run().workNanos());
      }
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      ChunkSizer z = sizer;
      AtomicLong cost = knownCost;
      if (z != null && cost != null && z.costToRemember() > 0) {
        cost.set(Double.doubleToRawLongBits(z.costToRemember()));
      }
      if (!finished && progress != null) {
        finish(false);
      }
      for (InFlight<R> c : inFlight) {
        c.run().cancel(true);
      }
      inFlight.clear();
      outstanding = 0;
    }
  }
}
