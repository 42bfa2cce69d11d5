package dev.vectorgrad.nn;

import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;

/**
 * A fully connected layer, {@code y = x W^T + b}, with weight {@code (out, in)} and bias
 * {@code (out)} (float32). PyTorch equivalent: {@code torch.nn.Linear}.
 *
 * <p>Initialized as PyTorch's {@code reset_parameters}: the weight by
 * {@code kaiming_uniform_(a = sqrt(5))}, i.e. uniform in {@code ±1/sqrt(in)}, the bias uniform in
 * {@code ±1/sqrt(in)} (0 when {@code in} is 0), drawn from the default generator or the given one.
 */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class Linear extends Module {
  private final long inFeatures;
  private final long outFeatures;

  /** A layer with bias. PyTorch: {@code nn.Linear(in_features, out_features)}. */
  public Linear(long inFeatures, long outFeatures) {
    this(inFeatures, outFeatures, true, null);
  }

  /** PyTorch: {@code nn.Linear(in_features, out_features, bias)}. */
  public Linear(long inFeatures, long outFeatures, boolean bias) {
    this(inFeatures, outFeatures, bias, null);
  }

  /** Initialized from {@code generator} (null: the default one). PyTorch: {@code nn.Linear(in, out, bias)} after {@code torch.manual_seed}. */
  public Linear(long inFeatures, long outFeatures, boolean bias, Generator generator) {
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
    registerParameter("bias", bias ? Tensor.zeros(outFeatures) : null);
    resetParameters(generator);
  }

  /** Draws fresh initial values (PyTorch's scheme, see the class comment). PyTorch: {@code reset_parameters()}. */
  public void resetParameters(Generator generator) {
    Init.kaimingUniform_(weight(), Math.sqrt(5), "fan_in", "leaky_relu", generator);
    Tensor b = bias();
    if (b != null) {
      long fanIn = inFeatures;
      double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      Init.uniform_(b, -bound, bound, generator);
    }
  }

  /** The weight, {@code (out_features, in_features)}. PyTorch: {@code linear.weight}. */
  public Tensor weight() {
    return param("weight");
  }

  /** The bias {@code (out_features)}, or null without one. PyTorch: {@code linear.bias}. */
  public Tensor bias() {
    return param("bias");
  }

  /** PyTorch: {@code linear.in_features}. */
  public long inFeatures() {
    return inFeatures;
  }

  /** PyTorch: {@code linear.out_features}. */
  public long outFeatures() {
    return outFeatures;
  }

  /** {@code x W^T + b} over the last dim of {@code x}. PyTorch: {@code linear(x)} ({@code F.linear}). */
  @Override
  public Tensor forward(Tensor x) {
    return Functional.linear(x, weight(), bias());
  }

  @Override
  protected String extraRepr() {
    return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + Repr.pyBool(bias() != null);
  }
}
