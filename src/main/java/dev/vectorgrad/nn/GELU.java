package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/**
 * Applies the Gaussian error linear unit elementwise: {@code x * Phi(x)} ({@code approximate =
 * "none"}, with erf) or its tanh approximation ({@code "tanh"}). PyTorch equivalent: {@code torch.nn.GELU}.
 */
public class GELU extends Module {
  private final String approximate;

  /** The exact (erf) form. PyTorch: {@code nn.GELU()}. */
  public GELU() {
    this("none");
  }

  /** PyTorch: {@code nn.GELU(approximate=...)}; a value other than "none" or "tanh" is refused by {@link #forward}, as in PyTorch. */
  public GELU(String approximate) {
    this.approximate = approximate;
  }

  /** "none" or "tanh". PyTorch: {@code gelu.approximate}. */
  public String approximate() {
    return approximate;
  }

  /**
   * PyTorch: {@code gelu(x)}.
   *
   * @throws IllegalArgumentException unless {@code approximate} is "none" or "tanh" (PyTorch's message)
   */
  @Override
  public Tensor forward(Tensor x) {
    return Functional.gelu(x, approximate);
  }

  @Override
  protected String extraRepr() {
    return "approximate='" + approximate + "'";
  }
}
