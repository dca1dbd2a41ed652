package dev.unipool.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The start-up fault rules, without processes or threads. */
class RespawnPolicyTest {
  private static final int KILLED = 128 + 9;

  @Test
  void workerThatWasReady_isReplacedAtOnce_whateverItsExit() {
    RespawnPolicy p = new RespawnPolicy(1);
    assertEquals(RespawnPolicy.Decision.NOW, p.exited(0, "worker-1", true, 1, ""));
    assertEquals(RespawnPolicy.Decision.NOW, p.exited(0, "worker-1", true, KILLED, ""));
  }

  @Test
  void workerThatFailedOnItsOwnBeforeReady_breaksThePool_withItsOutput() {
    RespawnPolicy.Decision d = new RespawnPolicy(1).exited(0, "worker-1", false, 1, "Unrecognized VM option");
    assertNotNull(d.failure());
    assertTrue(d.failure().getMessage().contains("could not start (exit code 1)"));
    assertTrue(d.failure().getMessage().contains("Unrecognized VM option"));
  }

  @Test
  void quietExitsBeforeReady_breakThePool_onlyAfterSeveralInARow() {
    RespawnPolicy p = new RespawnPolicy(1);
    for (int i = 1; i < 5; i++) {
      assertNull(p.exited(0, "worker-1", false, 0, "").failure(), "exit " + i);
    }
    RespawnPolicy.Decision fifth = p.exited(0, "worker-1", false, 0, "");
    assertNotNull(fifth.failure());
    assertTrue(fifth.failure().getMessage().contains("5 in a row"));
  }

  @Test
  void killsFromOutsideBeforeReady_backOff_andNeverBreak_untilAWorkerIsReady() {
    RespawnPolicy p = new RespawnPolicy(2);
    assertEquals(0, p.exited(0, "worker-1", false, KILLED, "").delayMillis());
    assertEquals(0, p.exited(0, "worker-1", false, KILLED, "").delayMillis());
    assertEquals(100, p.exited(0, "worker-1", false, KILLED, "").delayMillis());
    assertEquals(200, p.exited(0, "worker-1", false, KILLED, "").delayMillis());
    for (int i = 0; i < 20; i++) {
      RespawnPolicy.Decision d = p.exited(0, "worker-1", false, KILLED, "");
      assertNull(d.failure());
      assertTrue(d.delayMillis() <= 2_000);
    }
    assertEquals(0, p.exited(1, "worker-2", false, KILLED, "").delayMillis(), "slots count apart");
    p.ready(0);
    assertEquals(0, p.exited(0, "worker-1", false, KILLED, "").delayMillis(), "a ready worker resets its slot");
  }

  @Test
  void launchFailure_ofAMissingJava_breaksAtOnce_otherwiseRetriesAFewTimes() {
    IOException e = new IOException("error=12, Cannot allocate memory");
    assertNotNull(new RespawnPolicy(1).launchFailed(0, "/no/such/java", e).failure());
    String java = ProcessHandle.current().info().command().orElseThrow();
    RespawnPolicy p = new RespawnPolicy(1);
    for (int i = 1; i <= 5; i++) {
      RespawnPolicy.Decision d = p.launchFailed(0, java, e);
      assertNull(d.failure(), "failure " + i);
      assertTrue(d.delayMillis() > 0);
    }
    assertNotNull(p.launchFailed(0, java, e).failure());
    p.launched(0);
    assertNull(p.launchFailed(0, java, e).failure(), "a launch resets the count");
  }
}
