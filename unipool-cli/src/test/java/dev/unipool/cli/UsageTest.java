package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UsageTest {

  private static void assertOneLineUsageError(Cli.Result r, String expected) {
    assertEquals(Main.USAGE, r.code(), r::toString);
    assertEquals(1, r.errLines().size(), "one line: " + r.err());
    assertTrue(r.err().contains(expected), r::toString);
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
    assertEquals("", r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"titles", "compute", "mixed"})
  void workersZero_isAUsageError(String demo) {
    assertOneLineUsageError(Cli.run("demo", demo, "--workers", "0"), "--workers must be at least 1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"titles", "compute", "mixed"})
  void unknownBackend_isAUsageErrorListingTheValidOnes(String demo) {
    Cli.Result r = Cli.run("demo", demo, "--backend", "nonsense");
    assertOneLineUsageError(r, "'nonsense' is not a valid backend");
    assertTrue(r.err().contains(Backend.VALID_FORMS), r::toString);
  }

  @Test
  void nonNumericWorkers_isAUsageError() {
    assertOneLineUsageError(Cli.run("demo", "compute", "--workers", "many"), "--workers");
  }

  @Test
  void unknownOption_isAUsageError() {
    assertOneLineUsageError(Cli.run("demo", "titles", "--frobnicate"), "--frobnicate");
  }

  @Test
  void workerCountGivenTwice_isAUsageError() {
    assertOneLineUsageError(Cli.run("demo", "compute", "--backend", "threads:3", "--workers", "2"), "threads:3");
  }

  @Test
  void sizeZero_isAUsageError() {
    assertOneLineUsageError(Cli.run("demo", "compute", "--size", "0"), "--size must be at least 1");
  }

  @Test
  void noCommand_printsUsageAndExits2() {
    Cli.Result r = Cli.run();
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("Usage: unipool"), r::toString);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "demo", "demo titles", "demo compute", "demo mixed"})
  void help_onEveryCommand_showsExamples(String command) {
    String[] args = (command + " --help").strip().split(" ");
    Cli.Result r = Cli.run(args);
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("Usage: unipool"), r::toString);
    assertTrue(r.out().contains("Examples:"), r::toString);
  }

  @Test
  void workers_buildsTheCountedFormOfTheBackend() {
    assertEquals(Backend.threads(3), PoolChoice.resolve("threads", 3));
    assertEquals(Backend.threads(3), PoolChoice.resolve(" Threads ", 3));
    assertEquals(Backend.threads(), PoolChoice.resolve("threads", null));
    assertEquals(Backend.threads(4), PoolChoice.resolve("threads:4", null));
    assertEquals(Backend.virtual(), PoolChoice.resolve("virtual", 3));
    assertEquals(Backend.inline(), PoolChoice.resolve("inline", 3));
  }

  @Test
  void workers_withProcesses_goesThroughBackendParse() {
    // Whether or not core knows "processes" yet, the CLI asks Backend.parse for "processes:2".
    try {
      assertEquals("processes:2", PoolChoice.resolve("processes", 2).toString());
    } catch (UsageException e) {
      assertTrue(e.getMessage().contains("'processes:2'"), e.getMessage());
    }
  }

  @Test
  void badWorkers_isRejectedBeforeTheBackend() {
    UsageException e = assertThrows(UsageException.class, () -> PoolChoice.resolve("nonsense", 0));
    assertInstanceOf(UsageException.class, e);
    assertEquals("--workers must be at least 1", e.getMessage());
  }

  @Test
  void join_withoutClusterBackend_isAUsageError() {
    assertOneLineUsageError(Cli.run("demo", "titles", "--join", "127.0.0.1:5801"), "--join goes with --backend cluster");
  }

  @Test
  void clusterBackend_withoutJoin_saysHowToStartAMember() {
    assertOneLineUsageError(Cli.run("demo", "titles", "--backend", "cluster"), "unipool member");
  }

  @Test
  void clusterBackend_withJoin_andNoMember_failsWithinTheConnectTimeout() {
    Cli.Result r = Cli.run("demo", "compute", "--size", "1000", "--backend", "cluster", "--join", "127.0.0.1:1");
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().contains("127.0.0.1:1"), r::toString);
  }

  @Test
  void member_bindToTheNetwork_withoutTheFlagThatNamesTheRisk_isAUsageError() {
    assertOneLineUsageError(Cli.run("member", "--bind", "0.0.0.0"), "add --insecure-allow-network");
  }

  @Test
  void member_classpathEntryThatDoesNotExist_isAUsageErrorNamingIt() {
    assertOneLineUsageError(Cli.run("member", "--classpath", "/no/such/dir/app.jar"),
        "--classpath: /no/such/dir/app.jar does not exist");
  }

  @Test
  void member_classpathFileThatIsNoJar_isAUsageError() throws Exception {
    Path file = Files.createTempFile("not-a-jar", ".txt");
    try {
      assertOneLineUsageError(Cli.run("member", "-cp", file.toString()), "is a file but not a .jar or .zip");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void member_missingEntryInUnipoolClasspath_isAUsageErrorNamingTheVariable() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "member", "--port", "1")
        .redirectErrorStream(true);
    pb.environment().put("UNIPOOL_CLASSPATH", "/no/such/lib/*");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
    assertEquals(Main.USAGE, p.exitValue(), output);
    assertTrue(output.contains("UNIPOOL_CLASSPATH: /no/such/lib/* does not exist"), output);
  }

  @Test
  void bench_clusterWithoutAPort_isAUsageErrorNamingTheOption() {
    assertOneLineUsageError(Cli.run("bench", "--tiny", "--cluster", "nonsense"), "--cluster: 'cluster:nonsense'");
  }
}
