package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Negative log likelihood of log-probabilities at int64 class indices, with class weights (a buffer named {@code weight}) and an ignored index (see {@link Functional#nllLoss(Tensor, Tensor, Tensor, long, String)}). PyTorch equivalent: {@code torch.nn.NLLLoss}. */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class NLLLoss extends Loss {
  private final long ignoreIndex;

  /** Mean reduction, no weights, ignore_index -100. PyTorch: {@code nn.NLLLoss()}. */
  public NLLLoss() {
    this(null, -100, "mean");
  }

  /** PyTorch: {@code nn.NLLLoss(weight, ignore_index=..., reduction=...)} ({@code weight} may be null). */
  public NLLLoss(Tensor weight, long ignoreIndex, String reduction) {
    super(reduction);
    registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
  }

  /** PyTorch: {@code loss.ignore_index}. */
  public long ignoreIndex() {
    return ignoreIndex;
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.nll(input, target, buffer("weight"), ignoreIndex, reduction());
  }
}
