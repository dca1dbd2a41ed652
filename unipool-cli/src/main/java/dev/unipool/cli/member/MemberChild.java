package dev.unipool.cli.member;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;

/**
 * The entry point of a member JVM that {@code unipool member} started: the member itself ({@code
 * MemberMain} in {@code unipool-hazelcast}, reached reflectively because the CLI has that module only at
 * run time), plus a watch on stdin so that the member shuts down (cleanly, through Hazelcast's shutdown
 * hook) when the {@code unipool member} JVM that started it is gone, even if that JVM was killed.
 * Not meant to be run by hand.
 */
public final class MemberChild {
  private MemberChild() {}

  /**
   * Runs a member until it is stopped or stdin reaches its end.
   *
   * @param args the member's arguments, as {@code MemberMain.Settings.parse} takes them
   * @throws Throwable whatever starting the member threw, unwrapped (exit code 1)
   */
  public static void main(String[] args) throws Throwable {
    Thread.ofPlatform().daemon().name("unipool-parent-watch").start(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent never writes; EOF means it is gone
        }
      } catch (IOException e) {
        // treat like EOF
      }
      System.exit(0);
    });
    try {
      Class.forName(MemberCommand.MAIN).getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause() == null ? e : e.getCause();
    }
  }
}
