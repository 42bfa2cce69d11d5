package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** The absolute error {@code |input - target|}, reduced (see {@link Functional#l1Loss(Tensor, Tensor, String)}). PyTorch equivalent: {@code torch.nn.L1Loss}. */
public class L1Loss extends Loss {
  /** Mean reduction. PyTorch: {@code nn.L1Loss()}. */
  public L1Loss() {
    this("mean");
  }

  /** PyTorch: {@code nn.L1Loss(reduction=...)}. */
  public L1Loss(String reduction) {
    super(reduction);
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.l1(input, target, reduction());
  }
}
