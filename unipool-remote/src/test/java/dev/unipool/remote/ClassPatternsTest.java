package dev.unipool.remote;

import static dev.unipool.remote.ClassPatterns.Verdict.ALLOWED;
import static dev.unipool.remote.ClassPatterns.Verdict.REJECTED;
import static dev.unipool.remote.ClassPatterns.Verdict.UNDECIDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassPatternsTest {
  @Test
  void packagePatternsFollowObjectInputFilterSyntax() {
    ClassPatterns p = ClassPatterns.parse("a.b.*;c.**;Pre*;x.Y;maxdepth=5");
    assertEquals(ALLOWED, p.check("a.b.C"));
    assertEquals(UNDECIDED, p.check("a.b.c.D"), ".* does not reach subpackages");
    assertEquals(ALLOWED, p.check("c.D"));
    assertEquals(ALLOWED, p.check("c.d.e.F"));
    assertEquals(ALLOWED, p.check("Prefixed"));
    assertEquals(ALLOWED, p.check("x.Y"));
    assertEquals(UNDECIDED, p.check("x.YZ"));
  }

  @Test
  void firstMatchDecidesAndBangRejects() {
    ClassPatterns p = ClassPatterns.parse("!a.b.Bad;a.b.*;!*");
    assertEquals(REJECTED, p.check("a.b.Bad"));
    assertEquals(ALLOWED, p.check("a.b.Good"));
    assertEquals(REJECTED, p.check("z.Other"));
  }

  @Test
  void arraysAreJudgedByTheirElement() {
    ClassPatterns p = ClassPatterns.parse("a.b.*;!*");
    assertEquals(ALLOWED, p.check("[La.b.C;"));
    assertEquals(ALLOWED, p.check("a.b.C[][]"));
    assertEquals(REJECTED, p.check("[Lz.Q;"));
    assertTrue(ClassPatterns.isPrimitive("[I"));
    assertTrue(ClassPatterns.isPrimitive("long[]"));
    assertFalse(ClassPatterns.isPrimitive("[La.b.C;"));
  }
}
