package dev.unipool.cli.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.unipool.cli.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code unipool member} run the way a user runs it, on a thread of the test JVM (so the command starts
 * the member's own JVM, with the test class path as "unipool's"), on a free loopback port. Up once the
 * member prints its "is up" line; {@link #close()} interrupts the command, as Ctrl-C would stop it, and
 * checks that it returned 0.
 */
public final class RunningMember implements AutoCloseable {
  private static final long START_SECONDS = 90;

  private final String address;
  private final Thread command;
  private final AtomicInteger exitCode = new AtomicInteger(-1);
  private final Lines lines = new Lines();

  private RunningMember(int port, List<String> args) {
    this.address = "127.0.0.1:" + port;
    List<String> all = new ArrayList<>(List.of("member", "--port", String.valueOf(port), "--threads", "2"));
    all.addAll(args);
    PrintStream out = new PrintStream(lines, true, StandardCharsets.UTF_8);
    this.command = Thread.ofPlatform().name("member-command-" + port).start(() -> {
      exitCode.set(Main.run(out, out, all.toArray(String[]::new)));
      lines.up.completeExceptionally(new IllegalStateException("unipool member returned " + exitCode.get()));
    });
  }

  /**
   * Starts a member and waits until it is up.
   *
   * @param args more {@code unipool member} arguments ({@code --join}, {@code --classpath})
   * @return the running member
   * @throws IllegalStateException with the member's output if it exits or is not up within 90 s
   */
  public static RunningMember start(String... args) {
    RunningMember m = new RunningMember(freePort(), List.of(args));
    try {
      m.lines.up.get(START_SECONDS, TimeUnit.SECONDS);
      return m;
    } catch (Exception e) {
      m.close();
      throw new IllegalStateException("member did not come up: " + e + "\noutput:\n" + m.output(), e);
    }
  }

  /** The member's address, {@code 127.0.0.1:PORT}. */
  public String address() {
    return address;
  }

  /** Everything the member printed so far. */
  public String output() {
    return lines.text();
  }

  /** Interrupts the command (it stops the member's JVM) and checks that it returned 0. */
  @Override
  public void close() {
    command.interrupt();
    try {
      command.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    assertFalse(command.isAlive(), () -> "unipool member did not return after an interrupt:\n" + output());
    assertEquals(0, exitCode.get(), this::output);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Collects the output and completes {@code up} at the first "is up" line, or fails it at the command's end. */
  private static final class Lines extends OutputStream {
    final CompletableFuture<Void> up = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public synchronized void write(int b) {
      text.append((char) b);
      if (b == '\n' && text.indexOf(" is up ") >= 0) {
        up.complete(null);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      String s = new String(b, off, len, StandardCharsets.UTF_8);
      text.append(s);
      if (s.indexOf('\n') >= 0 && text.indexOf(" is up ") >= 0) {
        up.complete(null);
      }
    }

    synchronized String text() {
      return text.toString();
    }
  }
}
