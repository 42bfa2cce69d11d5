package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Cross entropy of logits against int64 class indices or class probabilities, with class weights (a buffer named {@code weight}), an ignored index and label smoothing (see {@link Functional#crossEntropy(Tensor, Tensor, Tensor, long, String, double)}). PyTorch equivalent: {@code torch.nn.CrossEntropyLoss}. */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class CrossEntropyLoss extends Loss {
  private final long ignoreIndex;
  private final double labelSmoothing;

  /** Mean reduction, no weights, ignore_index -100, no smoothing. PyTorch: {@code nn.CrossEntropyLoss()}. */
  public CrossEntropyLoss() {
    this(null, -100, "mean", 0.0);
  }

  /** PyTorch: {@code nn.CrossEntropyLoss(reduction=...)}. */
  public CrossEntropyLoss(String reduction) {
    this(null, -100, reduction, 0.0);
  }

  /** PyTorch: {@code nn.CrossEntropyLoss(weight, ignore_index=..., reduction=..., label_smoothing=...)} ({@code weight} may be null). */
  public CrossEntropyLoss(Tensor weight, long ignoreIndex, String reduction, double labelSmoothing) {
    super(reduction);
    registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }

  /** PyTorch: {@code loss.ignore_index}. */
  public long ignoreIndex() {
    return ignoreIndex;
  }

  /** PyTorch: {@code loss.label_smoothing}. */
  public double labelSmoothing() {
    return labelSmoothing;
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.crossEntropy(input, target, buffer("weight"), ignoreIndex, reduction(), labelSmoothing);
  }
}
