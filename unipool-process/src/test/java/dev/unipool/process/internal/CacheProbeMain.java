package dev.unipool.process.internal;

/** A JVM for {@link StartupCacheTest}: loads a few classes, prints one line, exits. */
public final class CacheProbeMain {
  private CacheProbeMain() {}

  /**
   * Prints {@code hello} and the size of a small map, so that some JDK classes get loaded and recorded.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    java.util.Map<String, Integer> m = new java.util.concurrent.ConcurrentHashMap<>();
    m.put("a", 1);
    System.out.println("hello " + m.size());
  }
}
