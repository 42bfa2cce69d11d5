package dev.vectorgrad.autograd;

import dev.vectorgrad.Tensor;

/**
 * A tensor an op keeps for its derivative, with the version it had when saved. PyTorch
 * equivalent: {@code SavedVariable}. Unpacking checks that the tensor was not modified in place
 * since (PyTorch's version counter check) and that the graph was not freed by an earlier backward.
 */
public final class SavedTensor {
  private Tensor tensor;
  private final long savedVersion;
  /**
   * For an op's own output, the op's node; null for an input. PyTorch's version error names the
   * saving node for outputs and the tensor's current {@code gradFn} for inputs.
   */
  private final Node producer;

  /** Saves an input of an op. */
  public SavedTensor(Tensor tensor) {
    this(tensor, null);
  }

  /** Saves an output of the op whose node is {@code producer} (saved before the output's history is set). */
  public SavedTensor(Tensor tensor, Node producer) {
    this.tensor = tensor;
    this.savedVersion = tensor.version();
    this.producer = producer;
  }

  /** The saved tensor, after checking it may still be used. */
  public Tensor get() {
    Tensor t = tensor;
    if (t == null) throw new IllegalStateException(Node.BACKWARD_TWICE_MESSAGE);
    if (t.isClosed()) {
      throw new IllegalStateException("a tensor saved for backward was closed before backward() ran: "
          + "keep() it out of its TensorScope or call backward() inside the scope");
    }
    long now = t.version();
    if (now != savedVersion) {
      String shape = java.util.Arrays.toString(t.shape());
      throw new IllegalStateException("one of the variables needed for gradient computation has been "
          + "modified by an inplace operation: [" + t.dtype().legacyTypeName() + " " + shape + "]"
          + (namedNode(t) != null ? ", which is output 0 of " + namedNode(t).qualifiedName() + "," : "")
          + " is at version " + now + "; expected version " + savedVersion + " instead. Hint: enable "
          + "anomaly detection to find the operation that failed to compute its gradient, with "
          + "torch.autograd.set_detect_anomaly(True).");
    }
    return t;
  }

  private Node namedNode(Tensor t) {
    return producer != null ? producer : t.gradFn();
  }

  /** Forgets the tensor (the graph was freed). */
  public void release() {
    tensor = null;
  }
}
