package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/**
 * Normalizes over the trailing {@code normalizedShape} dims of each input ({@code (x - mean) /
 * sqrt(var + eps)} with the biased variance), then applies a learned elementwise scale
 * ({@code weight}, ones) and shift ({@code bias}, zeros). PyTorch equivalent: {@code torch.nn.LayerNorm}.
 *
 * <p>The forward pass is a composition of recorded ops (mean, sub, square, rsqrt, mul, add)
 * rather than PyTorch's fused {@code native_layer_norm}: values and gradients are PyTorch's, but
 * the graph shows those ops where PyTorch records {@code NativeLayerNormBackward0}.
 */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class LayerNorm extends Module {
  private final long[] normalizedShape;
  private final double eps;
  private final boolean elementwiseAffine;

  /** eps 1e-5 with a learned scale and shift. PyTorch: {@code nn.LayerNorm(normalized_shape)}. */
  public LayerNorm(long... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  /** PyTorch: {@code nn.LayerNorm(normalized_shape, eps, elementwise_affine)}. */
  public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    registerParameter("weight", elementwiseAffine ? Tensor.ones(normalizedShape) : null);
    registerParameter("bias", elementwiseAffine ? Tensor.zeros(normalizedShape) : null);
  }

  /** The scale, or null without affine parameters. PyTorch: {@code ln.weight}. */
  public Tensor weight() {
    return param("weight");
  }

  /** The shift, or null without affine parameters. PyTorch: {@code ln.bias}. */
  public Tensor bias() {
    return param("bias");
  }

  /** PyTorch: {@code ln.normalized_shape}. */
  public long[] normalizedShape() {
    return normalizedShape.clone();
  }

  /** PyTorch: {@code ln(x)} ({@code F.layer_norm}). */
  @Override
  public Tensor forward(Tensor x) {
    return NnOps.layerNorm(x, normalizedShape, weight(), bias(), eps);
  }

  @Override
  protected String extraRepr() {
    return Repr.pyTuple(normalizedShape) + ", eps=" + Repr.pyFloat(eps) + ", elementwise_affine="
        + Repr.pyBool(elementwiseAffine);
  }
}
