package dev.vectorgrad;

/**
 * The activation functions that PyTorch keeps out of {@code Tensor}'s methods
 * ({@code torch._C._nn}); {@link dev.vectorgrad.nn.Functional} is the place to call them from.
 * Each runs one generated Vector API kernel and records PyTorch's node.
 */
public final class Activations {
  private Activations() {}

  /** {@code x} where positive, else {@code slope * x}. PyTorch: {@code F.leaky_relu(x, slope)} ({@code LeakyReluBackward0}). */
  public static Tensor leakyRelu(Tensor x, double slope) {
    return UnaryOps.leakyRelu(x, slope);
  }

  /** {@code x} where positive, else {@code alpha * (exp(x) - 1)}. PyTorch: {@code F.elu(x, alpha)} ({@code EluBackward0}). */
  public static Tensor elu(Tensor x, double alpha) {
    return UnaryOps.elu(x, alpha);
  }

  /**
   * {@code x * Phi(x)} (erf form), or its tanh approximation when {@code tanh}.
   * PyTorch: {@code F.gelu(x, approximate='none'|'tanh')} ({@code GeluBackward0}).
   */
  public static Tensor gelu(Tensor x, boolean tanh) {
    return UnaryOps.gelu(x, tanh);
  }

  /** {@code x * sigmoid(x)}. PyTorch: {@code F.silu(x)} ({@code SiluBackward0}). */
  public static Tensor silu(Tensor x) {
    return UnaryOps.silu(x);
  }

  /** {@code x * tanh(softplus(x))}. PyTorch: {@code F.mish(x)} ({@code MishBackward0}). */
  public static Tensor mish(Tensor x) {
    return UnaryOps.mish(x);
  }

  /** {@code log(1 + exp(beta x)) / beta}, linear above {@code threshold}. PyTorch: {@code F.softplus(x, beta, threshold)}. */
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    return UnaryOps.softplus(x, beta, threshold);
  }

  /** {@code x} clamped to [min, max], no gradient at the bounds. PyTorch: {@code F.hardtanh(x, min, max)}. */
  public static Tensor hardtanh(Tensor x, double min, double max) {
    return UnaryOps.hardtanh(x, min, max);
  }

  /** {@code x @ weight^T + bias} (bias may be null): addmm for a matrix input. PyTorch: {@code F.linear(x, weight, bias)}. */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return LinearAlgebra.linear(x, weight, bias);
  }
}
