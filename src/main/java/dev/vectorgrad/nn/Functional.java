package dev.vectorgrad.nn;

import dev.vectorgrad.Activations;
import dev.vectorgrad.Tensor;

/**
 * Stateless functions of {@code torch.nn.functional}: activations and (log-)softmax. Each records
 * PyTorch's backward node, so a network written with them backpropagates as in PyTorch.
 */
public final class Functional {
  private Functional() {}

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
}
