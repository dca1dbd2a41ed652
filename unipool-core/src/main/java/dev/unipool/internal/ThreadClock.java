package dev.unipool.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and run-queue delay of the current platform thread. */
final class ThreadClock {
  private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static volatile boolean schedstat = Files.isReadable(SCHEDSTAT);

  private ThreadClock() {}

  /**
   * Reads the current thread's clocks.
   *
   * @return {CPU nanoseconds, nanoseconds spent runnable but waiting for a core}; CPU is -1 where it
   *     cannot be read (virtual threads), the delay 0 where the OS does not report it
   */
  static long[] sample() {
    if (schedstat && !Thread.currentThread().isVirtual()) {
      try {
        String s = new String(Files.readAllBytes(SCHEDSTAT), StandardCharsets.US_ASCII).strip();
        String[] f = s.split(" ", -1);
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
      } catch (IOException | RuntimeException e) {
        schedstat = false; // not Linux, or a restricted /proc: fall back for good
      }
    }
    return new long[] {MX.getCurrentThreadCpuTime(), 0};
  }
}
