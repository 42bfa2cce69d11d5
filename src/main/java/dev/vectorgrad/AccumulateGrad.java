package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;

/**
 * The node behind a leaf that requires grad: adds the incoming gradient into the leaf's
 * {@code grad}. Runs first whenever it is ready, as PyTorch's {@code AccumulateGrad}, whose name
 * it shares.
 *
 * <p>All or nothing per leaf, as PyTorch: a pass delivers each leaf's gradient once, summed over
 * every path, and {@link Tensor#accumulateGrad} makes the one allocation it may need (the copy that
 * becomes a first gradient) before it changes anything, so a pass that fails (a hook, a closed saved
 * tensor, the memory limit) leaves each leaf's {@code grad} either fully updated, if its accumulator
 * ran before the failure, or untouched.
 */
final class AccumulateGrad extends Node {
  private static final Node[] NO_EDGES = new Node[0];
  private static final Tensor[] NO_GRADS = new Tensor[0];
  private final Tensor leaf;

  AccumulateGrad(Tensor leaf) {
    super(Long.MAX_VALUE, NO_EDGES);
    this.leaf = leaf;
  }

  @Override
  public String name() {
    return "AccumulateGrad";
  }

  /** Threads' graphs meet at a shared leaf's accumulator. */
  @Override
  protected boolean sharedAcrossGraphs() {
    return true;
  }

  @Override
  protected Tensor[] apply(Tensor g) {
    // PyTorch's checks, in its order: a leaf that an in-place op through a view has since given a history (its
    // requires_grad switched off first) is refused; one whose requires_grad was switched off takes nothing
    if (leaf.gradFn() != null) throw new IllegalStateException("leaf variable has been moved into the graph interior");
    if (!leaf.requiresGrad()) return NO_GRADS;
    leaf.accumulateGrad(g);
    return NO_GRADS;
  }
}
