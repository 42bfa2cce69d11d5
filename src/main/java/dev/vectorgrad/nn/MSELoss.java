package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** The squared error {@code (input - target)^2}, reduced (see {@link Functional#mseLoss(Tensor, Tensor, String)}). PyTorch equivalent: {@code torch.nn.MSELoss}. */
public class MSELoss extends Loss {
  /** Mean reduction. PyTorch: {@code nn.MSELoss()}. */
  public MSELoss() {
    this("mean");
  }

  /** PyTorch: {@code nn.MSELoss(reduction=...)}. */
  public MSELoss(String reduction) {
    super(reduction);
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.mse(input, target, reduction());
  }
}
