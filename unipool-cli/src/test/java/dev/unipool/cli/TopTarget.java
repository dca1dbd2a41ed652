package dev.unipool.cli;

import dev.unipool.Backend;
import dev.unipool.Pool;
import dev.unipool.PoolOptions;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/** A JVM for {@code unipool top} to look at: a pool that ran five tasks, open until stdin closes. */
public final class TopTarget {
  private TopTarget() {}

  /**
   * Runs the target.
   *
   * @param args unused
   * @throws Exception if the pool fails
   */
  public static void main(String[] args) throws Exception {
    try (Pool pool = Pool.of(Backend.threads(2), PoolOptions.defaults().name("top-target"))) {
      for (int i = 0; i < 5; i++) {
        pool.submit(() -> 1).get();
      }
      ObjectName name = new ObjectName("dev.unipool:type=Pool,name=top-target");
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!ManagementFactory.getPlatformMBeanServer().isRegistered(name) && System.nanoTime() < deadline) {
        Thread.sleep(5); // registration runs in the background
      }
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // the test closes stdin when it is done
      }
    }
  }
}
