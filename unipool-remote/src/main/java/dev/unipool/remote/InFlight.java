package dev.unipool.remote;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The tasks one worker holds ({@code T}: a {@link RemoteTask}), by id, in the order sent: an array of ids
 * that only ever grow (the pool numbers tasks as it sends them), searched by halving, with a gap where a
 * task left out of order. It replaces a {@code LinkedHashMap<Long, RemoteTask>}, whose boxed key and entry
 * per task and hashing were a tenth of the submitting thread's samples with 100k tiny tasks at once; answers
 * mostly come oldest first, which takes the head here in constant time.
 *
 * <p>Not thread-safe: used under the pool's lock. Gaps are dropped as the head passes them, and all at once
 * when they outnumber the tasks held (a cluster member's long task, held while thousands after it finish),
 * so the occupied slots stay within twice the tasks held plus {@value #FIRST_SIZE}, and a task held long
 * never makes the arrays grow with every task sent after it.
 */
final class InFlight<T> {
  private static final int FIRST_SIZE = 16;

  private long[] ids = new long[FIRST_SIZE];
  private @Nullable Object[] tasks = new Object[FIRST_SIZE];
  /** Occupied slots are {@code [head, tail)}, gaps included; {@code tasks[head]} is never a gap. */
  private int head;
  private int tail;
  private int size;

  /**
   * Adds a task sent after every task added before.
   *
   * @param id its id, above every id added before
   * @param task the task
   * @throws IllegalArgumentException if {@code id} is not above the last one added
   */
  void add(long id, T task) {
    if (tail > head && id <= ids[tail - 1]) {
      throw new IllegalArgumentException("task " + id + " sent after task " + ids[tail - 1]);
    }
    if (tail == ids.length) {
      makeRoom();
    }
    ids[tail] = id;
    tasks[tail] = task;
    tail++;
    size++;
  }

  /** Moves what is held to the front, without gaps, into arrays with room for as many again. */
  private void makeRoom() {
    int capacity = Math.max(FIRST_SIZE, Integer.highestOneBit(Math.max(1, size)) << 2);
    long[] newIds = capacity == ids.length ? ids : new long[capacity];
    @Nullable Object[] newTasks = capacity == tasks.length ? tasks : new Object[capacity];
    int n = 0;
    for (int i = head; i < tail; i++) {
      Object t = tasks[i];
      if (t != null) {
        newIds[n] = ids[i];
        newTasks[n] = t;
        n++;
      }
    }
    Arrays.fill(newTasks, n, capacity, null); // when compacted in place, the old tail's references go
    ids = newIds;
    tasks = newTasks;
    head = 0;
    tail = n;
  }

  /** The slot holding {@code id}, or -1. */
  private int find(long id) {
    if (head == tail) {
      return -1;
    }
    if (ids[head] == id) { // answers mostly come oldest first
      return head;
    }
    int i = Arrays.binarySearch(ids, head, tail, id);
    return i >= 0 && tasks[i] != null ? i : -1;
  }

  /**
   * The task with this id.
   *
   * @param id a task's id
   * @return the task, or null if not held
   */
  @Nullable T get(long id) {
    int i = find(id);
    return i < 0 ? null : at(i);
  }

  /** The task in an occupied slot, never a gap. */
  @SuppressWarnings("unchecked") // only add() stores, and only Ts
  private T at(int i) {
    return (T) java.util.Objects.requireNonNull(tasks[i]);
  }

  boolean contains(long id) {
    return find(id) >= 0;
  }

  /**
   * Removes the task with this id.
   *
   * @param id a task's id
   * @return the task, or null if not held
   */
  @Nullable T remove(long id) {
    int i = find(id);
    if (i < 0) {
      return null;
    }
    T t = at(i);
    tasks[i] = null;
    size--;
    if (size == 0) {
      head = 0;
      tail = 0;
    } else if (i == head) {
      do {
        head++;
      } while (tasks[head] == null);
    } else if (i == tail - 1) {
      do {
        tail--;
      } while (tasks[tail - 1] == null);
    } else if (tail - head - size > Math.max(size, FIRST_SIZE)) {
      makeRoom();
    }
    return t;
  }

  /** The oldest task's id; only when not {@link #isEmpty}. */
  long firstId() {
    if (head == tail) {
      throw new IllegalStateException("no task held");
    }
    return ids[head];
  }

  /** The slots its arrays have: what it costs in memory, whatever it holds. */
  int capacity() {
    return ids.length;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /**
   * The tasks held, oldest first.
   *
   * @return a new list
   */
  List<T> list() {
    List<T> all = new ArrayList<>(size);
    for (int i = head; i < tail; i++) {
      if (tasks[i] != null) {
        all.add(at(i));
      }
    }
    return all;
  }

  /** Forgets every task. */
  void clear() {
    Arrays.fill(tasks, head, tail, null);
    head = 0;
    tail = 0;
    size = 0;
  }
}
