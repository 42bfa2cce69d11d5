package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Squared error below {@code delta}, scaled absolute error above (see {@link Functional#huberLoss(Tensor, Tensor, String, double)}). PyTorch equivalent: {@code torch.nn.HuberLoss}. */
public class HuberLoss extends Loss {
  private final double delta;

  /** Mean reduction, delta 1. PyTorch: {@code nn.HuberLoss()}. */
  public HuberLoss() {
    this("mean", 1.0);
  }

  /** PyTorch: {@code nn.HuberLoss(reduction=..., delta=...)}. */
  public HuberLoss(String reduction, double delta) {
    super(reduction);
    this.delta = delta;
  }

  /** PyTorch: {@code loss.delta}. */
  public double delta() {
    return delta;
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.huber(input, target, reduction(), delta);
  }
}
