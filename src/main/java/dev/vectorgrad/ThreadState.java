package dev.vectorgrad;

import dev.vectorgrad.memory.ThreadContext;

/**
 * What is per thread in the tensor layer: whether grad mode is on, and the innermost open
 * {@link TensorScope} (with arrays and internal scopes kept for reuse). It hangs off the thread's
 * {@link ThreadContext}, which also holds the allocator's blocks, so an op that looks this up once
 * can allocate and free without another lookup. Nothing here is shared, so nothing needs locks.
 */
final class ThreadState {
  /** This thread's context, which holds this state and the allocator's and autograd's. */
  final ThreadContext context;

  boolean gradEnabled = true;
  TensorScope scope;
  /** Tensor arrays of closed scopes, handed to the next scopes opened on this thread. */
  private final Tensor[][] spareArrays = new Tensor[4][];
  private int spareArrayCount;
  /** Closed internal scopes ({@link TensorScope#openPooled()}), reopened instead of made anew. */
  private final TensorScope[] spareScopes = new TensorScope[4];
  private int spareScopeCount;

  /** An empty array for a new scope's tensors. */
  Tensor[] takeScopeArray() {
    int n = spareArrayCount;
    if (n == 0) return new Tensor[8];
    Tensor[] a = spareArrays[--n];
    spareArrays[n] = null;
    spareArrayCount = n;
    return a;
  }

  /** Keeps a closed scope's array (all null) for the next scope, unless it grew large. */
  void giveScopeArray(Tensor[] a) {
    if (a.length <= 1024 && spareArrayCount < spareArrays.length) spareArrays[spareArrayCount++] = a;
  }

  /** A closed internal scope to reopen, or null. */
  TensorScope takeScope() {
    int n = spareScopeCount;
    if (n == 0) return null;
    TensorScope s = spareScopes[--n];
    spareScopes[n] = null;
    spareScopeCount = n;
    return s;
  }

  void giveScope(TensorScope s) {
    if (spareScopeCount < spareScopes.length) spareScopes[spareScopeCount++] = s;
  }

  private ThreadState(ThreadContext context) {
    this.context = context;
  }

  /** The calling thread's state: one thread-local lookup (its {@link ThreadContext}). */
  static ThreadState current() {
    ThreadContext c = ThreadContext.current();
    Object s = c.tensorState;
    if (s != null) return (ThreadState) s;
    ThreadState state = new ThreadState(c);
    c.tensorState = state;
    return state;
  }
}
