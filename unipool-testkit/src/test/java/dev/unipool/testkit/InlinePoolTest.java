package dev.unipool.testkit;

import dev.unipool.Backend;

/** The contract on {@link Backend#inline()}: every task runs inside {@code submit}. */
class InlinePoolTest extends PoolContract {
  @Override
  protected Backend backend() {
    return Backend.inline();
  }

  @Override
  protected boolean runsConcurrently() {
    return false;
  }
}
