package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Applies the hyperbolic tangent elementwise. PyTorch equivalent: {@code torch.nn.Tanh}. */
public class Tanh extends Module {
  /** PyTorch: {@code nn.Tanh()}. */
  public Tanh() {}

  /** PyTorch: {@code tanh(x)}. */
  @Override
  public Tensor forward(Tensor x) {
    return x.tanh();
  }
}
