package dev.vectorgrad;

import dev.vectorgrad.memory.Storage;
import java.util.Arrays;

/**
 * Deterministic release of every tensor made inside a block. PyTorch has no equivalent (its
 * tensors are freed by reference counting); the closest Java idioms are DJL's {@code NDManager}
 * and Arrow's allocators.
 *
 * <pre>{@code
 * try (var scope = TensorScope.open()) {
 *   Tensor y = x.add(temp).add(2).mean();   // y and the intermediate tensors belong to the scope
 *   y.backward();                           // temp.grad() belongs to temp, not to the scope
 *   result = y.detach().keep();             // survives the scope
 * }                                         // everything else made inside is released here
 * }</pre>
 *
 * <p>Rules: a new tensor belongs to the innermost open scope of the thread that made it (not to the
 * owner of its inputs). {@link Tensor#keep()} hands a tensor to the enclosing scope, or, outside
 * every scope, to the caller, who releases it with {@link Tensor#close()} (a {@link
 * java.lang.ref.Cleaner} releases tensors that nobody closed once they become unreachable).
 * Gradients accumulated into {@link Tensor#grad()} belong to their tensor. Scopes nest, are
 * confined to the thread that opened them, and closing an outer scope closes inner ones still open.
 */
public final class TensorScope implements AutoCloseable {
  private static final Tensor[] NO_TENSORS = new Tensor[0];
  private final ThreadState state;
  private TensorScope parent;
  private final Thread thread;
  private Tensor[] tensors;
  private int size;
  private boolean closed;
  /** An internal scope ({@link #openPooled()}) that goes back to its thread's pool when closed. */
  private final boolean pooled;
  /** For a pooled scope: the grad mode to restore when it closes. */
  private boolean gradBefore;

  private TensorScope(ThreadState state, boolean pooled) {
    this.state = state;
    this.thread = Thread.currentThread();
    this.pooled = pooled;
    reopen();
  }

  private void reopen() {
    parent = state.scope;
    tensors = state.takeScopeArray();
    size = 0;
    closed = false;
    state.scope = this;
  }

  /** Opens a scope on the calling thread; it becomes the owner of the tensors made until it closes. */
  public static TensorScope open() {
    return new TensorScope(ThreadState.current(), false);
  }

  /**
   * A scope for vectorgrad's own use whose object is reused (a backward pass opens one per call),
   * with grad mode off until it closes (as {@link GradMode#noGrad()} inside it): the caller ends it
   * with {@link #closePooled()} and must not keep the reference afterwards.
   */
  static TensorScope openPooled() {
    ThreadState state = ThreadState.current();
    TensorScope s = state.takeScope();
    if (s == null) s = new TensorScope(state, true);
    else s.reopen();
    s.gradBefore = state.gradEnabled;
    state.gradEnabled = false;
    return s;
  }

  /** The innermost open scope of the calling thread, or null. */
  static TensorScope current(ThreadState state) {
    return state.scope;
  }

  /** Whether this is an internal scope ({@link #openPooled()}: a backward pass's), not one a user opened. */
  boolean internal() {
    return pooled;
  }

  /**
   * Whether all {@code holders} holders of {@code s} are tensors this scope owns, found among the
   * last {@code window} it registered (a bounded look: false when they are further back).
   */
  boolean ownsAllHolders(Storage s, int holders, int window) {
    int found = 0;
    for (int i = size - 1; i >= Math.max(0, size - window) && found < holders; i--) {
      Tensor t = tensors[i];
      if (t.storageIs(s) && t.ownedBy(this)) found++;
    }
    return found == holders;
  }

  TensorScope parent() {
    return parent;
  }

  void register(Tensor t) {
    if (size == tensors.length) tensors = Arrays.copyOf(tensors, Math.max(8, size * 2));
    tensors[size++] = t;
  }

  /** Number of tensors this scope still owns and has not closed. */
  public int ownedTensors() {
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (tensors[i].ownedBy(this)) n++;
    }
    return n;
  }

  /** Whether this scope was closed (and the tensors it owned released). */
  public boolean isClosed() {
    return closed;
  }

  /** Closes every tensor this scope still owns (and inner scopes left open). Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException("a TensorScope must be closed by the thread that opened it ("
          + thread.getName() + "), not by " + Thread.currentThread().getName());
    }
    while (state.scope != null && state.scope != this && isAncestorOf(state.scope)) {
      state.scope.close();
    }
    closed = true;
    // Newest first, as try-with-resources closes: a pending result (fusion) is dropped uncomputed
    // before its inputs close; an input closed first would compute its pending readers for nothing.
    for (int i = size - 1; i >= 0; i--) {
      Tensor t = tensors[i];
      tensors[i] = null;
      if (t.ownedBy(this)) t.closeWith(state.context);
    }
    size = 0;
    if (state.scope == this) state.scope = parent;
    state.giveScopeArray(tensors);
    tensors = NO_TENSORS;
  }

  /** Closes a scope from {@link #openPooled()} and hands it back to its thread for reuse. */
  void closePooled() {
    state.gradEnabled = gradBefore;
    close();
    if (pooled && closed && Thread.currentThread() == thread) {
      parent = null;
      state.giveScope(this);
    }
  }

  private boolean isAncestorOf(TensorScope s) {
    for (TensorScope p = s.parent; p != null; p = p.parent) {
      if (p == this) return true;
    }
    return false;
  }
}
