package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;

/**
 * The node behind a leaf that requires grad: adds the incoming gradient into the leaf's
 * {@code grad}. Runs first whenever it is ready, as PyTorch's {@code AccumulateGrad}, whose name
 * it shares.
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
    leaf.accumulateGrad(g);
    return NO_GRADS;
  }
}
