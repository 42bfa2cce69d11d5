package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/**
 * The base of the loss modules: a criterion of an input and a target, reduced by
 * {@code "mean"}, {@code "sum"} or {@code "none"} (checked when called, as PyTorch).
 * PyTorch equivalent: {@code torch.nn.modules.loss._Loss}.
 */
public abstract class Loss extends Module {
  private final String reduction;

  /** A loss with the given reduction. PyTorch: {@code _Loss(reduction=...)}. */
  protected Loss(String reduction) {
    this.reduction = reduction;
  }

  /** "mean", "sum" or "none". PyTorch: {@code loss.reduction}. */
  public String reduction() {
    return reduction;
  }

  /** The loss of {@code input} against {@code target}. PyTorch: {@code loss(input, target)}. */
  public abstract Tensor forward(Tensor input, Tensor target);

  /**
   * Losses take two arguments: use {@link #forward(Tensor, Tensor)}.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public final Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(getName() + ".forward takes an input and a target: call forward(input, target)");
  }
}
