package dev.unipool.process.internal;

import java.io.IOException;

/** A JVM for {@link StartupCacheTest} that lives until its stdin closes, as a worker does. */
public final class WaitForStdinMain {
  private WaitForStdinMain() {}

  /**
   * Reads stdin to its end, then exits.
   *
   * @param args ignored
   * @throws IOException if stdin fails
   */
  public static void main(String[] args) throws IOException {
    System.in.transferTo(java.io.OutputStream.nullOutputStream());
  }
}
