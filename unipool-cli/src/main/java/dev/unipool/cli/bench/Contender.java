package dev.unipool.cli.bench;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Something measured on the suite: a unipool backend, a raw baseline on the same resources (Hazelcast's
 * own executor), or a Python peer.
 *
 * @param name the backend's text form ({@code processes:2}), the baseline's or the peer's name
 * @param kind which of the three it is
 * @param figures one figure per workload, in suite order
 */
record Contender(String name, Kind kind, Map<Workload, Figure> figures) {
  /** What a contender is. */
  enum Kind {
    /** A unipool backend. */
    UNIPOOL,
    /** The engine a backend builds on, used directly ({@code hazelcast-raw}). */
    BASELINE,
    /** A Python standard-library pool. */
    PEER;

    /** The JSON form: {@code unipool}, {@code baseline}, {@code peer}. */
    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  Contender(String name, Kind kind) {
    this(name, kind, new EnumMap<>(Workload.class));
  }

  Figure figure(Workload w) {
    return figures.computeIfAbsent(w, Figure::new);
  }
}
