package dev.vectorgrad.nn;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.util.Arrays;

/**
 * The loss functions behind {@link Functional} and the loss modules, with PyTorch's argument
 * checks and error texts.
 *
 * <p>They are compositions of recorded tensor ops (the package cannot attach nodes of its own to
 * results), so the graph shows those ops' nodes ({@code NegBackward0}, {@code MeanBackward0}, ...)
 * where PyTorch records one fused node ({@code NllLossBackward0}, {@code MseLossBackward0}, ...);
 * values and gradients are PyTorch's. Binary cross entropy reproduces PyTorch's capped gradient
 * formula exactly through a constant-slope term (see {@link #binaryCrossEntropy}).
 */
final class Losses {
  private Losses() {}

  static final int NONE = 0;
  static final int MEAN = 1;
  static final int SUM = 2;

  /** PyTorch's {@code _Reduction.get_enum}. */
  static int reduction(String reduction) {
    if (reduction != null) {
      switch (reduction) {
        case "none" -> {
          return NONE;
        }
        case "mean" -> {
          return MEAN;
        }
        case "sum" -> {
          return SUM;
        }
        default -> { }
      }
    }
    throw new IllegalArgumentException(reduction + " is not a valid value for reduction");
  }

  static Tensor reduce(Tensor loss, int reduction) {
    return switch (reduction) {
      case MEAN -> loss.mean();
      case SUM -> loss.sum();
      default -> loss;
    };
  }

  /** A constant tensor of {@code dtype} (float32 or float64) holding {@code values}. */
  static Tensor constant(double[] values, long[] shape, DType dtype) {
    if (dtype == DType.FLOAT64) return shaped(Tensor.of(values), shape);
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
    return shaped(Tensor.of(f), shape);
  }

  /** {@code t} (1-D, just made) viewed as {@code shape}, which may be 0-dim ({@code Tensor.of} makes 1-D without a shape). */
  static Tensor shaped(Tensor t, long[] shape) {
    if (shape.length == 1) return t;
    Tensor v = t.view(shape);
    t.close();
    return v;
  }

  /** PyTorch's {@code infer_size}: the broadcast shape of a and b, with its message when they do not broadcast. */
  static long[] broadcastShape(long[] a, long[] b) {
    int n = Math.max(a.length, b.length);
    long[] out = new long[n];
    for (int i = n - 1; i >= 0; i--) {
      int offset = n - 1 - i;
      int da = a.length - 1 - offset, db = b.length - 1 - offset;
      long sa = da >= 0 ? a[da] : 1, sb = db >= 0 ? b[db] : 1;
      if (sa != sb && sa != 1 && sb != 1) {
        throw new IllegalArgumentException("The size of tensor a (" + sa + ") must match the size of tensor b (" + sb
            + ") at non-singleton dimension " + i);
      }
      out[i] = sa == 1 ? sb : sa;
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ regression

  static Tensor mse(Tensor input, Tensor target, String reduction) {
    int r = reduction(reduction);
    return reduce(input.sub(target).square(), r);
  }

  static Tensor l1(Tensor input, Tensor target, String reduction) {
    int r = reduction(reduction);
    return reduce(input.sub(target).abs(), r);
  }

  /** 0.5 d^2 / beta where |d| < beta, else |d| - beta / 2, as {@code 0.5 m^2 / beta + (|d| - m)} with m = min(|d|, beta). */
  static Tensor smoothL1(Tensor input, Tensor target, String reduction, double beta) {
    int r = reduction(reduction);
    if (beta < 0) throw new IllegalArgumentException("smooth_l1_loss does not support negative values for beta.");
    if (beta == 0) return l1(input, target, reduction);
    Tensor a = input.sub(target).abs();
    Tensor m = a.clampMax(beta);
    return reduce(m.square().mul(0.5 / beta).add(a.sub(m)), r);
  }

  /** 0.5 d^2 where |d| < delta, else delta (|d| - delta / 2), as {@code 0.5 m^2 + delta (|d| - m)} with m = min(|d|, delta). */
  static Tensor huber(Tensor input, Tensor target, String reduction, double delta) {
    int r = reduction(reduction);
    if (!(delta > 0)) throw new IllegalArgumentException("huber_loss does not support non-positive values for delta.");
    Tensor a = input.sub(target).abs();
    Tensor m = a.clampMax(delta);
    return reduce(m.square().mul(0.5).add(a.sub(m).mul(delta)), r);
  }

  // ------------------------------------------------------------------------------------------ binary

  /**
   * PyTorch's {@code binary_cross_entropy}: {@code -w (t max(log x, -100) + (1 - t) max(log(1 - x), -100))}.
   * The values and PyTorch's derivatives ({@code (x - t) / max(x (1 - x), 1e-12)} for the input,
   * {@code -logit(x)} for the target, both times the weight) are computed here elementwise in
   * double and attached as {@code L + (x - x.detach()) dL/dx + (t - t.detach()) dL/dt}: the extra
   * terms are exactly zero forward and give backward PyTorch's capped gradient, also where x is 0
   * or 1 (where differentiating the clamped logs would give 0 * inf). Target gradients that are
   * infinite in PyTorch (x = 0 or 1) become the largest finite value of the dtype.
   */
  static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
    int r = reduction(reduction);
    long[] shape = input.shape();
    if (!Arrays.equals(target.shape(), shape)) {
      throw new IllegalArgumentException("Using a target size (" + Repr.torchSize(target.shape()) + ") that is "
          + "different to the input size (" + Repr.torchSize(shape) + ") is deprecated. Please ensure they have the same size.");
    }
    DType dtype = input.dtype();
    double[] x = input.toDoubleArray();
    double[] t = target.toDoubleArray();
    double[] w = null;
    if (weight != null) {
      broadcastShape(shape, weight.shape());
      try (Tensor expanded = weight.expand(shape)) {
        w = expanded.toDoubleArray();
      }
    }
    int n = x.length;
    double[] loss = new double[n];
    double[] dx = new double[n];
    boolean targetGrad = target.requiresGrad();
    double[] dt = targetGrad ? new double[n] : null;
    double big = dtype == DType.FLOAT64 ? Double.MAX_VALUE : Float.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      double xi = x[i], ti = t[i];
      if (!(xi >= 0 && xi <= 1)) throw new IllegalArgumentException("all elements of input should be between 0 and 1");
      if (dtype == DType.FLOAT32) {
        float xf = (float) xi, tf = (float) ti;
        float l = (tf - 1f) * Math.max((float) Math.log(1f - xf), -100f) - tf * Math.max((float) Math.log(xf), -100f);
        loss[i] = l;
        dx[i] = (xf - tf) / Math.max((1f - xf) * xf, 1e-12f);
      } else {
        loss[i] = (ti - 1) * Math.max(Math.log(1 - xi), -100) - ti * Math.max(Math.log(xi), -100);
        dx[i] = (xi - ti) / Math.max((1 - xi) * xi, 1e-12);
      }
      double wi = w == null ? 1 : w[i];
      if (w != null) {
        loss[i] *= wi;
        dx[i] *= wi;
      }
      if (targetGrad) {
        double g = -Math.log(xi / (1 - xi)) * wi;
        dt[i] = Double.isNaN(g) ? g : Math.max(-big, Math.min(big, g));
      }
    }
    Tensor out = constant(loss, shape, dtype);
    if (input.requiresGrad()) out = out.add(input.sub(input.detach()).mul(constant(dx, shape, dtype)));
    if (targetGrad) out = out.add(target.sub(target.detach()).mul(constant(dt, shape, target.dtype())));
    return reduce(out, r);
  }

  /**
   * PyTorch's {@code binary_cross_entropy_with_logits}: with {@code m = max(-x, 0)} and
   * {@code lw = (posWeight - 1) t + 1}, {@code (1 - t) x + lw (log(exp(-m) + exp(-x - m)) + m)},
   * times the weight; the same formula, so values and gradients are PyTorch's.
   */
  static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                             String reduction) {
    int r = reduction(reduction);
    if (!Arrays.equals(target.shape(), input.shape())) {
      throw new IllegalArgumentException("Target size (" + Repr.torchSize(target.shape()) + ") must be the same as "
          + "input size (" + Repr.torchSize(input.shape()) + ")");
    }
    Tensor maxVal = input.neg().clampMin(0);
    Tensor softplusNeg = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
    Tensor oneMinusT = target.neg().add(1.0);
    Tensor loss;
    if (posWeight != null) {
      Tensor logWeight = posWeight.sub(1.0).mul(target).add(1.0);
      loss = oneMinusT.mul(input).add(logWeight.mul(softplusNeg));
    } else {
      loss = oneMinusT.mul(input).add(softplusNeg);
    }
    if (weight != null) loss = loss.mul(weight);
    return reduce(loss, r);
  }

  // ------------------------------------------------------------------------------------------ classification

  /** Targets read on the host: validated classes, which are ignored, per-element weights. */
  private record Targets(long[] safe, boolean[] ignored, int ignoredCount, double[] weights, double weightSum) {}

  /** PyTorch's {@code nll_loss_nd} shape checks, in its order. */
  private static void checkNll(Tensor input, Tensor target, Tensor weight) {
    int dim = input.dim();
    long[] in = input.shape(), tg = target.shape();
    if (dim < 1) throw new IllegalArgumentException("Expected 1 or more dimensions (got " + dim + ")");
    long targetBatch = tg.length == 0 ? 0 : tg[0];
    if (dim != 1 && in[0] != targetBatch) {
      throw new IllegalArgumentException("Expected input batch_size (" + in[0] + ") to match target batch_size ("
          + targetBatch + ").");
    }
    long classes = dim == 1 ? in[0] : in[1];
    if (dim <= 2) {
      if (tg.length > 1) throw new IllegalArgumentException("0D or 1D target tensor expected, multi-target not supported");
      boolean noBatch = dim == 1 && tg.length == 0;
      if (!noBatch && (tg.length == 0 || in[0] != tg[0])) {
        throw new IllegalArgumentException("size mismatch (got input: " + Repr.list(in) + ", target: " + Repr.list(tg) + ")");
      }
    } else if (dim == 4) {
      if (tg.length != 3) {
        throw new IllegalArgumentException("only batches of spatial targets supported (3D tensors) but got targets of "
            + "dimension: " + tg.length);
      }
      if (in[0] != tg[0] || in[2] != tg[1] || in[3] != tg[2]) {
        throw new IllegalArgumentException("size mismatch (got input: " + Repr.list(in) + " , target: " + Repr.list(tg));
      }
    } else {
      long[] expected = new long[dim - 1];
      expected[0] = in[0];
      System.arraycopy(in, 2, expected, 1, dim - 2);
      if (!Arrays.equals(Arrays.copyOfRange(tg, 1, tg.length), Arrays.copyOfRange(in, 2, dim))) {
        throw new IllegalArgumentException("Expected target size " + Repr.list(expected) + ", got " + Repr.list(tg));
      }
    }
    if (weight != null && (weight.dim() != 1 || weight.numel() != classes)) {
      throw new IllegalArgumentException(dim <= 2 ? "weight tensor should be defined either for all " + classes
          + " classes or no classes but got weight tensor of shape: " + Repr.list(weight.shape())
          : "weight tensor should be defined either for all or no classes");
    }
    if (target.dtype() != DType.INT64) {
      throw new IllegalArgumentException("expected scalar type Long but found " + target.dtype().scalarTypeName());
    }
  }

  private static Targets targets(Tensor target, long classes, Tensor weight, long ignoreIndex) {
    long[] t = target.toLongArray();
    double[] classWeights = weight == null ? null : weight.toDoubleArray();
    boolean[] ignored = new boolean[t.length];
    double[] w = new double[t.length];
    int ignoredCount = 0;
    double sum = 0;
    for (int i = 0; i < t.length; i++) {
      long c = t[i];
      if (c == ignoreIndex) {
        ignored[i] = true;
        ignoredCount++;
        t[i] = 0;
        continue;
      }
      if (c < 0 || c >= classes) throw new IndexOutOfBoundsException("Target " + c + " is out of bounds.");
      w[i] = classWeights == null ? 1 : classWeights[(int) c];
      sum += w[i];
    }
    return new Targets(t, ignored, ignoredCount, w, sum);
  }

  /** PyTorch's {@code nll_loss} / {@code nll_loss2d} / {@code nll_loss_nd}. */
  static Tensor nll(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
    int r = reduction(reduction);
    checkNll(input, target, weight);
    return nllChecked(input, target, weight, ignoreIndex, r,
        targets(target, input.dim() == 1 ? input.shape()[0] : input.shape()[1], weight, ignoreIndex));
  }

  private static Tensor nllChecked(Tensor input, Tensor target, Tensor weight, long ignoreIndex, int r, Targets tg) {
    boolean noBatch = input.dim() == 1;
    long[] tshape = noBatch ? new long[] {1} : target.shape();
    Tensor x = noBatch ? input.unsqueeze(0) : input;
    Tensor index = shaped(Tensor.of(tg.safe()), tshape).unsqueeze(1);
    Tensor loss = x.gather(1, index).squeeze(1).neg();
    if (weight != null) loss = loss.mul(constant(tg.weights(), tshape, input.dtype()));
    if (tg.ignoredCount() > 0) loss = loss.maskedFill(shaped(Tensor.of(tg.ignored()), tshape), 0);
    return switch (r) {
      case NONE -> noBatch ? loss.reshape(target.shape()) : loss;
      case SUM -> loss.sum();
      default -> weight == null && tg.ignoredCount() == 0 ? loss.mean() : loss.sum().div(tg.weightSum());
    };
  }

  /** PyTorch's {@code cross_entropy}: class indices, class probabilities, label smoothing. */
  static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction,
                             double labelSmoothing) {
    int r = reduction(reduction);
    if (Arrays.equals(input.shape(), target.shape())) {
      if (!target.dtype().isFloatingPoint()) {
        throw new IllegalArgumentException("Expected floating point type for target with class probabilities, got "
            + target.dtype().scalarTypeName());
      }
      if (ignoreIndex >= 0) throw new IllegalArgumentException("ignore_index is not supported for floating point target");
      return probabilityTargets(input, target, weight, r, labelSmoothing);
    }
    if (input.dim() == 0) {   // PyTorch takes log_softmax over dim 1 of the 0-dim input
      throw new IllegalArgumentException("Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    }
    checkNll(input, target, weight);
    int classDim = input.dim() == 1 ? 0 : 1;
    long classes = input.shape()[classDim];
    if (labelSmoothing > 1) {
      throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: " + Repr.cppDouble(labelSmoothing));
    }
    Targets tg = targets(target, classes, weight, ignoreIndex);
    Tensor logp = input.logSoftmax(classDim);
    Tensor nll = nllChecked(logp, target, weight, ignoreIndex, r, tg);
    if (!(labelSmoothing > 0)) return nll;
    Tensor weighted = weight == null ? logp : logp.mul(weight.view(classShape(input.dim(), classDim, classes)));
    Tensor smooth = weighted.sum(new int[] {classDim}, false).neg();
    if (tg.ignoredCount() > 0) smooth = smooth.maskedFill(shaped(Tensor.of(tg.ignored()), target.shape()), 0);
    Tensor ret = switch (r) {
      case NONE -> smooth;
      case SUM -> smooth.sum();
      default -> smooth.sum().div(weight == null ? (double) (tg.ignored().length - tg.ignoredCount()) : tg.weightSum());
    };
    return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / classes));
  }

  /** The shape that puts a (C) vector along the class dim of an input of {@code dim} dims. */
  private static long[] classShape(int dim, int classDim, long classes) {
    long[] shape = new long[dim];
    Arrays.fill(shape, 1);
    shape[classDim] = classes;
    return shape;
  }

  private static Tensor probabilityTargets(Tensor input, Tensor target, Tensor weight, int r, double labelSmoothing) {
    if (labelSmoothing > 1) {   // PyTorch ignores a negative one, as for class indices
      throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: " + Repr.cppDouble(labelSmoothing));
    }
    int classDim = input.dim() == 1 ? 0 : 1;
    long classes = input.dim() == 0 ? 1 : input.shape()[classDim];
    if (weight != null && (weight.dim() != 1 || weight.numel() != classes)) {
      throw new IllegalArgumentException("cross_entropy: weight tensor should be defined either for all " + classes
          + " classes or no classes but got weight tensor of shape: " + Repr.list(weight.shape()));
    }
    Tensor logp = input.logSoftmax(classDim);
    Tensor t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
    Tensor prod = logp.mul(t);
    if (weight != null) prod = prod.mul(weight.view(classShape(input.dim(), classDim, classes)));
    return switch (r) {
      case NONE -> prod.sum(new int[] {classDim}, false).neg();
      case SUM -> prod.sum().neg();
      default -> prod.sum().neg().div(input.numel() == 0 ? 0.0 : (double) (input.numel() / classes));
    };
  }
}
