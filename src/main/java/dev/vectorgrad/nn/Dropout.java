package dev.vectorgrad.nn;

import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;

/**
 * In training mode, zeroes each element with probability {@code p} and scales the rest by
 * {@code 1 / (1 - p)}; the identity in evaluation mode. PyTorch equivalent: {@code torch.nn.Dropout}.
 * Draws from the default generator, or the one given (vectorgrad's streams, not PyTorch's).
 */
public class Dropout extends Module {
  private final double p;
  private final Generator generator;

  /** p = 0.5. PyTorch: {@code nn.Dropout()}. */
  public Dropout() {
    this(0.5, null);
  }

  /**
   * PyTorch: {@code nn.Dropout(p)}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= p <= 1} (PyTorch's message)
   */
  public Dropout(double p) {
    this(p, null);
  }

  /** Drawing the masks from {@code generator} (null: the default one). PyTorch: {@code nn.Dropout(p)}. */
  public Dropout(double p, Generator generator) {
    NnOps.checkDropout(p);
    this.p = p;
    this.generator = generator;
  }

  /** The drop probability. PyTorch: {@code dropout.p}. */
  public double p() {
    return p;
  }

  /** PyTorch: {@code dropout(x)} ({@code F.dropout(x, p, self.training)}). */
  @Override
  public Tensor forward(Tensor x) {
    return NnOps.dropout(x, p, isTraining(), generator);
  }

  @Override
  protected String extraRepr() {
    return "p=" + Repr.pyFloat(p) + ", inplace=False";
  }
}
