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

  public SavedTensor(Tensor tensor) {
    this.tensor = tensor;
    this.savedVersion = tensor.version();
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
      Node producer = t.gradFn();
      throw new IllegalStateException("one of the variables needed for gradient computation has been "
          + "modified by an inplace operation: [" + t.dtype().legacyTypeName() + " " + shape + "]"
          + (producer != null ? ", which is output 0 of " + producer.qualifiedName() + "," : "")
          + " is at version " + now + "; expected version " + savedVersion + " instead. Hint: enable "
          + "anomaly detection to find the operation that failed to compute its gradient, with "
          + "torch.autograd.set_detect_anomaly(True).");
    }
    return t;
  }

  /** Forgets the tensor (the graph was freed). */
  public void release() {
    tensor = null;
  }
}
