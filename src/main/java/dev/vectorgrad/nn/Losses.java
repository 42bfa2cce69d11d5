package dev.vectorgrad.nn;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.internal.Internals;
import dev.vectorgrad.kernels.ElementKernels;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The loss functions behind {@link Functional} and the loss modules, with PyTorch's argument
 * checks and error texts.
 *
 * <p>Where PyTorch runs a fused loss kernel, the loss is computed without recording and gets one
 * {@link FusedNode} with PyTorch's name and derivative ({@code NllLossBackward0},
 * {@code MseLossBackward0}, {@code BinaryCrossEntropyBackward0}, ...); where PyTorch composes
 * ({@code l1_loss}, label smoothing, probability targets) the same ops are recorded, so the graph
 * is PyTorch's either way.
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

  /** {@code t} expanded (recorded: {@code ExpandBackward0}) to {@code shape}, or t itself when it has that shape. */
  private static Tensor expandTo(Tensor t, long[] shape) {
    return Arrays.equals(t.shape(), shape) ? t : t.expand(shape);
  }

  /** {@code 1 / numel} for a mean (PyTorch's {@code norm}), else 1. */
  private static double norm(int r, Tensor t) {
    return r == MEAN ? 1.0 / t.numel() : 1.0;
  }

  /**
   * PyTorch's {@code mse_loss}: the operands broadcast (recorded expands), {@code (x - t)^2}
   * reduced, one {@code MseLossBackward0}: {@code 2 norm (x - t) g} for the input,
   * {@code 2 norm (t - x) g} for the target.
   */
  static Tensor mse(Tensor input, Tensor target, String reduction) {
    int r = reduction(reduction);
    long[] shape = broadcastShape(input.shape(), target.shape());
    Tensor x = expandTo(input, shape), t = expandTo(target, shape);
    Tensor value;
    try (var noGrad = GradMode.noGrad()) {
      value = reduce(x.sub(t).square(), r);
    }
    return FusedNode.record("MseLossBackward0", value, new Tensor[] {x, t}, new Tensor[] {x, t}, (i, g, v) -> {
      Tensor a = v[i], b = v[1 - i];
      return a.sub(b).mul(2 * norm(r, a)).mul(g);
    });
  }

  static Tensor l1(Tensor input, Tensor target, String reduction) {
    int r = reduction(reduction);
    return reduce(input.sub(target).abs(), r);
  }

  /**
   * PyTorch's {@code smooth_l1_loss}: 0.5 d^2 / beta where |d| &lt; beta, else |d| - beta / 2
   * (computed as {@code 0.5 m^2 / beta + (|d| - m)} with m = min(|d|, beta); |d| for beta 0).
   * {@code SmoothL1LossBackward0}: {@code norm d g / beta} inside, {@code norm (d > 0 ? 1 : -1) g}
   * outside (so -g at d = 0 when beta is 0, as PyTorch), with d = x - t for the input and t - x for
   * the target.
   */
  static Tensor smoothL1(Tensor input, Tensor target, String reduction, double beta) {
    int r = reduction(reduction);
    if (beta < 0) throw new IllegalArgumentException("smooth_l1_loss does not support negative values for beta.");
    long[] shape = broadcastShape(input.shape(), target.shape());
    Tensor x = expandTo(input, shape), t = expandTo(target, shape);
    Tensor value;
    try (var noGrad = GradMode.noGrad()) {
      Tensor a = x.sub(t).abs();
      if (beta == 0) {
        value = reduce(a, r);
      } else {
        Tensor m = a.clampMax(beta);
        value = reduce(m.square().mul(0.5 / beta).add(a.sub(m)), r);
      }
    }
    return FusedNode.record("SmoothL1LossBackward0", value, new Tensor[] {x, t}, new Tensor[] {x, t}, (i, g, v) -> {
      Tensor d = v[i].sub(v[1 - i]);
      double n = norm(r, d);
      return Tensor.where(d.abs().ge(beta), plusOrMinusOne(d).mul(n).mul(g), d.mul(n).mul(g).div(beta));
    });
  }

  /** PyTorch's blend in the smooth L1 and Huber derivatives: {@code d > 0 ? 1 : -1} (-1 at 0 and NaN). */
  private static Tensor plusOrMinusOne(Tensor d) {
    return d.gt(0.0).to(d.dtype()).mul(2.0).sub(1.0);
  }

  /**
   * PyTorch's {@code huber_loss}: 0.5 d^2 where |d| &lt; delta, else delta (|d| - delta / 2)
   * (computed as {@code 0.5 m^2 + delta (|d| - m)} with m = min(|d|, delta)). {@code
   * HuberLossBackward0}: {@code norm d g} inside, {@code norm sign(d) g delta} outside.
   */
  static Tensor huber(Tensor input, Tensor target, String reduction, double delta) {
    int r = reduction(reduction);
    if (!(delta > 0)) throw new IllegalArgumentException("huber_loss does not support non-positive values for delta.");
    long[] shape = broadcastShape(input.shape(), target.shape());
    Tensor x = expandTo(input, shape), t = expandTo(target, shape);
    Tensor value;
    try (var noGrad = GradMode.noGrad()) {
      Tensor a = x.sub(t).abs();
      Tensor m = a.clampMax(delta);
      value = reduce(m.square().mul(0.5).add(a.sub(m).mul(delta)), r);
    }
    return FusedNode.record("HuberLossBackward0", value, new Tensor[] {x, t}, new Tensor[] {x, t}, (i, g, v) -> {
      Tensor d = v[i].sub(v[1 - i]);
      double n = norm(r, d);
      return Tensor.where(d.abs().ge(delta), plusOrMinusOne(d).mul(n).mul(g).mul(delta), d.mul(n).mul(g));
    });
  }

  // ------------------------------------------------------------------------------------------ binary

  /**
   * PyTorch's {@code binary_cross_entropy}: {@code -w (t max(log x, -100) + (1 - t) max(log(1 - x), -100))},
   * computed elementwise as PyTorch's kernel (in the element type). {@code BinaryCrossEntropyBackward0}:
   * {@code g (x - t) / max(x (1 - x), 1e-12)} for the input and {@code -logit(x) g} for the target,
   * each times the weight, and divided by numel for a mean (PyTorch's order of operations).
   */
  static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
    int r = reduction(reduction);
    long[] shape = input.shape();
    if (!Arrays.equals(target.shape(), shape)) {
      throw new IllegalArgumentException("Using a target size (" + Repr.torchSize(target.shape()) + ") that is "
          + "different to the input size (" + Repr.torchSize(shape) + ") is deprecated. Please ensure they have the same size.");
    }
    if (weight != null) broadcastShape(shape, weight.shape());
    DType dtype = input.dtype();
    double[] x = input.toDoubleArray();
    double[] t = target.toDoubleArray();
    int n = x.length;
    double[] loss = new double[n];
    for (int i = 0; i < n; i++) {
      double xi = x[i], ti = t[i];
      if (!(xi >= 0 && xi <= 1)) throw new IllegalArgumentException("all elements of input should be between 0 and 1");
      if (dtype == DType.FLOAT32) {
        float xf = (float) xi, tf = (float) ti;
        loss[i] = (tf - 1f) * Math.max((float) Math.log(1f - xf), -100f) - tf * Math.max((float) Math.log(xf), -100f);
      } else {
        loss[i] = (ti - 1) * Math.max(Math.log(1 - xi), -100) - ti * Math.max(Math.log(xi), -100);
      }
    }
    Tensor value;
    try (var noGrad = GradMode.noGrad()) {
      Tensor l = constant(loss, shape, dtype);
      value = reduce(weight == null ? l : l.mul(weight), r);
    }
    return FusedNode.record("BinaryCrossEntropyBackward0", value, new Tensor[] {input, target},
        new Tensor[] {input, target, weight}, (i, g, v) -> {
          Tensor xs = v[0], ts = v[1], w = v[2];
          Tensor grad = i == 0
              ? g.mul(xs.sub(ts)).div(xs.neg().add(1.0).mul(xs).clampMin(1e-12))
              : xs.div(xs.neg().add(1.0)).log().neg().mul(g);
          if (w != null) grad = grad.mul(w);
          if (r == MEAN) grad = grad.div((double) xs.numel());
          return grad;
        });
  }

  /**
   * PyTorch's {@code binary_cross_entropy_with_logits}: with {@code m = max(-x, 0)} and
   * {@code lw = (posWeight - 1) t + 1}, {@code (1 - t) x + lw (log(exp(-m) + exp(-x - m)) + m)},
   * times the weight; the same formula, so the values are PyTorch's.
   * {@code BinaryCrossEntropyWithLogitsBackward0} as PyTorch's: {@code (sigmoid(x) - t) g} (with
   * pos_weight p: {@code ((p t + 1 - t) sigmoid(x) - p t) g}) for the input, {@code -x g} (with p:
   * {@code (logsigmoid(-x) - p logsigmoid(x)) g}) for the target, times the weight, over numel for a mean.
   */
  static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                             String reduction) {
    int r = reduction(reduction);
    if (!Arrays.equals(target.shape(), input.shape())) {
      throw new IllegalArgumentException("Target size (" + Repr.torchSize(target.shape()) + ") must be the same as "
          + "input size (" + Repr.torchSize(input.shape()) + ")");
    }
    Tensor value;
    try (var noGrad = GradMode.noGrad()) {
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
      value = reduce(loss, r);
    }
    return FusedNode.record("BinaryCrossEntropyWithLogitsBackward0", value, new Tensor[] {input, target},
        new Tensor[] {input, target, weight, posWeight}, (i, g, v) -> {
          Tensor x = v[0], t = v[1], w = v[2], p = v[3];
          Tensor grad;
          if (i == 0) {
            if (p != null) {
              Tensor pt = p.mul(t);
              grad = pt.add(1.0).sub(t).mul(x.sigmoid()).sub(pt).mul(g);
            } else {
              grad = x.sigmoid().sub(t).mul(g);
            }
          } else {
            grad = p != null ? logSigmoid(x.neg()).sub(logSigmoid(x).mul(p)).mul(g) : x.mul(g.neg());
          }
          if (w != null) grad = grad.mul(w);
          if (r == MEAN) grad = grad.div((double) t.numel());
          return grad;
        });
  }

  /** {@code log(sigmoid(z))} as PyTorch's CPU kernel: {@code min(z, 0) - log1p(exp(-|z|))}. */
  private static Tensor logSigmoid(Tensor z) {
    return z.clampMax(0).sub(z.abs().neg().exp().log1p());
  }

  // ------------------------------------------------------------------------------------------ classification

  /**
   * Targets read on the host: validated classes (0 where ignored), which are ignored (null: none)
   * and per-element weights (null: no class weights, every weight 1), and the weights' sum.
   */
  private record Targets(long[] safe, boolean[] ignoredOrNull, int ignoredCount, double[] weightsOrNull,
                         double weightSum) {
    boolean ignored(int p) {
      return ignoredOrNull != null && ignoredOrNull[p];
    }

    /** The weight of position p (1 without class weights: {@code -1 * x} and {@code 1 * g} are exact). */
    double weight(int p) {
      return weightsOrNull == null ? 1 : weightsOrNull[p];
    }

    /** Which positions are ignored, as an array (for label smoothing's mask). */
    boolean[] ignored() {
      return ignoredOrNull != null ? ignoredOrNull : new boolean[safe.length];
    }
  }

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
    boolean[] ignored = null;
    double[] w = classWeights == null ? null : new double[t.length];
    int ignoredCount = 0;
    double sum = 0;
    for (int i = 0; i < t.length; i++) {
      long c = t[i];
      if (c == ignoreIndex) {
        if (ignored == null) ignored = new boolean[t.length];
        ignored[i] = true;
        ignoredCount++;
        t[i] = 0;
        continue;
      }
      if (c < 0 || c >= classes) throw new IndexOutOfBoundsException("Target " + c + " is out of bounds.");
      double wi = classWeights == null ? 1 : classWeights[(int) c];
      if (w != null) w[i] = wi;
      sum += wi;
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

  /**
   * The loss and {@code NllLossBackward0}: {@code -w[t] x[n, t, ...]} at each target position,
   * reduced (mean divides by the total weight of the targets not ignored, as PyTorch). Inputs of 3
   * or more than 4 dims go through PyTorch's {@code nll_loss_nd} route: viewed as (N, C, 1, -1) for
   * {@code NllLoss2DBackward0}, and a "none" result viewed back to the target's shape.
   */
  private static Tensor nllChecked(Tensor input, Tensor target, Tensor weight, long ignoreIndex, int r, Targets tg) {
    int dim = input.dim();
    if (dim == 3 || dim > 4) {
      long[] in = input.shape();
      Tensor x = input.contiguous().view(in[0], in[1], 1, -1);
      Tensor loss = nllFused(x, target.shape(), r, tg, "NllLoss2DBackward0");
      return r == NONE ? loss.view(target.shape()) : loss;
    }
    return nllFused(input, target.shape(), r, tg, dim == 4 ? "NllLoss2DBackward0" : "NllLossBackward0");
  }

  /**
   * The fused NLL on an input of (C), (N, C) or (N, C, H, W); positions in row-major target order.
   * Only the target elements are read (in place for a contiguous input), and the gradient is made
   * as zeros with one entry written per position: a training step's loss copies no whole tensor.
   */
  private static Tensor nllFused(Tensor input, long[] targetShape, int r, Targets tg, String name) {
    long[] in = input.shape();
    boolean noBatch = in.length == 1;
    long classes = noBatch ? in[0] : in[1];
    long rest = noBatch ? 1 : input.numel() / Math.max(1, in[0] * classes);
    DType dtype = input.dtype();
    boolean f32 = dtype == DType.FLOAT32;
    long[] safe = tg.safe();
    int positions = safe.length;
    Picked x = Picked.of(input);
    double[] loss = r == NONE ? new double[positions] : null;
    double sum = 0;
    for (int p = 0; p < positions; p++) {
      if (tg.ignored(p)) continue;
      double v = -tg.weight(p) * x.at(index(p, safe[p], classes, rest));
      double lp = f32 ? (float) v : v;
      if (loss != null) loss[p] = lp;
      sum += lp;
    }
    double totalWeight = f32 ? (float) tg.weightSum() : tg.weightSum();
    Tensor value = switch (r) {
      case NONE -> constant(loss, targetShape, dtype);
      case SUM -> Tensor.full(dtype, sum);
      default -> Tensor.full(dtype, f32 ? (float) sum / (float) totalWeight : sum / totalWeight);
    };
    // input is saved only for PyTorch's version check (the derivative does not read it)
    return FusedNode.record(name, value, new Tensor[] {input}, new Tensor[] {input}, (i, g, saved) -> {
      // PyTorch's nll_loss_backward: grad = -(mean ? g / total_weight : g), times the target's weight
      double[] gs = g.numel() == 1 ? null : g.toDoubleArray();
      double g0 = gs == null ? g.item() : 0;
      Tensor out = Tensor.zeros(dtype, in);
      Internals.TensorAccess access = Internals.tensors();
      MemorySegment seg = access.storageSegment(out);
      ElementKernels k = access.kernels(out);
      for (int p = 0; p < positions; p++) {
        if (tg.ignored(p)) continue;
        double gp = gs == null ? g0 : gs[p];
        double grad = r == MEAN ? (f32 ? -((float) gp / (float) totalWeight) : -(gp / totalWeight)) : -gp;
        double w = tg.weight(p);
        k.set(seg, index(p, safe[p], classes, rest), f32 ? (float) (w * grad) : w * grad);
      }
      return out;
    });
  }

  /** Reads single elements of a tensor by row-major index: in place when contiguous, else from a copy. */
  private record Picked(MemorySegment seg, long offset, ElementKernels kernels, double[] copy) {
    static Picked of(Tensor t) {
      if (!t.isContiguous()) return new Picked(null, 0, null, t.toDoubleArray());
      Internals.TensorAccess access = Internals.tensors();
      return new Picked(access.storageSegment(t), access.offset(t), access.kernels(t), null);
    }

    double at(int index) {
      return copy != null ? copy[index] : kernels.get(seg, offset + index);
    }
  }

  /** Row-major index of class {@code c} at target position {@code p} in an (N, C, rest) input. */
  private static int index(int p, long c, long classes, long rest) {
    long n = p / rest, q = p % rest;
    return Math.toIntExact((n * classes + c) * rest + q);
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
      // PyTorch divides by a count (a Scalar: DivBackward1) or by the weights' sum (a tensor: DivBackward0)
      default -> weight == null ? divScalar(smooth.sum(), (double) (tg.safe().length - tg.ignoredCount()))
          : smooth.sum().div(tg.weightSum());
    };
    return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / classes));
  }

  /** {@code t / divisor} as PyTorch's C++ {@code div(Tensor, Scalar)} records it: {@code DivBackward1}. */
  private static Tensor divScalar(Tensor t, double divisor) {
    Tensor value;
    try (var noGrad = GradMode.noGrad()) {
      value = t.div(divisor);
    }
    return FusedNode.record("DivBackward1", value, new Tensor[] {t}, new Tensor[0], (i, g, v) -> g.div(divisor));
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
      default -> divScalar(prod.sum().neg(), input.numel() == 0 ? 0.0 : (double) (input.numel() / classes));
    };
  }
}
