package dev.vectorgrad.nn;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import java.util.Arrays;

/**
 * Dropout, normalizations and embedding lookups behind {@link Functional} and the modules, with
 * PyTorch's checks and messages. Layer norm, batch norm and embedding are computed without
 * recording and get one {@link FusedNode} each, as PyTorch's {@code NativeLayerNormBackward0},
 * {@code NativeBatchNormBackward0} and {@code EmbeddingBackward0}; dropout is PyTorch's
 * composition ({@code MulBackward0}).
 */
final class NnOps {
  private NnOps() {}

  /** PyTorch's {@code F.dropout} on the CPU ({@code _dropout_impl}): {@code x * bernoulli(1 - p) / (1 - p)}. */
  static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
    checkDropout(p);
    if (p == 0 || !training || x.numel() == 0) return x;
    if (p == 1) return x.mul(Tensor.zeros(x.dtype()));
    Tensor noise;
    try (Tensor keep = Tensor.full(x.dtype(), 1 - p, x.shape()); Tensor mask = keep.bernoulli(generator)) {
      noise = mask.div(1 - p);
    }
    return x.mul(noise);
  }

  static void checkDropout(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + Repr.pyFloat(p));
    }
  }

  /** The last {@code k} dims of a tensor of {@code dim} dims. */
  private static int[] lastDims(int dim, int k) {
    int[] dims = new int[k];
    for (int i = 0; i < k; i++) dims[i] = dim - k + i;
    return dims;
  }

  /** PyTorch's {@code F.layer_norm}: normalizes over the trailing {@code normalizedShape} dims (biased variance). */
  static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    int k = normalizedShape.length;
    long[] shape = x.shape();
    if (weight != null && !Arrays.equals(weight.shape(), normalizedShape)) {
      throw new IllegalArgumentException("Expected weight to be of same shape as normalized_shape, but got weight of "
          + "shape " + Repr.list(weight.shape()) + " and normalized_shape = " + Repr.list(normalizedShape));
    }
    if (bias != null && !Arrays.equals(bias.shape(), normalizedShape)) {
      throw new IllegalArgumentException("Expected bias to be of same shape as normalized_shape, but got bias of "
          + "shape " + Repr.list(bias.shape()) + " and normalized_shape = " + Repr.list(normalizedShape));
    }
    if (k == 0 || shape.length < k
        || !Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape)) {
      StringBuilder expected = new StringBuilder("[*");
      for (long s : normalizedShape) expected.append(", ").append(s);
      throw new IllegalArgumentException("Given normalized_shape=" + Repr.list(normalizedShape) + ", expected input "
          + "with shape " + expected + "], but got input of size" + Repr.list(shape));
    }
    int[] dims = lastDims(shape.length, k);
    int[] batchDims = new int[shape.length - k];
    for (int i = 0; i < batchDims.length; i++) batchDims[i] = i;
    Tensor mean, rstd, y;
    try (var noGrad = GradMode.noGrad()) {
      mean = x.mean(dims, true);
      Tensor centered = x.sub(mean);
      rstd = centered.square().mean(dims, true).add(eps).rsqrt();
      y = centered.mul(rstd);
      if (weight != null) y = y.mul(weight);
      if (bias != null) y = y.add(bias);
    }
    // PyTorch's layer_norm_backward: with xhat = (x - mean) rstd and dyw = dy w,
    // dx = rstd (dyw - mean(dyw) - xhat mean(dyw xhat)) over the normalized dims; dw = sum(dy xhat), db = sum(dy) over the rest
    return FusedNode.record("NativeLayerNormBackward0", y, new Tensor[] {x, weight, bias},
        new Tensor[] {x, weight, mean, rstd}, (i, g, v) -> {
          Tensor xhat = v[0].sub(v[2]).mul(v[3]);
          if (i == 0) {
            Tensor dyw = v[1] == null ? g : g.mul(v[1]);
            return dyw.sub(dyw.mean(dims, true)).sub(xhat.mul(dyw.mul(xhat).mean(dims, true))).mul(v[3]);
          }
          Tensor per = i == 1 ? g.mul(xhat) : g;
          return batchDims.length == 0 ? per : per.sum(batchDims, false);
        });
  }

  /**
   * PyTorch's {@code F.batch_norm}: in training, normalizes with the batch's statistics over every
   * dim but 1 (biased variance) and, when given, moves the running statistics by {@code momentum}
   * (the running variance with the unbiased batch variance), in place; otherwise normalizes with
   * the running statistics.
   */
  static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                          boolean training, double momentum, double eps) {
    long[] shape = x.shape();
    if (training) {
      long perChannel = shape.length == 0 ? 1 : shape[0];
      for (int i = 2; i < shape.length; i++) perChannel *= shape[i];
      if (perChannel == 1) {
        throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size "
            + Repr.torchSize(shape));
      }
    }
    if (shape.length < 2) {
      throw new IllegalArgumentException("Dimension out of range (expected to be in range of [" + -Math.max(1, shape.length)
          + ", " + (Math.max(1, shape.length) - 1) + "], but got 1)");
    }
    long channels = shape[1];
    checkFeatures("running_mean", channels, runningMean);
    checkFeatures("running_var", channels, runningVar);
    if (!training && (runningMean == null || runningVar == null)) {
      throw new IllegalArgumentException((runningMean == null ? "running_mean" : "running_var")
          + " must be defined in evaluation mode");
    }
    checkFeatures("weight", channels, weight);
    checkFeatures("bias", channels, bias);
    long[] channelShape = new long[shape.length];
    Arrays.fill(channelShape, 1);
    channelShape[1] = channels;
    int[] dims = new int[shape.length - 1];
    for (int i = 2; i < shape.length; i++) dims[i - 1] = i;
    Tensor mean, rstd, y;
    try (var noGrad = GradMode.noGrad()) {
      if (training) {
        mean = x.mean(dims, true);
        Tensor centered = x.sub(mean);
        Tensor var = centered.square().mean(dims, true);
        rstd = var.add(eps).rsqrt();
        y = centered.mul(rstd);
        if (runningMean != null || runningVar != null) {
          long n = x.numel() / channels;
          if (runningMean != null) update(runningMean, mean, momentum, 1);
          if (runningVar != null) update(runningVar, var, momentum, n / (double) (n - 1));
        }
      } else {
        mean = runningMean.reshape(channelShape).clone();
        rstd = runningVar.reshape(channelShape).add(eps).rsqrt();
        y = x.sub(mean).mul(rstd);
      }
      if (weight != null) y = y.mul(weight.view(channelShape));
      if (bias != null) y = y.add(bias.view(channelShape));
    }
    // PyTorch's batch_norm_backward, with xhat = (x - mean) rstd and w per channel: in training
    // dx = w rstd (dy - mean(dy) - xhat mean(dy xhat)) over every dim but the channels', with the
    // running statistics dx = w rstd dy; dw = sum(dy xhat), db = sum(dy) per channel
    return FusedNode.record("NativeBatchNormBackward0", y, new Tensor[] {x, weight, bias},
        new Tensor[] {x, weight, mean, rstd}, (i, g, v) -> {
          Tensor xhat = v[0].sub(v[2]).mul(v[3]);
          if (i == 0) {
            Tensor scale = v[1] == null ? v[3] : v[3].mul(v[1].view(channelShape));
            Tensor dy = training ? g.sub(g.mean(dims, true)).sub(xhat.mul(g.mul(xhat).mean(dims, true))) : g;
            return dy.mul(scale);
          }
          return (i == 1 ? g.mul(xhat) : g).sum(dims, false);
        });
  }

  private static void checkFeatures(String name, long expected, Tensor t) {
    if (t != null && t.numel() != expected) {
      throw new IllegalArgumentException(name + " should contain " + expected + " elements not " + t.numel());
    }
  }

  /** {@code running = (1 - momentum) running + momentum * factor * batch}, in place, closing the temporaries. */
  private static void update(Tensor running, Tensor batch, double momentum, double factor) {
    try (Tensor flat = batch.detach().reshape(running.shape());
         Tensor scaledBatch = flat.mul(momentum * factor);
         Tensor kept = running.mul(1 - momentum);
         Tensor sum = kept.add(scaledBatch)) {
      running.copy_(sum);
    }
  }

  /**
   * PyTorch's {@code F.embedding}: the rows of {@code weight} at the int64 {@code indices}, shaped
   * {@code indices.shape() + [dim]}; rows at {@code paddingIdx} (when not null) get no gradient.
   */
  static Tensor embedding(Tensor indices, Tensor weight, Long paddingIdx) {
    if (indices.dtype() != DType.INT64) {
      throw new IllegalArgumentException("Expected tensor for argument #1 'indices' to have one of the following "
          + "scalar types: Long, Int; but got " + indices.dtype().legacyTypeName()
          + " instead (while checking arguments for embedding)");
    }
    if (weight.dim() != 2) throw new IllegalArgumentException("'weight' must be 2-D");
    long num = weight.shape()[0];
    Long pad = paddingIdx;
    if (pad != null) {
      if (pad < 0) pad = pad + num;
      if (pad < 0 || pad >= num) throw new IllegalArgumentException("Padding_idx must be within num_embeddings");
    }
    long[] outShape = Arrays.copyOf(indices.shape(), indices.dim() + 1);
    outShape[indices.dim()] = weight.shape()[1];
    Tensor flat = indices.reshape(-1);
    Tensor out;
    try (var noGrad = GradMode.noGrad()) {
      out = weight.indexSelect(0, flat).reshape(outShape);
    }
    long dim = weight.shape()[1];
    Long padRow = pad;
    // PyTorch's embedding_dense_backward: the gradient rows added into a zero (num, dim) gradient at
    // their indices, in order; rows at padding_idx skipped
    return FusedNode.record("EmbeddingBackward0", out, new Tensor[] {weight}, new Tensor[] {flat}, (i, g, v) -> {
      Tensor rowsGrad = g.reshape(-1, dim);
      if (padRow != null) rowsGrad = rowsGrad.maskedFill(v[0].eq((double) padRow).view(-1, 1), 0.0);
      return Tensor.zeros(g.dtype(), num, dim).scatterAdd(0, v[0].view(-1, 1).expand(-1, dim), rowsGrad);
    });
  }
}
