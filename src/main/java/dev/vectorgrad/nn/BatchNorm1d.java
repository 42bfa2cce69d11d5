package dev.vectorgrad.nn;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Batch normalization of {@code (N, C)} or {@code (N, C, L)} inputs over the batch (and length)
 * per channel, with a learned scale ({@code weight}, ones) and shift ({@code bias}, zeros).
 * PyTorch equivalent: {@code torch.nn.BatchNorm1d}.
 *
 * <p>In training mode it normalizes with the batch's mean and biased variance and updates the
 * buffers {@code running_mean} (zeros), {@code running_var} (ones; with the unbiased batch
 * variance) as {@code (1 - momentum) running + momentum * batch} (momentum null: the cumulative
 * average, {@code 1 / num_batches_tracked}) and counts {@code num_batches_tracked} (int64); in
 * evaluation mode it normalizes with the running statistics. Without tracked statistics it always
 * uses the batch's. The buffers are updated in place and belong to no scope.
 *
 * <p>The forward pass is a composition of recorded ops rather than PyTorch's fused
 * {@code native_batch_norm}: values and gradients are PyTorch's, but the graph shows those ops
 * where PyTorch records {@code NativeBatchNormBackward0}.
 */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class BatchNorm1d extends Module {
  private final long numFeatures;
  private final double eps;
  private final Double momentum;
  private final boolean affine;
  private final boolean trackRunningStats;

  /** eps 1e-5, momentum 0.1, affine, tracking running statistics. PyTorch: {@code nn.BatchNorm1d(num_features)}. */
  public BatchNorm1d(long numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /** PyTorch: {@code nn.BatchNorm1d(num_features, eps, momentum, affine, track_running_stats)} (momentum null: cumulative average). */
  public BatchNorm1d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    registerParameter("weight", affine ? Tensor.ones(numFeatures) : null);
    registerParameter("bias", affine ? Tensor.zeros(numFeatures) : null);
    registerBuffer("running_mean", trackRunningStats ? Tensor.zeros(numFeatures) : null);
    registerBuffer("running_var", trackRunningStats ? Tensor.ones(numFeatures) : null);
    registerBuffer("num_batches_tracked", trackRunningStats ? Tensor.zeros(DType.INT64) : null);
  }

  /** The scale, or null without affine parameters. PyTorch: {@code bn.weight}. */
  public Tensor weight() {
    return param("weight");
  }

  /** The shift, or null without affine parameters. PyTorch: {@code bn.bias}. */
  public Tensor bias() {
    return param("bias");
  }

  /** PyTorch: {@code bn.running_mean} (null when not tracked). */
  public Tensor runningMean() {
    return buffer("running_mean");
  }

  /** PyTorch: {@code bn.running_var} (null when not tracked). */
  public Tensor runningVar() {
    return buffer("running_var");
  }

  /** PyTorch: {@code bn.num_batches_tracked} (int64, 0-dim; null when not tracked). */
  public Tensor numBatchesTracked() {
    return buffer("num_batches_tracked");
  }

  /**
   * Normalizes {@code x}; in training mode also updates the running statistics.
   * PyTorch: {@code bn(x)}.
   *
   * @throws IllegalArgumentException for an input that is not 2-D or 3-D, of the wrong channel
   *     count, or with one value per channel in training (PyTorch's messages)
   */
  @Override
  public Tensor forward(Tensor x) {
    if (x.dim() != 2 && x.dim() != 3) {
      throw new IllegalArgumentException("expected 2D or 3D input (got " + x.dim() + "D input)");
    }
    double factor = momentum == null ? 0.0 : momentum;
    boolean training = isTraining();
    Tensor tracked = numBatchesTracked();
    if (training && trackRunningStats && tracked != null) {
      try (var guard = GradMode.noGrad()) {
        tracked.fill_(tracked.item() + 1);
      }
      if (momentum == null) factor = 1.0 / tracked.item();
    }
    Tensor rm = runningMean(), rv = runningVar();
    boolean bnTraining = training || (rm == null && rv == null);
    boolean useStats = !training || trackRunningStats;
    return NnOps.batchNorm(x, useStats ? rm : null, useStats ? rv : null, weight(), bias(), bnTraining, factor, eps);
  }

  /** As PyTorch loading a plain dict: a missing {@code num_batches_tracked} is taken as 0. */
  @Override
  protected void loadFromStateDict(Map<String, Tensor> stateDict, String prefix, boolean strict,
                                   List<String> missingKeys, List<String> unexpectedKeys, List<String> errorMsgs) {
    if (trackRunningStats && !stateDict.containsKey(prefix + "num_batches_tracked")) {
      stateDict.put(prefix + "num_batches_tracked", Tensor.zeros(DType.INT64));
    }
    super.loadFromStateDict(stateDict, prefix, strict, missingKeys, unexpectedKeys, errorMsgs);
  }

  @Override
  protected String extraRepr() {
    return numFeatures + ", eps=" + Repr.pyFloat(eps) + ", momentum=" + (momentum == null ? "None" : Repr.pyFloat(momentum))
        + ", affine=" + Repr.pyBool(affine) + ", track_running_stats=" + Repr.pyBool(trackRunningStats);
  }
}
