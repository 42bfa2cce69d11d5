package dev.vectorgrad.nn;

import dev.vectorgrad.Activations;
import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;

/**
 * Stateless functions of {@code torch.nn.functional}: activations, (log-)softmax, dropout,
 * normalizations, embedding lookups and the losses. Each records the graph PyTorch records: one
 * node where PyTorch runs a fused kernel ({@code ReluBackward0}, {@code NllLossBackward0} under
 * {@code LogSoftmaxBackward0} for cross entropy, {@code NativeLayerNormBackward0},
 * {@code EmbeddingBackward0}, ...), the composed ops' nodes where PyTorch composes (dropout's
 * {@code MulBackward0}, {@code l1_loss}). Reductions are PyTorch's strings {@code "mean"} (the
 * default), {@code "sum"} and {@code "none"}.
 */
public final class Functional {
  private Functional() {}

  /** {@code x @ weight^T + bias} (bias may be null). PyTorch: {@code F.linear(x, weight, bias)} ({@code AddmmBackward0} for a matrix input). */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return Activations.linear(x, weight, bias);
  }

  /** {@code max(x, 0)}. PyTorch: {@code F.relu(x)}. */
  public static Tensor relu(Tensor x) {
    return x.relu();
  }

  /** {@code x} where positive, else {@code negativeSlope * x}. PyTorch: {@code F.leaky_relu(x, negative_slope)}. */
  public static Tensor leakyRelu(Tensor x, double negativeSlope) {
    return Activations.leakyRelu(x, negativeSlope);
  }

  /** {@link #leakyRelu(Tensor, double)} with PyTorch's default slope 0.01. PyTorch: {@code F.leaky_relu(x)}. */
  public static Tensor leakyRelu(Tensor x) {
    return Activations.leakyRelu(x, 0.01);
  }

  /** {@code x} where positive, else {@code alpha * (exp(x) - 1)}. PyTorch: {@code F.elu(x, alpha)}. */
  public static Tensor elu(Tensor x, double alpha) {
    return Activations.elu(x, alpha);
  }

  /** {@link #elu(Tensor, double)} with alpha 1. PyTorch: {@code F.elu(x)}. */
  public static Tensor elu(Tensor x) {
    return Activations.elu(x, 1.0);
  }

  /** {@code x * Phi(x)} with the exact (erf) Gaussian CDF. PyTorch: {@code F.gelu(x)}. */
  public static Tensor gelu(Tensor x) {
    return Activations.gelu(x, false);
  }

  /**
   * GELU with {@code approximate} = {@code "none"} (erf form) or {@code "tanh"}.
   * PyTorch: {@code F.gelu(x, approximate=...)}.
   *
   * @throws IllegalArgumentException for another value, with PyTorch's message
   */
  public static Tensor gelu(Tensor x, String approximate) {
    return switch (approximate) {
      case "none" -> Activations.gelu(x, false);
      case "tanh" -> Activations.gelu(x, true);
      default -> throw new IllegalArgumentException("approximate argument must be either none or tanh.");
    };
  }

  /** {@code x * sigmoid(x)}. PyTorch: {@code F.silu(x)}. */
  public static Tensor silu(Tensor x) {
    return Activations.silu(x);
  }

  /** {@code x * tanh(softplus(x))}. PyTorch: {@code F.mish(x)}. */
  public static Tensor mish(Tensor x) {
    return Activations.mish(x);
  }

  /** {@code log(1 + exp(beta x)) / beta}, linear where {@code beta x > threshold}. PyTorch: {@code F.softplus(x, beta, threshold)}. */
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    return Activations.softplus(x, beta, threshold);
  }

  /** {@link #softplus(Tensor, double, double)} with beta 1, threshold 20. PyTorch: {@code F.softplus(x)}. */
  public static Tensor softplus(Tensor x) {
    return Activations.softplus(x, 1, 20);
  }

  /** {@code x} clamped to [minVal, maxVal]. PyTorch: {@code F.hardtanh(x, min_val, max_val)}. */
  public static Tensor hardtanh(Tensor x, double minVal, double maxVal) {
    return Activations.hardtanh(x, minVal, maxVal);
  }

  /** {@code x} clamped to [-1, 1]. PyTorch: {@code F.hardtanh(x)}. */
  public static Tensor hardtanh(Tensor x) {
    return Activations.hardtanh(x, -1, 1);
  }

  /** The logistic sigmoid. PyTorch: {@code F.sigmoid(x)} / {@code torch.sigmoid}. */
  public static Tensor sigmoid(Tensor x) {
    return x.sigmoid();
  }

  /** The hyperbolic tangent. PyTorch: {@code F.tanh(x)} / {@code torch.tanh}. */
  public static Tensor tanh(Tensor x) {
    return x.tanh();
  }

  /** Softmax along {@code dim}. PyTorch: {@code F.softmax(x, dim)}. */
  public static Tensor softmax(Tensor x, int dim) {
    return x.softmax(dim);
  }

  /** Log-softmax along {@code dim}. PyTorch: {@code F.log_softmax(x, dim)}. */
  public static Tensor logSoftmax(Tensor x, int dim) {
    return x.logSoftmax(dim);
  }

  // ------------------------------------------------------------------------------------------ dropout, normalization, embedding

  /**
   * In training, zeroes each element with probability {@code p} (drawn from the default
   * generator) and scales the others by {@code 1 / (1 - p)}; returns {@code x} itself when not
   * training, when {@code p} is 0 or {@code x} is empty; {@code p} = 1 gives zeros.
   * PyTorch: {@code F.dropout(x, p, training)}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= p <= 1} (PyTorch's message)
   */
  public static Tensor dropout(Tensor x, double p, boolean training) {
    return NnOps.dropout(x, p, training, null);
  }

  /** {@link #dropout(Tensor, double, boolean)} drawing from {@code generator} (null: the default one). PyTorch: {@code F.dropout}. */
  public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
    return NnOps.dropout(x, p, training, generator);
  }

  /** {@link #dropout(Tensor, double, boolean)} in training mode. PyTorch: {@code F.dropout(x, p)}. */
  public static Tensor dropout(Tensor x, double p) {
    return NnOps.dropout(x, p, true, null);
  }

  /**
   * Normalizes over the trailing {@code normalizedShape} dims ({@code (x - mean) / sqrt(var + eps)},
   * biased variance), then scales by {@code weight} and shifts by {@code bias} (either may be null).
   * PyTorch: {@code F.layer_norm(x, normalized_shape, weight, bias, eps)}.
   *
   * @throws IllegalArgumentException when the input's trailing dims or the weight's shape differ (PyTorch's messages)
   */
  public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    return NnOps.layerNorm(x, normalizedShape.clone(), weight, bias, eps);
  }

  /** {@link #layerNorm(Tensor, long[], Tensor, Tensor, double)} with eps 1e-5. PyTorch: {@code F.layer_norm(x, shape, weight, bias)}. */
  public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias) {
    return NnOps.layerNorm(x, normalizedShape.clone(), weight, bias, 1e-5);
  }

  /**
   * Batch normalization over every dim but 1: in training with the batch's mean and biased
   * variance, updating {@code runningMean}/{@code runningVar} in place when given ({@code (1 -
   * momentum) running + momentum * batch}, the variance unbiased); otherwise with the running
   * statistics. {@code weight}/{@code bias} may be null.
   * PyTorch: {@code F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)}.
   *
   * @throws IllegalArgumentException for one value per channel in training, or statistics of the wrong size (PyTorch's messages)
   */
  public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                 boolean training, double momentum, double eps) {
    return NnOps.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
  }

  /**
   * The rows of {@code weight} at the int64 {@code indices}: shape {@code indices.shape() + [dim]}.
   * PyTorch: {@code F.embedding(indices, weight)}.
   *
   * @throws IndexOutOfBoundsException for an index outside the table ("index out of range in self")
   */
  public static Tensor embedding(Tensor indices, Tensor weight) {
    return NnOps.embedding(indices, weight, null);
  }

  /**
   * {@link #embedding(Tensor, Tensor)} where rows looked up at {@code paddingIdx} (negative counts
   * from the end) pass no gradient to the table. PyTorch: {@code F.embedding(indices, weight, padding_idx)}.
   */
  public static Tensor embedding(Tensor indices, Tensor weight, long paddingIdx) {
    return NnOps.embedding(indices, weight, paddingIdx);
  }

  // ------------------------------------------------------------------------------------------ losses

  /** Mean squared error. PyTorch: {@code F.mse_loss(input, target)}. */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    return Losses.mse(input, target, "mean");
  }

  /**
   * Squared error {@code (input - target)^2} (broadcast), reduced by {@code reduction}.
   * PyTorch: {@code F.mse_loss(input, target, reduction=...)}.
   *
   * @throws IllegalArgumentException for an unknown reduction (PyTorch's message)
   */
  public static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
    return Losses.mse(input, target, reduction);
  }

  /** Mean absolute error. PyTorch: {@code F.l1_loss(input, target)}. */
  public static Tensor l1Loss(Tensor input, Tensor target) {
    return Losses.l1(input, target, "mean");
  }

  /** Absolute error {@code |input - target|}, reduced. PyTorch: {@code F.l1_loss(input, target, reduction=...)}. */
  public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
    return Losses.l1(input, target, reduction);
  }

  /** {@link #smoothL1Loss(Tensor, Tensor, String, double)} with mean reduction and beta 1. PyTorch: {@code F.smooth_l1_loss(input, target)}. */
  public static Tensor smoothL1Loss(Tensor input, Tensor target) {
    return Losses.smoothL1(input, target, "mean", 1.0);
  }

  /**
   * {@code 0.5 d^2 / beta} where {@code |d| < beta}, else {@code |d| - 0.5 beta} ({@code d = input - target};
   * beta 0 is the L1 loss), reduced. PyTorch: {@code F.smooth_l1_loss(input, target, reduction=..., beta=...)}.
   *
   * @throws IllegalArgumentException for a negative beta or an unknown reduction (PyTorch's messages)
   */
  public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
    return Losses.smoothL1(input, target, reduction, beta);
  }

  /** {@link #huberLoss(Tensor, Tensor, String, double)} with mean reduction and delta 1. PyTorch: {@code F.huber_loss(input, target)}. */
  public static Tensor huberLoss(Tensor input, Tensor target) {
    return Losses.huber(input, target, "mean", 1.0);
  }

  /**
   * {@code 0.5 d^2} where {@code |d| < delta}, else {@code delta (|d| - 0.5 delta)}, reduced.
   * PyTorch: {@code F.huber_loss(input, target, reduction=..., delta=...)}.
   *
   * @throws IllegalArgumentException for a delta that is not positive or an unknown reduction (PyTorch's messages)
   */
  public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
    return Losses.huber(input, target, reduction, delta);
  }

  /**
   * Cross entropy of logits (class dim 1, or 0 for a 1-D input) against int64 class indices,
   * averaged. PyTorch: {@code F.cross_entropy(input, target)}.
   *
   * @throws IndexOutOfBoundsException for a class index outside [0, C) ("Target 5 is out of bounds.")
   * @throws IllegalArgumentException for target shapes or dtypes PyTorch refuses (its messages)
   */
  public static Tensor crossEntropy(Tensor input, Tensor target) {
    return Losses.crossEntropy(input, target, null, -100, "mean", 0.0);
  }

  /** {@link #crossEntropy(Tensor, Tensor)} with a reduction. PyTorch: {@code F.cross_entropy(input, target, reduction=...)}. */
  public static Tensor crossEntropy(Tensor input, Tensor target, String reduction) {
    return Losses.crossEntropy(input, target, null, -100, reduction, 0.0);
  }

  /**
   * Cross entropy with every option: per-class {@code weight} (null for none), targets equal to
   * {@code ignoreIndex} contributing nothing (PyTorch's default -100), {@code reduction}, and
   * {@code labelSmoothing} in [0, 1] (the target mixed with the uniform distribution). A floating
   * point target of the input's shape holds class probabilities (ignoreIndex must then be negative).
   * "mean" divides by the summed weights of the counted targets (NaN when there are none).
   * PyTorch: {@code F.cross_entropy(input, target, weight, ignore_index=..., reduction=..., label_smoothing=...)}.
   *
   * @throws IndexOutOfBoundsException for a class index outside [0, C) that is not ignoreIndex
   * @throws IllegalArgumentException for shapes, dtypes or options PyTorch refuses (its messages)
   */
  public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction,
                                    double labelSmoothing) {
    return Losses.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
  }

  /** Negative log likelihood of log-probabilities at int64 class indices, averaged. PyTorch: {@code F.nll_loss(input, target)}. */
  public static Tensor nllLoss(Tensor input, Tensor target) {
    return Losses.nll(input, target, null, -100, "mean");
  }

  /** {@link #nllLoss(Tensor, Tensor)} with a reduction. PyTorch: {@code F.nll_loss(input, target, reduction=...)}. */
  public static Tensor nllLoss(Tensor input, Tensor target, String reduction) {
    return Losses.nll(input, target, null, -100, reduction);
  }

  /**
   * {@code -weight[t] * input[n, t]} per target (class dim 1, or 0 for a 1-D input, any number of
   * further dims), ignoring targets equal to {@code ignoreIndex}; "mean" divides by the summed
   * weights of the counted targets. PyTorch: {@code F.nll_loss(input, target, weight, ignore_index=..., reduction=...)}.
   *
   * @throws IndexOutOfBoundsException for a class index outside [0, C) that is not ignoreIndex
   * @throws IllegalArgumentException for shapes or dtypes PyTorch refuses (its messages)
   */
  public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
    return Losses.nll(input, target, weight, ignoreIndex, reduction);
  }

  /** Binary cross entropy of probabilities, averaged. PyTorch: {@code F.binary_cross_entropy(input, target)}. */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
    return Losses.binaryCrossEntropy(input, target, null, "mean");
  }

  /**
   * {@code -weight (t log x + (1 - t) log(1 - x))} with the logs clamped at -100, reduced; the
   * gradient is PyTorch's {@code (x - t) / max(x (1 - x), 1e-12)}. {@code weight} (null for none)
   * broadcasts to the input. PyTorch: {@code F.binary_cross_entropy(input, target, weight, reduction=...)}.
   *
   * @throws IllegalArgumentException for a target of another shape or an input outside [0, 1] (PyTorch's messages)
   */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
    return Losses.binaryCrossEntropy(input, target, weight, reduction);
  }

  /** Binary cross entropy of logits, averaged. PyTorch: {@code F.binary_cross_entropy_with_logits(input, target)}. */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    return Losses.binaryCrossEntropyWithLogits(input, target, null, null, "mean");
  }

  /**
   * {@code -weight (posWeight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))}, computed stably,
   * reduced; {@code weight} and {@code posWeight} (per class, broadcast along the last dim) may be
   * null. PyTorch: {@code F.binary_cross_entropy_with_logits(input, target, weight, reduction=..., pos_weight=...)}.
   *
   * @throws IllegalArgumentException for a target of another shape (PyTorch's message)
   */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                                    String reduction) {
    return Losses.binaryCrossEntropyWithLogits(input, target, weight, posWeight, reduction);
  }
}
