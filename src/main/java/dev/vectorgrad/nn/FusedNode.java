package dev.vectorgrad.nn;

import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.autograd.SavedTensor;
import dev.vectorgrad.internal.Internals;

/**
 * The one node PyTorch records for a fused kernel ({@code NllLossBackward0}, {@code MseLossBackward0},
 * {@code NativeLayerNormBackward0}, {@code EmbeddingBackward0}, ...): the result is computed without
 * recording, then this node is attached with PyTorch's derivative of each differentiable input,
 * written out as in PyTorch's backward formulas. One node instead of the five to ten a composition
 * would record: PyTorch's graph and names, and less work per training step.
 */
final class FusedNode extends Node {
  /** The gradient of input {@code i} given the loss's gradient {@code g} and the saved tensors. */
  @FunctionalInterface
  interface Derivative {
    Tensor grad(int i, Tensor g, Tensor[] saved);
  }

  private final String name;
  private final SavedTensor[] saved;
  private final Derivative derivative;

  private FusedNode(String name, Node[] edges, Tensor[] saved, Derivative derivative) {
    super(edges);
    this.name = name;
    this.saved = new SavedTensor[saved.length];
    for (int i = 0; i < saved.length; i++) this.saved[i] = saved[i] == null ? null : new SavedTensor(saved[i]);
    this.derivative = derivative;
  }

  /**
   * Attaches a {@code name} node to {@code value} (computed under no-grad from {@code inputs}) when
   * grad mode is on and one of the differentiable {@code inputs} (null entries allowed: absent
   * inputs keep their slot as a null edge) requires grad. Returns value.
   */
  static Tensor record(String name, Tensor value, Tensor[] inputs, Tensor[] saved, Derivative derivative) {
    if (!GradMode.isEnabled()) return value;
    boolean any = false;
    for (Tensor t : inputs) any |= t != null && t.requiresGrad();
    if (!any) return value;
    Internals.TensorAccess access = Internals.tensors();
    Node[] edges = new Node[inputs.length];
    for (int i = 0; i < inputs.length; i++) edges[i] = inputs[i] == null ? null : access.gradEdge(inputs[i]);
    access.setHistory(value, new FusedNode(name, edges, saved, derivative));
    return value;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  protected Tensor[] apply(Tensor g) {
    Tensor[] values = new Tensor[saved.length];
    for (int i = 0; i < saved.length; i++) values[i] = saved[i] == null ? null : saved[i].get();
    Tensor[] grads = new Tensor[inputCount(this)];
    for (int i = 0; i < grads.length; i++) {
      if (needsInputGrad(i)) grads[i] = derivative.grad(i, g, values);
    }
    return grads;
  }

  @Override
  protected void releaseSaved() {
    for (SavedTensor s : saved) {
      if (s != null) s.release();
    }
  }
}
