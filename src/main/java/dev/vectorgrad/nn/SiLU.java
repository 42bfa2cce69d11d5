package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Applies x * sigmoid(x) (swish) elementwise. PyTorch equivalent: {@code torch.nn.SiLU}. */
public class SiLU extends Module {
  /** PyTorch: {@code nn.SiLU()}. */
  public SiLU() {}

  /** PyTorch: {@code silu(x)}. */
  @Override
  public Tensor forward(Tensor x) {
    return Functional.silu(x);
  }
}
