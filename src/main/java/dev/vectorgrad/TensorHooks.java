package dev.vectorgrad;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The hooks registered on one tensor by {@link Tensor#registerHook}, in registration order: PyTorch
 * 1.13's {@code tensor._backward_hooks} dict, with its rules.
 *
 * <ul>
 *   <li>The whole list is one pre-hook of the node the tensor has when its first hook is registered:
 *       its {@code gradFn}, or a leaf's accumulator (so a leaf's hooks run before its gradient is
 *       added into {@code grad}, and a hook that throws leaves {@code grad} untouched). Later hooks join
 *       the list where it is, even after an in-place op gave the tensor a new {@code gradFn} (they then
 *       see the gradient of the value before the write, as in 1.13); {@link Tensor#retainGrad()}
 *       called after the first hook therefore keeps the hooked gradient, called before it the
 *       unhooked one.
 *   <li>Each hook sees the previous one's result; a non-null result must have the gradient's dtype
 *       and shape (PyTorch's messages, the type checked first).
 *   <li>A leaf's hooks do not run while it does not require grad ({@code requires_grad_(False)} after the
 *       graph was recorded), as its gradient is then not accumulated either.
 *   <li>A run takes a snapshot of the list: hooks removed or added meanwhile take effect the next time
 *       backward reaches the tensor (1.13 iterates over a copy of {@code dict.values()}).
 * </ul>
 */
final class TensorHooks implements UnaryOperator<Tensor> {
  /** One registration (the same hook registered twice is two entries, each removed by its own handle). */
  private record Entry(UnaryOperator<Tensor> hook) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  private static final Entry[] NONE = {};
  /** Copy-on-write: a run iterates over the array it read. */
  private volatile Entry[] entries = NONE;
  /** For a leaf's hooks: the leaf, whose hooks run only while it requires grad (as its accumulator); else null. */
  private final Tensor leaf;

  private TensorHooks(Tensor leaf) {
    this.leaf = leaf;
  }

  /** {@link Tensor#registerHook}: adds {@code hook} to {@code t}'s list, registering the list on first use. */
  static RemovableHandle register(Tensor t, UnaryOperator<Tensor> hook) {
    Objects.requireNonNull(hook, "hook");
    t.ensureOpen();
    if (!t.requiresGrad()) {
      throw new IllegalStateException("cannot register a hook on a tensor that doesn't require gradient");
    }
    TensorHooks list;
    synchronized (t) {
      Tensor.Rare r = t.rare();
      list = r.hooks;
      if (list == null) {
        r.hooks = list = new TensorHooks(t.gradFn() == null ? t : null);
        t.gradEdge().registerReplacingPreHook(list);   // gradFn, or the leaf's accumulator
      }
    }
    Entry entry = new Entry(hook);
    list.add(entry);
    TensorHooks owner = list;
    return new RemovableHandle(() -> owner.remove(entry));
  }

  private synchronized void add(Entry entry) {
    Entry[] grown = Arrays.copyOf(entries, entries.length + 1);
    grown[grown.length - 1] = entry;
    entries = grown;
  }

  private synchronized void remove(Entry entry) {
    Entry[] old = entries;
    for (int i = 0; i < old.length; i++) {
      if (old[i] == entry) {
        Entry[] shrunk = new Entry[old.length - 1];
        System.arraycopy(old, 0, shrunk, 0, i);
        System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
        entries = shrunk;
        return;
      }
    }
  }

  /** Runs the hooks on {@code grad} (the engine calls this as the node's pre-hook); returns the gradient that flows on. */
  @Override
  public Tensor apply(Tensor grad) {
    Entry[] run = entries;
    // a leaf switched to requires_grad=False after the graph was recorded takes no gradient, and its hooks do not run
    if (run.length == 0 || leaf != null && !leaf.requiresGrad()) return null;
    // the implicit gradient of a 0-dim output is one shared constant (or a view of it): a hook that wrongly writes
    // into its argument must not change every later backward
    if (Tensor.sharesUnitGrad(grad)) grad = grad.clone();
    for (Entry e : run) {
      Tensor replaced = e.hook.apply(grad);
      if (replaced != null) {
        checkResult(e.hook, grad, replaced);
        grad = replaced;
      }
    }
    return grad;
  }

  /** PyTorch's {@code check_single_result}: the same type (dtype), then the same size. */
  private static void checkResult(Object hook, Tensor grad, Tensor result) {
    result.ensureOpen();
    if (result.dtype() != grad.dtype()) {
      throw new IllegalStateException("hook '" + name(hook) + "' has changed the type of value (was "
          + typeName(grad.dtype()) + " got " + typeName(result.dtype()) + ")");
    }
    if (!Arrays.equals(result.shape(), grad.shape())) {
      throw new IllegalStateException("hook '" + name(hook) + "' has changed the size of value");
    }
  }

  /** What PyTorch's message calls the hook: its name, {@code <lambda>} for a lambda (Python's name for one). */
  static String name(Object hook) {
    Class<?> c = hook.getClass();
    if (c.isHidden() || c.isSynthetic() || c.isAnonymousClass()) return "<lambda>";
    return c.getSimpleName();
  }

  /** PyTorch's CPU tensor type names ({@code Tensor.toString()}; bool's is {@code CPUBoolType} in 1.13). */
  static String typeName(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> "torch.FloatTensor";
      case FLOAT64 -> "torch.DoubleTensor";
      case INT64 -> "torch.LongTensor";
      case BOOL -> "CPUBoolType";
    };
  }
}
