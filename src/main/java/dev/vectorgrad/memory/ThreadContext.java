package dev.vectorgrad.memory;

/**
 * Everything vectorgrad keeps per thread, behind one thread-local lookup: the global allocator's
 * stacks of idle small blocks, autograd's sequence numbers and reusable backward pass, and the
 * tensor layer's grad mode and scopes. A 2x2 op needs several of these; looking each up in its own
 * {@code ThreadLocal} cost more than the op's kernel. Internal: the package is not exported.
 *
 * <p>Only the thread that owns a context touches it, so nothing here needs locks.
 */
public final class ThreadContext {
  private static final ThreadLocal<ThreadContext> CURRENT = ThreadLocal.withInitial(ThreadContext::new);

  /** The global allocator's idle small blocks of this thread. */
  final NativeAllocator.LocalCache blocks = new NativeAllocator.LocalCache(NativeAllocator.global());
  /** The next autograd sequence number of this thread ({@code dev.vectorgrad.autograd.Node}). */
  public long sequenceNr;
  /** The backward pass this thread reuses ({@code dev.vectorgrad.autograd.Engine}'s), or null. */
  public Object backwardPass;
  /** The tensor layer's state of this thread (grad mode, scopes: {@code dev.vectorgrad.ThreadState}), or null. */
  public Object tensorState;

  private ThreadContext() {}

  /** The calling thread's context. */
  public static ThreadContext current() {
    return CURRENT.get();
  }
}
