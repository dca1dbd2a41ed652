package dev.unipool.cli.bench;

import java.util.EnumMap;
import java.util.Map;

/**
 * Something measured on the suite: a unipool backend or a Python peer.
 *
 * @param name the backend's text form ({@code processes:2}) or the peer's name
 * @param peer whether this is a Python peer
 * @param figures one figure per workload, in suite order
 */
record Contender(String name, boolean peer, Map<Workload, Figure> figures) {
  Contender(String name, boolean peer) {
    this(name, peer, new EnumMap<>(Workload.class));
  }

  Figure figure(Workload w) {
    return figures.computeIfAbsent(w, Figure::new);
  }
}
