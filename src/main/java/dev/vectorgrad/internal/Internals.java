package dev.vectorgrad.internal;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.kernels.ElementKernels;
import java.lang.foreign.MemorySegment;

/**
 * Access to {@link Tensor}'s internals for vectorgrad's own packages outside the root one
 * ({@code nn}, {@code optim}, {@code data}, {@code io}), as the JDK's {@code SharedSecrets}: the
 * root package registers the implementation when {@code Tensor} is initialised. This package is
 * not exported by the module; on the class path it is reachable but NOT an API: it may change in
 * any release.
 */
public final class Internals {
  private Internals() {}

  /** What the other packages may do to a tensor that the public API does not offer. */
  public interface TensorAccess {
    /** The whole storage segment (elements are at {@code offset + sum(index * stride)}). */
    MemorySegment storageSegment(Tensor t);

    /** The element offset of element [0, ..., 0] in the storage segment. */
    long offset(Tensor t);

    /** The tensor's kernels (parallel above the grain). */
    ElementKernels kernels(Tensor t);

    /** Records an in-place modification made directly through the segment (the version counter). */
    void bumpVersion(Tensor t);

    /**
     * Hands {@code t} to no scope: it lives until closed (or released by the Cleaner), whatever
     * {@code TensorScope} was open when it was made. For state that outlives training steps:
     * parameters, gradients, optimizer state, module buffers. Returns t.
     */
    Tensor unscoped(Tensor t);

    /**
     * The edge a new node takes to input {@code t}: its {@code gradFn}, its gradient accumulator
     * when it is a leaf that requires grad, or null when it does not require grad. For fused ops
     * outside the root package that record one node of their own, as PyTorch's {@code NllLossBackward0}.
     */
    Node gradEdge(Tensor t);

    /** Makes {@code node} the {@code gradFn} of {@code out}, an op's fresh floating-point result. */
    void setHistory(Tensor out, Node node);

    /**
     * Opens a scope for a backward pass whose object is reused from pass to pass, with grad mode
     * off until it closes; end it with {@link #closePassScope} (not {@code close()}) and drop the
     * reference.
     */
    TensorScope openPassScope();

    /** Closes a scope from {@link #openPassScope()} and keeps it for the thread's next pass. */
    void closePassScope(TensorScope scope);
  }

  private static volatile TensorAccess tensors;

  /** Called once by {@code Tensor}'s static initialiser. */
  public static void register(TensorAccess access) {
    if (tensors != null) throw new IllegalStateException("tensor access is already registered");
    tensors = access;
  }

  /** The registered access (initialising {@code Tensor} first if needed). */
  public static TensorAccess tensors() {
    TensorAccess a = tensors;
    if (a == null) {
      try {
        Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = tensors;
    }
    return a;
  }
}
