package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Binary cross entropy of probabilities, with an optional weight (a buffer named {@code weight}) (see {@link Functional#binaryCrossEntropy(Tensor, Tensor, Tensor, String)}). PyTorch equivalent: {@code torch.nn.BCELoss}. */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class BCELoss extends Loss {
  /** Mean reduction, no weight. PyTorch: {@code nn.BCELoss()}. */
  public BCELoss() {
    this(null, "mean");
  }

  /** PyTorch: {@code nn.BCELoss(weight, reduction=...)} ({@code weight} may be null). */
  public BCELoss(Tensor weight, String reduction) {
    super(reduction);
    registerBuffer("weight", weight);
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.binaryCrossEntropy(input, target, buffer("weight"), reduction());
  }
}
