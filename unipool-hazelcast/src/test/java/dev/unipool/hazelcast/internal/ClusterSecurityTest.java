package dev.unipool.hazelcast.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.Backend;
import dev.unipool.testkit.SystemProperty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A member's defaults, without starting one: where it may bind, and its secret cluster name. */
class ClusterSecurityTest {
  @TempDir Path dir;

  @Test
  void bind_toAnAddressOthersCanReach_isRefusedWithoutTheFlagThatNamesTheRisk() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MemberMain.Settings.parse("--bind", "0.0.0.0"));
    assertTrue(e.getMessage().contains("no authentication") && e.getMessage().contains("--insecure-allow-network"),
        e.getMessage());
    MemberMain.Settings s = MemberMain.Settings.parse("--bind", "0.0.0.0", "--insecure-allow-network");
    assertTrue(s.insecureAllowNetwork());
    for (String loopback : List.of("127.0.0.1", "127.0.0.2", "localhost", "::1")) {
      assertDoesNotThrow(() -> MemberMain.Settings.parse("--bind", loopback), loopback);
    }
    assertEquals(null, MemberMain.Settings.parse().clusterName(), "no name given: the user's, from the file");
  }

  @Test
  void join_takesTheClusterName_asPoolsWriteIt() {
    MemberMain.Settings s = MemberMain.Settings.parse("--join", "Secret@10.0.0.1:5801,10.0.0.2:5801");
    assertEquals("Secret", s.clusterName());
    assertEquals(List.of("10.0.0.1:5801", "10.0.0.2:5801"), s.join());
    assertThrows(IllegalArgumentException.class,
        () -> MemberMain.Settings.parse("--cluster-name", "Other", "--join", "Secret@10.0.0.1:5801"));
    assertThrows(IllegalArgumentException.class,
        () -> MemberMain.Settings.parse("--join", "Secret@10.0.0.1:5801", "--cluster-name", "Other"));
  }

  @Test
  void nameFile_defaultsToTheUsersConfigDirectory() {
    try (SystemProperty p = SystemProperty.set(Backend.Cluster.NAME_FILE_PROPERTY, null)) {
      Path file = Backend.Cluster.nameFile();
      assertTrue(file.endsWith(Path.of("unipool", "cluster-name")) && file.isAbsolute(), file::toString);
    }
  }

  @Test
  void memberName_isGeneratedOnce_private_andSharedByMembersStartingTogether() throws Exception {
    Path file = dir.resolve("fresh").resolve("cluster-name");
    int members = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(members);
    Set<String> names = new HashSet<>();
    try (SystemProperty p = SystemProperty.set(Backend.Cluster.NAME_FILE_PROPERTY, file.toString())) {
      List<Future<String>> got = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        got.add(threads.submit(() -> {
          go.await();
          return ClusterSecurity.memberClusterName();
        }));
      }
      go.countDown();
      for (Future<String> f : got) {
        names.add(f.get(60, TimeUnit.SECONDS));
      }
      assertEquals(1, names.size(), names::toString);
      assertEquals(names.iterator().next(), Files.readString(file).strip());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
      try (var leftovers = Files.list(file.getParent())) {
        assertEquals(List.of(file), leftovers.toList(), "no temporary files left behind");
      }
      assertEquals(names.iterator().next(), Backend.cluster("127.0.0.1:5801").resolvedClusterName());
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void nameFile_readableByOthers_isRefused_sayingHowToFixIt() throws Exception {
    Path file = dir.resolve("cluster-name");
    Files.writeString(file, "unipool-secret\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (SystemProperty p = SystemProperty.set(Backend.Cluster.NAME_FILE_PROPERTY, file.toString())) {
      IllegalStateException e = assertThrows(IllegalStateException.class, ClusterSecurity::memberClusterName);
      assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      assertEquals("unipool-secret", ClusterSecurity.memberClusterName());
    }
  }

  @Test
  void pool_withoutANameOrAFile_saysWhereTheNameComesFrom() {
    Path missing = dir.resolve("none").resolve("cluster-name");
    try (SystemProperty p = SystemProperty.set(Backend.Cluster.NAME_FILE_PROPERTY, missing.toString())) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Backend.cluster("127.0.0.1:5801").resolvedClusterName());
      assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("cluster:NAME@127.0.0.1:5801"),
          e.getMessage());
    }
  }
}
