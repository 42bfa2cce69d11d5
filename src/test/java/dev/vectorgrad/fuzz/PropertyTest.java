package dev.vectorgrad.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.testsupport.FiniteDifferences;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Algebraic properties on random shapes and strides (issue 11), as plain seeded loops: each case draws its shapes,
 * layouts and values from {@code new Random(seed)} and names the seed when it fails.
 *
 * <ul>
 *   <li>broadcasting commutes with permutation: {@code (a op b).permute(p) == a.permute(p) op b.permute(p)}, bit for
 *       bit, for strided (transposed, sliced, expanded) operands;</li>
 *   <li>a sum over all dims equals the sum of sums over each dim in turn and over any split of the dims, and (for a
 *       power-of-two numel) mean times numel equals sum (exact: multiples of 1/8 whose partial sums are all
 *       representable);</li>
 *   <li>gradients of linear ops (views, expand, slices, cat, index_select, sums, scaling, adding) are exact: backward
 *       gives, bit for bit, the difference quotient {@code L(x + e_j) - L(x)} of the weighted output, which is exact
 *       for such values;</li>
 *   <li>float64 finite-difference gradcheck of random compositions of smooth ops (PyTorch's {@code gradcheck}):
 *       central differences with eps 1e-6 within {@code 1e-6 * max(1, |numeric|)}, by the shared
 *       {@link FiniteDifferences}.</li>
 * </ul>
 */
class PropertyTest {

  static final int BROADCAST_CASES = 400;
  static final int SUM_CASES = 400;
  static final int LINEAR_CASES = 300;
  static final int GRADCHECK_CASES = 300;

  // ------------------------------------------------------------------------------------------------ helpers

  /** Multiples of 1/8 in [-4, 4]: sums and products of a few of them are exact in float32 and float64. */
  static double[] dyadic(Random r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = (r.nextInt(65) - 32) / 8.0;
    return v;
  }

  static long[] randomShape(Random r, int maxRank) {
    long[] s = new long[1 + r.nextInt(maxRank)];
    for (int i = 0; i < s.length; i++) s[i] = 1 + r.nextInt(4);
    return s;
  }

  static int numel(long[] shape) {
    return (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  static Tensor tensor(double[] values, long[] shape, DType dtype) {
    Tensor t = Tensor.of(values.clone(), shape);
    return dtype == DType.FLOAT64 ? t : t.to(dtype);
  }

  /**
   * A tensor of the given shape and values in a random layout: contiguous, a transposed copy seen through
   * transpose, a step-2 slice of a larger tensor, or (for size-1 dims) an expand.
   */
  static Tensor strided(Random r, double[] values, long[] shape, DType dtype) {
    Tensor dense = tensor(values, shape, dtype);
    int d = shape.length;
    switch (r.nextInt(3)) {
      case 0 -> {
        return dense;
      }
      case 1 -> {
        if (d < 2) return dense;
        // the same values, stored transposed: t.transpose(0, d-1) of a contiguous copy of the transposed tensor
        return dense.transpose(0, d - 1).contiguous().transpose(0, d - 1);
      }
      default -> {
        // every other element of a tensor twice as long along dim 0
        long[] big = shape.clone();
        big[0] = 2 * shape[0];
        Tensor wide = Tensor.zeros(dtype, big);
        wide.slice(0, 0, Long.MAX_VALUE, 2).copy_(dense);
        return wide.slice(0, 0, Long.MAX_VALUE, 2);
      }
    }
  }

  static double[] values(Tensor t) {
    return t.to(DType.FLOAT64).toDoubleArray();
  }

  static void assertBitsEqual(Tensor expected, Tensor actual, String what) {
    assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + ": shape");
    double[] e = values(expected), a = values(actual);
    for (int i = 0; i < e.length; i++) {
      if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(a[i]) && !(e[i] == a[i])) {
        fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + "\n  expected " + Arrays.toString(e)
            + "\n  actual   " + Arrays.toString(a));
      }
    }
  }

  static Stream<DynamicTest> cases(String name, int count, long base, CaseBody body) {
    return IntStream.range(0, count).mapToObj(i -> DynamicTest.dynamicTest(name + " #" + i + " (seed " + (base + i) + ")",
        () -> {
          try (TensorScope scope = TensorScope.open()) {
            body.run(new Random(base + i), base + i);
          }
        }));
  }

  @FunctionalInterface
  interface CaseBody {
    void run(Random r, long seed);
  }

  // ------------------------------------------------------------------------------------------------ broadcasting

  @TestFactory
  Stream<DynamicTest> broadcastingCommutesWithPermutation() {
    return cases("(a op b).permute(p) == a.permute(p) op b.permute(p)", BROADCAST_CASES, 11_000, (r, seed) -> {
      long[] shape = randomShape(r, 4);
      int d = shape.length;
      long[] bShape = shape.clone();
      for (int i = 0; i < d; i++) if (r.nextBoolean()) bShape[i] = 1;   // broadcast along random dims
      DType dtype = r.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
      Tensor a = strided(r, dyadic(r, numel(shape)), shape, dtype);
      Tensor b = strided(r, dyadic(r, numel(bShape)), bShape, dtype);
      List<Integer> perm = new ArrayList<>(IntStream.range(0, d).boxed().toList());
      java.util.Collections.shuffle(perm, r);
      int[] p = perm.stream().mapToInt(Integer::intValue).toArray();
      String op = List.of("add", "sub", "mul", "div", "maximum").get(r.nextInt(5));
      Function<Tensor[], Tensor> f = t -> switch (op) {
        case "add" -> t[0].add(t[1]);
        case "sub" -> t[0].sub(t[1]);
        case "mul" -> t[0].mul(t[1]);
        case "div" -> t[0].div(t[1].abs().add(0.5));
        default -> t[0].maximum(t[1]);
      };
      Tensor left = f.apply(new Tensor[] {a, b}).permute(p);
      Tensor right = f.apply(new Tensor[] {a.permute(p), b.permute(p)});
      assertBitsEqual(left, right, op + " of " + Arrays.toString(shape) + " and " + Arrays.toString(bShape)
          + ", permutation " + Arrays.toString(p) + " (seed " + seed + ")");
    });
  }

  // ------------------------------------------------------------------------------------------------ sums

  @TestFactory
  Stream<DynamicTest> sumOverAllDimsEqualsSumsOfSums() {
    return cases("x.sum() == sums over each dim in turn", SUM_CASES, 22_000, (r, seed) -> {
      long[] shape = randomShape(r, 4);
      int d = shape.length;
      DType dtype = r.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
      Tensor x = strided(r, dyadic(r, numel(shape)), shape, dtype);
      Tensor total = x.sum();
      String what = Arrays.toString(shape) + " " + dtype + " (seed " + seed + ")";
      // one dim at a time, from a random dim: always the last remaining dim index is valid
      Tensor y = x;
      for (int k = d; k > 0; k--) y = y.sum(new int[] {r.nextInt(k) - (r.nextBoolean() ? k : 0)}, false);
      assertBitsEqual(total, y, "sum of sums over single dims of " + what);
      // a random split of the dims: keepdim first, then the rest
      int[] first = IntStream.range(0, d).filter(i -> r.nextBoolean()).toArray();
      if (first.length > 0) {
        Tensor partial = x.sum(first, true);
        assertBitsEqual(total, partial.sum(), "sum over " + Arrays.toString(first) + " then over the rest of " + what);
      }
      int[] all = IntStream.range(0, d).map(i -> i - d).toArray();
      assertBitsEqual(total, x.sum(all, false), "sum over all dims listed (negative) of " + what);
      if (Long.bitCount(x.numel()) == 1) {   // dividing by a power of two is exact
        assertBitsEqual(total, x.mean().mul((double) x.numel()), "mean * numel of " + what);
      }
    });
  }

  // ------------------------------------------------------------------------------------------------ linear ops

  /** A random linear map built from views, copies and sums; its weighted output is linear in x. */
  static Tensor linear(Tensor x, int[] plan) {
    Tensor y = x;
    for (int op : plan) {
      int d = y.dim();
      y = switch (op) {
        case 0 -> y.transpose(0, d - 1);
        case 1 -> y.unsqueeze(0).expand(prepend(2, y.shape()));
        case 2 -> y.narrow(d - 1, 0, Math.max(1, y.shape()[d - 1] - 1));
        case 3 -> Tensor.cat(0, y, y.mul(2.0));
        case 4 -> y.indexSelect(0, Tensor.of(new long[] {0, 0, y.shape()[0] - 1}, 3));
        case 5 -> d > 1 ? y.sum(new int[] {-1}, false) : y.sum(new int[] {0}, true);
        case 6 -> y.add(y.select(0, 0).unsqueeze(0));
        default -> y.slice(0, 0, Long.MAX_VALUE, 2).mul(-0.5);
      };
    }
    return y;
  }

  static long[] prepend(long size, long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = size;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  @TestFactory
  Stream<DynamicTest> gradientsOfLinearOpsAreExact() {
    return cases("backward of a linear map == its exact difference quotient", LINEAR_CASES, 33_000, (r, seed) -> {
      long[] shape = randomShape(r, 3);
      int[] plan = r.ints(1 + r.nextInt(4), 0, 8).toArray();
      double[] x0 = dyadic(r, numel(shape));
      Tensor x = Tensor.of(x0.clone(), shape).requiresGrad_(true);
      Tensor y = linear(x, plan);
      double[] g = dyadic(r, (int) y.numel());
      y.backward(Tensor.of(g, y.shape()));
      assertNotNull(x.grad(), "x.grad() after backward (plan " + Arrays.toString(plan) + ", seed " + seed + ")");
      double[] grad = x.grad().toDoubleArray();
      double base = weighted(x0, shape, plan, g);
      for (int j = 0; j < x0.length; j++) {
        double[] xj = x0.clone();
        xj[j] += 1;
        double quotient = weighted(xj, shape, plan, g) - base;   // exact: L is linear, the values dyadic
        if (grad[j] != quotient) {
          fail("d/dx[" + j + "] of plan " + Arrays.toString(plan) + " on " + Arrays.toString(shape) + ": backward "
              + grad[j] + ", exact " + quotient + " (seed " + seed + ")\n  grad " + Arrays.toString(grad));
        }
      }
    });
  }

  private static double weighted(double[] x, long[] shape, int[] plan, double[] g) {
    try (TensorScope scope = TensorScope.open(); GradMode.Guard guard = GradMode.noGrad()) {
      double[] y = linear(Tensor.of(x.clone(), shape), plan).contiguous().toDoubleArray();
      double s = 0;
      for (int i = 0; i < y.length; i++) s += y[i] * g[i];
      return s;
    }
  }

  // ------------------------------------------------------------------------------------------------ gradcheck

  /** A random composition of smooth ops of x (and a second input w), bounded so that exp stays moderate. */
  static Tensor smooth(Tensor x, Tensor w, int[] plan) {
    Tensor y = x;
    for (int op : plan) {
      int d = y.dim();
      y = switch (op) {
        case 0 -> y.tanh();
        case 1 -> y.sigmoid().mul(y);
        case 2 -> y.tanh().exp();
        case 3 -> y.shape()[d - 1] == w.shape()[0] ? y.mul(w) : y.mul(w.sum().tanh());
        case 4 -> y.div(y.square().add(1.0));
        case 5 -> y.sin().add(y.cos().mul(w.sum()));
        case 6 -> y.softmax(d - 1);
        case 7 -> y.logSoftmax(0);
        case 8 -> y.logsumexp(new int[] {d - 1}, true);
        case 9 -> y.mean(new int[] {0}, true).add(y);
        case 10 -> y.transpose(0, d - 1).contiguous().transpose(0, d - 1).mul(2.0);
        case 11 -> y.unsqueeze(0).expand(prepend(2, y.shape())).sum(new int[] {0}, false).mul(0.5);
        case 12 -> y.mul(y.matmul(y.mT()).tanh().mean());
        default -> y.pow(2.0).add(1.0).sqrt();
      };
    }
    return y;
  }

  @TestFactory
  Stream<DynamicTest> float64GradcheckOfRandomCompositions() {
    return cases("gradcheck of a random composition", GRADCHECK_CASES, 44_000, (r, seed) -> {
      long[] shape = {1 + r.nextInt(3), 1 + r.nextInt(4)};
      int[] plan = r.ints(2 + r.nextInt(4), 0, 14).toArray();
      double[] x0 = r.doubles(numel(shape), -1.5, 1.5).toArray();
      double[] w0 = r.doubles(shape[1], -1.5, 1.5).toArray();
      Tensor x = Tensor.of(x0.clone(), shape).requiresGrad_(true);
      Tensor w = Tensor.of(w0.clone(), shape[1]).requiresGrad_(true);
      Tensor y = smooth(x, w, plan);
      double[] g = r.doubles(y.numel(), -1, 1).toArray();
      y.backward(Tensor.of(g, y.shape()));
      String what = "plan " + Arrays.toString(plan) + " on " + Arrays.toString(shape) + " (seed " + seed + ")";
      assertNotNull(x.grad(), "no grad for x of " + what);
      FiniteDifferences.assertMatches("x of " + what, x0, x.grad().toDoubleArray(),
          () -> weightedSmooth(x0, w0, shape, plan, g));
      if (w.grad() != null) {
        FiniteDifferences.assertMatches("w of " + what, w0, w.grad().toDoubleArray(),
            () -> weightedSmooth(x0, w0, shape, plan, g));
      }
    });
  }

  /** The objective of the vector-Jacobian product: sum(smooth(x, w) * g), without recording a graph. */
  private static double weightedSmooth(double[] x, double[] w, long[] shape, int[] plan, double[] g) {
    try (TensorScope scope = TensorScope.open(); GradMode.Guard guard = GradMode.noGrad()) {
      double[] y = smooth(Tensor.of(x.clone(), shape), Tensor.of(w.clone(), w.length), plan).contiguous()
          .toDoubleArray();
      return FiniteDifferences.weighted(y, g);
    }
  }
}
