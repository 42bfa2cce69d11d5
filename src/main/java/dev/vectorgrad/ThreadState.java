package dev.vectorgrad;

/**
 * What is per thread: whether grad mode is on, and the innermost open {@link TensorScope}. One
 * thread-local lookup per op; nothing here is shared, so nothing here needs locks.
 */
final class ThreadState {
  private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);

  boolean gradEnabled = true;
  TensorScope scope;

  static ThreadState current() {
    return CURRENT.get();
  }
}
