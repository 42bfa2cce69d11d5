package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Applies max(x, 0) elementwise. PyTorch equivalent: {@code torch.nn.ReLU}. */
public class ReLU extends Module {
  /** PyTorch: {@code nn.ReLU()}. */
  public ReLU() {}

  /** PyTorch: {@code relu(x)}. */
  @Override
  public Tensor forward(Tensor x) {
    return x.relu();
  }
}
