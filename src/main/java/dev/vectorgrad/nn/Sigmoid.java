package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Applies the logistic sigmoid elementwise. PyTorch equivalent: {@code torch.nn.Sigmoid}. */
public class Sigmoid extends Module {
  /** PyTorch: {@code nn.Sigmoid()}. */
  public Sigmoid() {}

  /** PyTorch: {@code sigmoid(x)}. */
  @Override
  public Tensor forward(Tensor x) {
    return x.sigmoid();
  }
}
