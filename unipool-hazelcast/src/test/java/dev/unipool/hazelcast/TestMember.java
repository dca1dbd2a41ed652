package dev.unipool.hazelcast;

import dev.unipool.hazelcast.internal.MemberMain;
import java.io.IOException;

/**
 * A member JVM for tests: {@link MemberMain} plus a watchdog on stdin, so that a member whose test JVM
 * dies (killed, crashed) exits too instead of lingering on a port.
 */
public final class TestMember {
  private TestMember() {}

  /**
   * Runs a member until stdin closes.
   *
   * @param args {@link MemberMain} arguments
   */
  public static void main(String[] args) {
    Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent never writes; EOF means it is gone
        }
      } catch (IOException e) {
        // treat like EOF
      }
      Runtime.getRuntime().halt(0);
    });
    MemberMain.main(args);
  }
}
