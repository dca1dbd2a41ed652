package dev.unipool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unipool.SerializableCallable;
import org.junit.jupiter.api.Test;

class TaskAdaptersNameTest {
  private static SerializableCallable<Integer> adding(int n) {
    return () -> n + 1;
  }

  private static SerializableCallable<Integer> doubling(int n) {
    return () -> n * 2;
  }

  @Test
  void lambdas_areNamedAfterTheirCapturingClassAndMethod_onceForAllInstancesOfAClass() {
    String first = TaskAdapters.displayName(adding(1));
    assertTrue(first.startsWith("TaskAdaptersNameTest.lambda$adding$"), first);
    assertEquals(first, TaskAdapters.displayName(adding(2)), "another instance of the same lambda");
    String other = TaskAdapters.displayName(doubling(1));
    assertTrue(other.startsWith("TaskAdaptersNameTest.lambda$doubling$"), other);
    assertNotEquals(first, other, "each lambda class keeps its own name");
  }

  @Test
  void plainClassesAndStrings_keepTheirNames() {
    assertEquals("TaskAdaptersNameTest", TaskAdapters.displayName(this));
    assertEquals("given", TaskAdapters.displayName("given"));
  }
}
