package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Squared error below {@code beta}, absolute error above (see {@link Functional#smoothL1Loss(Tensor, Tensor, String, double)}). PyTorch equivalent: {@code torch.nn.SmoothL1Loss}. */
public class SmoothL1Loss extends Loss {
  private final double beta;

  /** Mean reduction, beta 1. PyTorch: {@code nn.SmoothL1Loss()}. */
  public SmoothL1Loss() {
    this("mean", 1.0);
  }

  /** PyTorch: {@code nn.SmoothL1Loss(reduction=..., beta=...)}. */
  public SmoothL1Loss(String reduction, double beta) {
    super(reduction);
    this.beta = beta;
  }

  /** PyTorch: {@code loss.beta}. */
  public double beta() {
    return beta;
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.smoothL1(input, target, reduction(), beta);
  }
}
