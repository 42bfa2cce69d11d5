package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Binary cross entropy of logits, computed stably, with optional weight and positive-class weight (buffers {@code weight}, {@code pos_weight}) (see {@link Functional#binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, Tensor, String)}). PyTorch equivalent: {@code torch.nn.BCEWithLogitsLoss}. */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class BCEWithLogitsLoss extends Loss {
  /** Mean reduction, no weights. PyTorch: {@code nn.BCEWithLogitsLoss()}. */
  public BCEWithLogitsLoss() {
    this(null, "mean", null);
  }

  /** PyTorch: {@code nn.BCEWithLogitsLoss(weight, reduction=..., pos_weight=...)} (either weight may be null). */
  public BCEWithLogitsLoss(Tensor weight, String reduction, Tensor posWeight) {
    super(reduction);
    registerBuffer("weight", weight);
    registerBuffer("pos_weight", posWeight);
  }

  /** PyTorch: {@code loss(input, target)}. */
  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.binaryCrossEntropyWithLogits(input, target, buffer("weight"), buffer("pos_weight"), reduction());
  }
}
