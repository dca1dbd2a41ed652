package dev.unipool.hazelcast;

import dev.unipool.Backend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast members in their own JVMs on loopback, on free ports, with a cluster name of their own (so
 * that concurrent test runs on the same machine never meet). Members take seconds to start, so test
 * classes share one cluster through {@link #shared()}, and only tests that kill members start their own.
 * {@link #startWithDefaults} starts members as a user would, without {@code --cluster-name}: they take the
 * name from (or generate it in) a name file the test chooses.
 */
final class TestCluster implements AutoCloseable {
  /** Task threads per member: two members give the contract suite a parallelism of four. */
  static final int THREADS = 2;

  private static final Duration START_LIMIT = Duration.ofSeconds(90);
  private static TestCluster shared;

  /** The name given with --cluster-name, or null when members read it from {@link #nameFile}. */
  private final @Nullable String name;
  private final @Nullable Path nameFile;
  private final List<Member> members = new ArrayList<>();

  private TestCluster(@Nullable String name, @Nullable Path nameFile) {
    this.name = name;
    this.nameFile = nameFile;
  }

  /** One member JVM. */
  record Member(String address, Process process) {}

  /**
   * The cluster shared by test classes in this JVM, started on first use and killed when the JVM exits.
   *
   * @return two running members
   */
  static synchronized TestCluster shared() {
    if (shared == null) {
      TestCluster c = start(2);
      Runtime.getRuntime().addShutdownHook(new Thread(c::close));
      shared = c;
    }
    return shared;
  }

  /**
   * Starts {@code n} members: the first alone, then the rest together, joining it.
   *
   * @param n how many
   * @return the running cluster
   */
  static TestCluster start(int n) {
    return start(new TestCluster("unipool-test-" + UUID.randomUUID(), null), n);
  }

  /**
   * Starts {@code n} members with their default cluster name: the one in {@code nameFile}, which the
   * first member generates.
   *
   * @param n how many
   * @param nameFile where the members keep the name ({@value Backend.Cluster#NAME_FILE_PROPERTY})
   * @return the running cluster
   */
  static TestCluster startWithDefaults(int n, Path nameFile) {
    return start(new TestCluster(null, nameFile), n);
  }

  private static TestCluster start(TestCluster c, int n) {
    try {
      String first = c.launch(List.of()).join();
      List<CompletableFuture<String>> rest = new ArrayList<>();
      for (int i = 1; i < n; i++) {
        rest.add(c.launch(List.of(first)));
      }
      rest.forEach(CompletableFuture::join);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private CompletableFuture<String> launch(List<String> join) {
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", // C1 only: starts faster
        "--sun-misc-unsafe-memory-access=allow",
        TestMember.class.getName(),
        "--port", String.valueOf(port), "--threads", String.valueOf(THREADS)));
    if (name != null) {
      cmd.addAll(List.of("--cluster-name", name));
    }
    if (nameFile != null) {
      cmd.add(cmd.indexOf(TestMember.class.getName()), "-D" + Backend.Cluster.NAME_FILE_PROPERTY + "=" + nameFile);
    }
    String codec = System.getProperty(dev.unipool.remote.Codec.MODE_PROPERTY);
    if (codec != null) {
      cmd.add(cmd.indexOf(TestMember.class.getName()), "-D" + dev.unipool.remote.Codec.MODE_PROPERTY + "=" + codec);
    }
    if (!join.isEmpty()) {
      cmd.add("--join");
      cmd.add(String.join(",", join));
    }
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String address = "127.0.0.1:" + port;
    synchronized (members) {
      members.add(new Member(address, p));
    }
    CompletableFuture<String> up = new CompletableFuture<>();
    Thread.ofPlatform().daemon().name("member-" + port + "-out").start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.contains(" is up ")) {
            up.complete(address);
          }
          System.out.println("[member " + port + "] " + line);
        }
      } catch (IOException e) {
        // the member is gone
      }
      up.completeExceptionally(new IllegalStateException("member " + address + " exited before it was up"));
    });
    return up.orTimeout(START_LIMIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The members' cluster name, as given, or as read from their name file. */
  String name() {
    if (name != null) {
      return name;
    }
    try {
      return java.nio.file.Files.readString(java.util.Objects.requireNonNull(nameFile)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Member> members() {
    synchronized (members) {
      return List.copyOf(members);
    }
  }

  List<String> addresses() {
    return members().stream().map(Member::address).toList();
  }

  /**
   * A backend on this cluster with an explicit parallelism (members × threads), so that contract tests
   * that occupy every worker know how many tasks that takes.
   *
   * @return the backend
   */
  Backend.Cluster backend() {
    return new Backend.Cluster(addresses(), name(), Duration.ofSeconds(30), members().size() * THREADS);
  }

  /** Kills a member outright (SIGKILL), as a crash or a pulled plug would. */
  void kill(Member m) throws InterruptedException {
    m.process().destroyForcibly();
    m.process().waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    for (Member m : members()) {
      m.process().destroyForcibly();
    }
  }
}
