package dev.vectorgrad;

import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.KernelProvider;
import dev.vectorgrad.kernels.Kernels;
import dev.vectorgrad.kernels.Parallel;
import dev.vectorgrad.kernels.ScalarKernelProvider;
import dev.vectorgrad.testsupport.FiniteDifferences;
import dev.vectorgrad.testsupport.NoGrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The reductions and softmax of issue 7 (max/min/amax/argmax, prod, var/std, logsumexp, norm,
 * cumsum, all/any/count_nonzero, softmax/log_softmax): float64 finite-difference gradient checks of
 * every differentiable op on contiguous and strided inputs; PyTorch 1.13's tie, NaN, signed-zero,
 * edge-case and error rules, with the expected values taken from real PyTorch (the Python line that
 * produced them is quoted next to each); softmax at logits of 1e4; and the kernels added for them
 * (max/min, exp(x - shift) with its sum) on the Vector API against their scalar twins at odd sizes.
 */
class ReductionsMathTest {

  // ============================================================================ gradient checks

  /**
   * Central finite differences in float64, as {@link GradCheckTest}: for {@code y = f(x)} and a random
   * upstream gradient {@code g}, backward must give the gradient of {@code sum(f(x) * g)}.
   */
  @Nested
  class GradCheck {

    /** How an input's values are drawn. */
    private enum Values { NORMAL, AWAY_FROM_ZERO, POSITIVE, ONE_ZERO }

    private record Input(long[] shape, Values values) {
      int numel() {
        return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
      }
    }

    private static Input x(long... shape) {
      return new Input(shape, Values.NORMAL);
    }

    /** Magnitudes in [0.5, 2], either sign: no zeros (p < 1 norms, p = 1 norm kinks). */
    private static Input nz(long... shape) {
      return new Input(shape, Values.AWAY_FROM_ZERO);
    }

    /** A normal input whose first element is exactly 0 (prod's zero path). */
    private static Input oneZero(long... shape) {
      return new Input(shape, Values.ONE_ZERO);
    }

    private record Check(String name, Function<Tensor[], Tensor> f, List<Input> inputs) {}

    private static Check check(String name, Function<Tensor[], Tensor> f, Input... inputs) {
      return new Check(name, f, List.of(inputs));
    }

    // strided views of a leaf: a transpose, a step-2 slice, a permutation
    private static Tensor tr(Tensor t) {
      return t.t();
    }

    private static Tensor step2(Tensor t) {
      return t.slice(1, 0, Long.MAX_VALUE, 2);
    }

    private static Tensor perm(Tensor t) {
      return t.permute(2, 0, 1);
    }

    private static final double INF = Double.POSITIVE_INFINITY;

    private static List<Check> checks() {
      List<Check> c = new ArrayList<>();
      // max / min / amax / amin: random values have no ties
      c.add(check("max()", t -> t[0].max(), x(3, 4)));
      c.add(check("min()", t -> t[0].min(), x(3, 4)));
      c.add(check("t().max()", t -> tr(t[0]).max(), x(4, 3)));
      c.add(check("step2.min()", t -> step2(t[0]).min(), x(3, 6)));
      c.add(check("0-dim max()", t -> t[0].max(), x()));
      c.add(check("max(1)", t -> t[0].max(1, false).values(), x(3, 4)));
      c.add(check("max(0, keepdim)", t -> t[0].max(0, true).values(), x(3, 4)));
      c.add(check("min(-1)", t -> t[0].min(-1, false).values(), x(2, 3, 4)));
      c.add(check("t().max(1)", t -> tr(t[0]).max(1, false).values(), x(4, 3)));
      c.add(check("permute.min(1, keepdim)", t -> perm(t[0]).min(1, true).values(), x(2, 3, 4)));
      c.add(check("0-dim max(0)", t -> t[0].max(0, false).values(), x()));
      c.add(check("amax([1])", t -> t[0].amax(new int[] {1}, false), x(3, 4)));
      c.add(check("amax([0, 2], keepdim)", t -> t[0].amax(new int[] {0, 2}, true), x(2, 3, 4)));
      c.add(check("amax([])", t -> t[0].amax(new int[0], false), x(3, 4)));
      c.add(check("amin([-1])", t -> t[0].amin(new int[] {-1}, false), x(3, 4)));
      c.add(check("step2.amin([0])", t -> step2(t[0]).amin(new int[] {0}, false), x(3, 6)));
      c.add(check("permute.amax([1, 2])", t -> perm(t[0]).amax(new int[] {1, 2}, false), x(2, 3, 4)));
      // prod
      c.add(check("prod()", t -> t[0].prod(), x(2, 3)));
      c.add(check("prod() with a zero", t -> t[0].prod(), oneZero(2, 3)));
      c.add(check("t().prod()", t -> tr(t[0]).prod(), x(3, 2)));
      c.add(check("step2.prod() with a zero", t -> step2(t[0]).prod(), oneZero(2, 4)));
      c.add(check("0-dim prod()", t -> t[0].prod(), x()));
      // var / std
      c.add(check("var()", t -> t[0].var(), x(3, 4)));
      c.add(check("std()", t -> t[0].std(), x(3, 4)));
      c.add(check("var([1], 0)", t -> t[0].var(new int[] {1}, 0, false), x(3, 4)));
      c.add(check("var([0], 2, keepdim)", t -> t[0].var(new int[] {0}, 2, true), x(4, 3)));
      c.add(check("var([-1], -1)", t -> t[0].var(new int[] {-1}, -1, false), x(3, 4)));
      c.add(check("std([0, 2], 1)", t -> t[0].std(new int[] {0, 2}, 1, false), x(2, 3, 4)));
      c.add(check("std([1], 0, keepdim)", t -> t[0].std(new int[] {1}, 0, true), x(3, 4)));
      c.add(check("t().var([1], 1)", t -> tr(t[0]).var(new int[] {1}, 1, false), x(4, 3)));
      c.add(check("step2.std()", t -> step2(t[0]).std(), x(3, 6)));
      c.add(check("permute.std([0, 1], 1, keepdim)", t -> perm(t[0]).std(new int[] {0, 1}, 1, true), x(2, 3, 4)));
      // logsumexp
      c.add(check("logsumexp([1])", t -> t[0].logsumexp(new int[] {1}, false), x(3, 4)));
      c.add(check("logsumexp([0, 1], keepdim)", t -> t[0].logsumexp(new int[] {0, 1}, true), x(3, 4)));
      c.add(check("logsumexp([-1]) of large values", t -> t[0].mul(100.0).logsumexp(new int[] {-1}, false), x(3, 4)));
      c.add(check("t().logsumexp([1])", t -> tr(t[0]).logsumexp(new int[] {1}, false), x(4, 3)));
      c.add(check("permute.logsumexp([0, 2])", t -> perm(t[0]).logsumexp(new int[] {0, 2}, false), x(2, 3, 4)));
      c.add(check("logsumexp([]) (all dims)", t -> t[0].logsumexp(new int[0], false), x(3, 4)));
      // norm
      c.add(check("norm()", t -> t[0].norm(), x(3, 4)));
      c.add(check("norm(2, [1])", t -> t[0].norm(2, new int[] {1}, false), x(3, 4)));
      c.add(check("norm(1, [0])", t -> t[0].norm(1, new int[] {0}, false), nz(3, 4)));
      c.add(check("norm(inf, [1])", t -> t[0].norm(INF, new int[] {1}, false), x(3, 4)));
      c.add(check("norm(-inf, [0], keepdim)", t -> t[0].norm(-INF, new int[] {0}, true), x(3, 4)));
      c.add(check("norm(3, [])", t -> t[0].norm(3, new int[0], false), x(3, 4)));
      c.add(check("norm(1.5, [1])", t -> t[0].norm(1.5, new int[] {1}, false), nz(3, 4)));
      c.add(check("norm(0.5, [1])", t -> t[0].norm(0.5, new int[] {1}, false), nz(3, 4)));
      c.add(check("norm(-1, [0])", t -> t[0].norm(-1, new int[] {0}, false), nz(3, 4)));
      c.add(check("norm(-2.5)", t -> t[0].norm(-2.5, new int[0], false), nz(3, 4)));
      c.add(check("t().norm(2, [1])", t -> tr(t[0]).norm(2, new int[] {1}, false), x(4, 3)));
      c.add(check("step2.norm(3, [1], keepdim)", t -> step2(t[0]).norm(3, new int[] {1}, true), x(3, 6)));
      c.add(check("permute.norm(inf, [0, 2])", t -> perm(t[0]).norm(INF, new int[] {0, 2}, false), x(2, 3, 4)));
      c.add(check("t().norm(0.5)", t -> tr(t[0]).norm(0.5, new int[0], false), nz(4, 3)));
      // cumsum
      c.add(check("cumsum(0)", t -> t[0].cumsum(0), x(3, 4)));
      c.add(check("cumsum(-1)", t -> t[0].cumsum(-1), x(3, 4)));
      c.add(check("t().cumsum(1)", t -> tr(t[0]).cumsum(1), x(4, 3)));
      c.add(check("permute.cumsum(1)", t -> perm(t[0]).cumsum(1), x(2, 3, 4)));
      c.add(check("0-dim cumsum(0)", t -> t[0].cumsum(0), x()));
      c.add(check("cumsum over a size-1 dim", t -> t[0].cumsum(1), x(3, 1)));
      // softmax / log_softmax
      c.add(check("softmax(1)", t -> t[0].softmax(1), x(3, 4)));
      c.add(check("softmax(0)", t -> t[0].softmax(0), x(3, 4)));
      c.add(check("softmax(1) of (2, 3, 4)", t -> t[0].softmax(1), x(2, 3, 4)));
      c.add(check("t().softmax(-1)", t -> tr(t[0]).softmax(-1), x(4, 3)));
      c.add(check("step2.softmax(1)", t -> step2(t[0]).softmax(1), x(3, 6)));
      c.add(check("permute.softmax(0)", t -> perm(t[0]).softmax(0), x(2, 3, 4)));
      c.add(check("0-dim softmax(0)", t -> t[0].softmax(0), x()));
      c.add(check("logSoftmax(1)", t -> t[0].logSoftmax(1), x(3, 4)));
      c.add(check("logSoftmax(0)", t -> t[0].logSoftmax(0), x(3, 4)));
      c.add(check("t().logSoftmax(-1)", t -> tr(t[0]).logSoftmax(-1), x(4, 3)));
      c.add(check("permute.logSoftmax(2)", t -> perm(t[0]).logSoftmax(2), x(2, 3, 4)));
      c.add(check("logSoftmax of large logits", t -> t[0].mul(1000.0).logSoftmax(1), x(3, 4)));
      // compositions
      c.add(check("cross-entropy: -(logSoftmax(1) * w).sum()", t -> t[0].logSoftmax(1).mul(t[1]).sum().neg(), x(3, 4), x(3, 4)));
      c.add(check("softmax(1).max(1)", t -> t[0].softmax(1).max(1, false).values(), x(3, 4)));
      c.add(check("(x - x.amax([1], keepdim)).exp().sum()", t -> t[0].sub(t[0].amax(new int[] {1}, true)).exp().sum(), x(3, 4)));
      c.add(check("x.std([1]) / x.norm()", t -> t[0].std(new int[] {1}, 1, false).div(t[0].norm()), x(3, 4)));
      return c;
    }

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferences() {
      return checks().stream().map(c -> DynamicTest.dynamicTest(c.name() + " " + shapesOf(c), () -> run(c)));
    }

    private static void run(Check c) {
      Random random = new Random(c.name().hashCode());
      List<double[]> values = new ArrayList<>();
      for (Input in : c.inputs()) values.add(randomValues(in, random));
      Tensor[] leaves = new Tensor[values.size()];
      for (int i = 0; i < leaves.length; i++) leaves[i] = float64(values.get(i), c.inputs().get(i).shape()).requiresGrad_(true);
      Tensor y = c.f().apply(leaves);
      double[] upstream = new double[Math.toIntExact(y.numel())];
      for (int j = 0; j < upstream.length; j++) upstream[j] = random.nextGaussian();
      y.backward(float64(upstream, y.shape()));
      for (int i = 0; i < leaves.length; i++) {
        Tensor grad = leaves[i].grad();
        assertNotNull(grad, "input " + i + " should have a grad");
        assertArrayEquals(leaves[i].shape(), grad.shape(), "grad shape of input " + i);
        assertEquals(DType.FLOAT64, grad.dtype(), "grad dtype of input " + i);
        FiniteDifferences.assertMatches(c.name() + ": input " + i, values.get(i), grad.toDoubleArray(),
            () -> weightedOutput(c, values, upstream));
      }
    }

    private static double weightedOutput(Check c, List<double[]> values, double[] upstream) {
      double[] y = NoGrad.call(() -> {
        Tensor[] inputs = new Tensor[values.size()];
        for (int i = 0; i < inputs.length; i++) inputs[i] = float64(values.get(i), c.inputs().get(i).shape());
        return c.f().apply(inputs).toDoubleArray();
      });
      return FiniteDifferences.weighted(y, upstream);
    }

    private static double[] randomValues(Input in, Random random) {
      double[] v = new double[in.numel()];
      for (int j = 0; j < v.length; j++) {
        v[j] = switch (in.values()) {
          case NORMAL, ONE_ZERO -> random.nextGaussian();
          case AWAY_FROM_ZERO -> (0.5 + 1.5 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
          case POSITIVE -> 0.5 + 1.5 * random.nextDouble();
        };
      }
      if (in.values() == Values.ONE_ZERO) v[0] = 0;
      return v;
    }

    private static String shapesOf(Check c) {
      return c.inputs().stream().map(in -> Arrays.toString(in.shape())).toList().toString();
    }
  }

  // ============================================================================ helpers

  private static final double NAN = Double.NaN;
  private static final double INF = Double.POSITIVE_INFINITY;

  private static Tensor float64(double[] values, long[] shape) {
    return shape.length == 0 ? Tensor.full(DType.FLOAT64, values[0]) : Tensor.of(values.clone(), shape);
  }

  /** A float64 tensor; without a shape, 1-D. */
  private static Tensor f64(double[] values, long... shape) {
    return Tensor.of(values.clone(), shape.length == 0 ? new long[] {values.length} : shape);
  }

  private static Tensor leaf(double[] values, long... shape) {
    return f64(values, shape).requiresGrad_(true);
  }

  /** A 0-dim float64 leaf. */
  private static Tensor leaf0(double value) {
    return Tensor.full(DType.FLOAT64, value).requiresGrad_(true);
  }

  /** Same values, NaN matching NaN, zeros matching with their sign. */
  private static void assertSame(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
        fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + "\n  expected "
            + Arrays.toString(expected) + "\n  actual   " + Arrays.toString(actual));
      }
    }
  }

  private static void assertClose(double[] expected, double[] actual, double rtol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i], a = actual[i];
      boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Double.isInfinite(e) ? e == a : Math.abs(e - a) <= rtol * Math.max(Math.abs(e), 1e-300);
      if (!ok) {
        fail(what + ": element " + i + " is " + a + ", expected " + e + "\n  expected " + Arrays.toString(expected)
            + "\n  actual   " + Arrays.toString(actual));
      }
    }
  }

  /** The output's value(s) and the leaf's gradient after {@code y.backward(ones)}. */
  private record Result(double[] values, double[] grad, String node) {}

  private static Result backward(Tensor x, Tensor y) {
    String node = y.gradFn() == null ? null : y.gradFn().name();
    double[] values = y.toDoubleArray();
    y.backward(Tensor.ones(y.dtype(), y.shape()));
    return new Result(values, x.grad() == null ? null : x.grad().toDoubleArray(), node);
  }

  private static void assertThrowsMessage(Class<? extends Throwable> type, String message, Runnable r) {
    Throwable t = assertThrows(type, r::run);
    assertEquals(message, t.getMessage());
  }

  // ============================================================================ max, min, amax, argmax: PyTorch's rules

  @Nested
  class ExtremaRules {
    /** torch.tensor([[3.,1,3,1,...]] * 2) (19 per row): .max(1).indices [0, 0], .min(1).indices [1, 1], argmax() 0, argmin() 1. */
    @Test
    void tiesGiveTheFirstOccurrence() {
      double[] row = new double[19];
      for (int i = 0; i < row.length; i++) row[i] = i % 2 == 0 ? 3 : 1;
      double[] both = new double[38];
      System.arraycopy(row, 0, both, 0, 19);
      System.arraycopy(row, 0, both, 19, 19);
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
        Tensor a = f64(both, 2, 19).to(dtype);
        assertArrayEquals(new long[] {0, 0}, a.max(1, false).indices().toLongArray(), dtype + " max(1)");
        assertArrayEquals(new long[] {1, 1}, a.min(1, false).indices().toLongArray(), dtype + " min(1)");
        assertArrayEquals(new long[] {0, 0}, a.argmax(1, false).toLongArray(), dtype + " argmax(1)");
        assertArrayEquals(new long[] {1, 1}, a.argmin(1, false).toLongArray(), dtype + " argmin(1)");
        assertEquals(0, a.argmax().item());
        assertEquals(1, a.argmin().item());
        // torch.tensor([2.,5,5,1,1,5]): max(0).indices 1, min(0).indices 3, argmax() 1, argmin() 3
        Tensor b = f64(new double[] {2, 5, 5, 1, 1, 5}).to(dtype);
        assertEquals(1, b.max(0, false).indices().item());
        assertEquals(3, b.min(0, false).indices().item());
        assertEquals(1, b.argmax().item());
        assertEquals(3, b.argmin().item());
      }
      // a transposed (strided) input: the same rule along its dim
      Tensor t = f64(both, 2, 19).t();
      assertArrayEquals(new long[] {0, 0}, t.max(0, false).indices().toLongArray());
      assertArrayEquals(new long[] {1, 1}, t.argmin(0, false).toLongArray());
    }

    /** torch.tensor([1., nan, 3., nan]): max(0) (nan, 1), min(0) (nan, 1), argmax() 1, argmin() 1, max() nan, amax(0) nan. */
    @Test
    void nanPropagatesAndItsIndexIsTheFirstNan() {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        Tensor c = f64(new double[] {1, NAN, 3, NAN}).to(dtype);
        ValuesIndices mx = c.max(0, false), mn = c.min(0, false);
        assertTrue(Double.isNaN(mx.values().item()));
        assertEquals(1, mx.indices().item());
        assertTrue(Double.isNaN(mn.values().item()));
        assertEquals(1, mn.indices().item());
        assertEquals(1, c.argmax().item());
        assertEquals(1, c.argmin().item());
        assertTrue(Double.isNaN(c.max().item()));
        assertTrue(Double.isNaN(c.min().item()));
        assertTrue(Double.isNaN(c.amax(new int[] {0}, false).item()));
        assertTrue(Double.isNaN(c.amin(new int[] {0}, false).item()));
        // torch.tensor([nan, 5., nan]).max(0).indices: 0
        assertEquals(0, f64(new double[] {NAN, 5, NAN}).to(dtype).max(0, false).indices().item());
      }
    }

    /** A NaN among many elements (every vector lane and the tail), contiguous and strided, float32 and float64. */
    @Test
    void nanPropagatesThroughLongAndStridedInputs() {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int at : new int[] {0, 5, 63, 100, 1024, 1032}) {
          double[] v = new double[1033];
          Random r = new Random(at);
          for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
          v[at] = NAN;
          Tensor a = f64(v).to(dtype);
          assertTrue(Double.isNaN(a.max().item()), "max, NaN at " + at);
          assertTrue(Double.isNaN(a.min().item()), "min, NaN at " + at);
          assertEquals(at, a.argmax().item());
          Tensor s = f64(v, 1, 1033).expand(3, 1033).t();
          assertTrue(Double.isNaN(s.max().item()), "strided max, NaN at " + at);
          assertTrue(Double.isNaN(s.min().item()), "strided min, NaN at " + at);
        }
      }
    }

    /**
     * Lines of 16 elements and more are searched with the vector max kernel first: the same first-index,
     * NaN and value rules as the element loop of short lines (checked here against a plain loop).
     */
    @Test
    void longLinesFollowTheSameRules() {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int n : new int[] {15, 16, 17, 33, 100, 1025}) {
          Random r = new Random(n);
          double[] v = new double[3 * n];
          for (int i = 0; i < v.length; i++) v[i] = Math.floor(r.nextGaussian() * 4);   // many ties
          v[n + n / 2] = NAN;                                                              // row 1 has a NaN...
          v[n + n - 1] = NAN;                                                              // ...and a later one
          Tensor x = f64(v, 3, n).to(dtype);
          double[] xv = x.toDoubleArray();
          ValuesIndices mx = x.max(1, false), mn = x.min(1, false);
          Tensor am = x.amax(new int[] {1}, false), an = x.amin(new int[] {1}, false);
          for (int row = 0; row < 3; row++) {
            int best = 0, worst = 0;
            for (int j = 1; j < n; j++) {
              double a = xv[row * n + j];
              if (Double.isNaN(xv[row * n + best])) break;
              if (!(a <= xv[row * n + best])) best = j;
            }
            for (int j = 1; j < n; j++) {
              double a = xv[row * n + j];
              if (Double.isNaN(xv[row * n + worst])) break;
              if (!(a >= xv[row * n + worst])) worst = j;
            }
            assertEquals(best, mx.indices().toLongArray()[row], dtype + " n=" + n + " max index of row " + row);
            assertEquals(worst, mn.indices().toLongArray()[row], dtype + " n=" + n + " min index of row " + row);
            assertEquals(xv[row * n + best], mx.values().toDoubleArray()[row]);
            assertEquals(xv[row * n + worst], mn.values().toDoubleArray()[row]);
            assertEquals(xv[row * n + best], am.toDoubleArray()[row]);
            assertEquals(xv[row * n + worst], an.toDoubleArray()[row]);
          }
          assertEquals(n / 2, mx.indices().toLongArray()[1], "the first NaN of row 1");
          assertEquals(argmaxFlat(xv), x.argmax().toLongArray()[0]);
        }
      }
    }

    private static long argmaxFlat(double[] v) {
      int best = 0;
      for (int j = 1; j < v.length && !Double.isNaN(v[best]); j++) if (!(v[j] <= v[best])) best = j;
      return best;
    }

    /**
     * torch: x.max() / x.min() split the gradient evenly among the tied elements (among the NaNs when the
     * result is NaN).
     * <pre>
     * x=[[1.,3,3],[2,2,1]]; x.max().backward() -> [0, .5, .5, 0, 0, 0] (MaxBackward1)
     * x=[[1.,nan,3],[2,nan,1]]; x.max().backward() -> [0, .5, 0, 0, .5, 0]
     * x=[[1.,3,1],[2,2,1]]; x.min().backward() -> [1/3, 0, 1/3, 0, 0, 1/3] (MinBackward1)
     * </pre>
     */
    @Test
    void allReductionSplitsTheGradientAmongTies() {
      Tensor x = leaf(new double[] {1, 3, 3, 2, 2, 1}, 2, 3);
      Result r = backward(x, x.max());
      assertEquals("MaxBackward1", r.node());
      assertSame(new double[] {3}, r.values(), "max()");
      assertSame(new double[] {0, .5, .5, 0, 0, 0}, r.grad(), "max() grad");
      x = leaf(new double[] {1, NAN, 3, 2, NAN, 1}, 2, 3);
      r = backward(x, x.max());
      assertSame(new double[] {0, .5, 0, 0, .5, 0}, r.grad(), "max() grad with NaN");
      x = leaf(new double[] {1, 3, 1, 2, 2, 1}, 2, 3);
      r = backward(x, x.min());
      assertEquals("MinBackward1", r.node());
      assertClose(new double[] {1 / 3., 0, 1 / 3., 0, 0, 1 / 3.}, r.grad(), 0, "min() grad");
      // float32: grad / count rounded in float32
      Tensor xf = f64(new double[] {1, 3, 1, 2, 2, 1}, 2, 3).to(DType.FLOAT32).requiresGrad_(true);
      r = backward(xf, xf.min());
      float third = 1f / 3f;
      assertSame(new double[] {third, 0, third, 0, 0, third}, r.grad(), "float32 min() grad");
    }

    /**
     * <pre>
     * x=[[1.,nan,3],[2,2,1]]; x.amax([1]).backward(ones) -> values [nan, 2], grad [nan,nan,nan, .5,.5,0] (AmaxBackward0)
     * x=[[1.,2,3],[1,0,3]]; x.amin([0]).backward(ones) -> values [1, 0, 3], grad [.5, 0, .5, .5, 1, .5] (AminBackward0)
     * x=[[1.,3,3],[3,2,1]]; x.amax([]).backward() -> 3, grad [0, 1/3, 1/3, 1/3, 0, 0]
     * </pre>
     */
    @Test
    void amaxSplitsTheGradientAmongEachSlicesTies() {
      Tensor x = leaf(new double[] {1, NAN, 3, 2, 2, 1}, 2, 3);
      Result r = backward(x, x.amax(new int[] {1}, false));
      assertEquals("AmaxBackward0", r.node());
      assertSame(new double[] {NAN, 2}, r.values(), "amax values");
      assertSame(new double[] {NAN, NAN, NAN, .5, .5, 0}, r.grad(), "amax grad");
      x = leaf(new double[] {1, 2, 3, 1, 0, 3}, 2, 3);
      r = backward(x, x.amin(new int[] {0}, false));
      assertEquals("AminBackward0", r.node());
      assertSame(new double[] {1, 0, 3}, r.values(), "amin values");
      assertSame(new double[] {.5, 0, .5, .5, 1, .5}, r.grad(), "amin grad");
      x = leaf(new double[] {1, 3, 3, 3, 2, 1}, 2, 3);
      r = backward(x, x.amax(new int[0], false));
      assertClose(new double[] {0, 1 / 3., 1 / 3., 1 / 3., 0, 0}, r.grad(), 0, "amax([]) grad");
    }

    /**
     * <pre>
     * x=[[1.,nan,nan],[2,2,1]]; x.max(1).values.backward(ones) -> [nan, 2], grad [0,1,0, 1,0,0] (MaxBackward0)
     * x=[[1.,0,3],[1,0,-3]]; x.min(0, True).values.backward(ones) -> [1, 0, -3], grad [1,1,0, 0,0,1] (MinBackward0)
     * </pre>
     */
    @Test
    void maxAlongADimSendsTheGradientToTheSelectedIndex() {
      Tensor x = leaf(new double[] {1, NAN, NAN, 2, 2, 1}, 2, 3);
      ValuesIndices vi = x.max(1, false);
      assertArrayEquals(new long[] {1, 0}, vi.indices().toLongArray());
      assertEquals(DType.INT64, vi.indices().dtype());
      Result r = backward(x, vi.values());
      assertEquals("MaxBackward0", r.node());
      assertSame(new double[] {NAN, 2}, r.values(), "max(1) values");
      assertSame(new double[] {0, 1, 0, 1, 0, 0}, r.grad(), "max(1) grad");
      x = leaf(new double[] {1, 0, 3, 1, 0, -3}, 2, 3);
      vi = x.min(0, true);
      assertArrayEquals(new long[] {1, 3}, vi.values().shape());
      assertArrayEquals(new long[] {1, 3}, vi.indices().shape());
      r = backward(x, vi.values());
      assertEquals("MinBackward0", r.node());
      assertSame(new double[] {1, 1, 0, 0, 0, 1}, r.grad(), "min(0) grad");
    }

    /**
     * <pre>
     * for v in ([-0.0, 0.0], [0.0, -0.0]): t.max(), t.min(), t.max(0).values, t.min(0).values, t.amax(0), t.amin(0)
     *   [-0.0, 0.0] -> 0.0, 0.0, -0.0, -0.0, -0.0, -0.0
     *   [0.0, -0.0] -> -0.0, -0.0, 0.0, 0.0, 0.0, 0.0
     * </pre>
     * max()/min() keep the later of equal values, max(dim) and amax the first.
     */
    @Test
    void signedZerosFollowPyTorch() {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        Tensor a = f64(new double[] {-0.0, 0.0}).to(dtype), b = f64(new double[] {0.0, -0.0}).to(dtype);
        int[] d0 = {0};
        assertSame(new double[] {0.0, 0.0, -0.0, -0.0, -0.0, -0.0}, new double[] {a.max().item(), a.min().item(),
            a.max(0, false).values().item(), a.min(0, false).values().item(), a.amax(d0, false).item(), a.amin(d0, false).item()}, dtype + " [-0, 0]");
        assertSame(new double[] {-0.0, -0.0, 0.0, 0.0, 0.0, 0.0}, new double[] {b.max().item(), b.min().item(),
            b.max(0, false).values().item(), b.min(0, false).values().item(), b.amax(d0, false).item(), b.amin(d0, false).item()}, dtype + " [0, -0]");
      }
    }

    /**
     * <pre>
     * torch.tensor([3,5,5,1]).max(0) -> (5, 1); torch.tensor([[True,False],[True,True]]).min(1) -> ([False, True], [1, 0])
     * torch.tensor([False,True]).max() -> True; .amin(0) -> False; torch.tensor(2**62+1).max() exact
     * </pre>
     */
    @Test
    void integerAndBoolInputsKeepTheirDtype() {
      Tensor i = Tensor.of(new long[] {3, 5, 5, 1});
      ValuesIndices vi = i.max(0, false);
      assertEquals(DType.INT64, vi.values().dtype());
      assertEquals(5, vi.values().item());
      assertEquals(1, vi.indices().item());
      Tensor b = Tensor.of(new boolean[] {true, false, true, true}, 2, 2);
      vi = b.min(1, false);
      assertEquals(DType.BOOL, vi.values().dtype());
      assertArrayEquals(new boolean[] {false, true}, vi.values().toBooleanArray());
      assertArrayEquals(new long[] {1, 0}, vi.indices().toLongArray());
      Tensor bb = Tensor.of(new boolean[] {false, true});
      assertEquals(DType.BOOL, bb.max().dtype());
      assertEquals(1, bb.max().item());
      assertEquals(0, bb.amin(new int[] {0}, false).item());
      long big = (1L << 62) + 1;
      Tensor l = Tensor.of(new long[] {big, 1L << 62});
      assertEquals(big, l.max().toLongArray()[0]);
      assertEquals(big, l.amax(new int[] {0}, false).toLongArray()[0]);
      assertEquals(0, l.argmax().item());
      assertEquals(DType.INT64, l.argmax().dtype());
    }

    @Test
    void zeroDimInputsReduceToThemselves() {
      Tensor s = Tensor.full(DType.FLOAT32, 2.5);
      assertEquals(2.5, s.max(0, false).values().item());
      assertEquals(0, s.max(-1, true).indices().item());
      assertEquals(0, s.max(0, false).values().dim());
      assertEquals(0, s.argmax(0, false).item());
      assertEquals(2.5, s.amax(new int[] {0}, false).item());
      assertEquals(2.5, s.amin(new int[0], false).item());
    }

    /** The messages of torch 1.13 (RuntimeError / IndexError there). */
    @Test
    void errorsAsPyTorch() {
      Tensor e = Tensor.zeros(0, 3);
      assertThrowsMessage(IllegalArgumentException.class, "max(): Expected reduction dim to be specified for input.numel() == 0. "
          + "Specify the reduction dim with the 'dim' argument.", e::max);
      assertThrowsMessage(IllegalArgumentException.class, "min(): Expected reduction dim to be specified for input.numel() == 0. "
          + "Specify the reduction dim with the 'dim' argument.", e::min);
      assertThrowsMessage(IllegalArgumentException.class, "max(): Expected reduction dim 0 to have non-zero size.", () -> e.max(-2, false));
      assertThrowsMessage(IllegalArgumentException.class, "min(): Expected reduction dim 0 to have non-zero size.", () -> e.min(0, true));
      assertEquals(0, e.max(1, false).values().numel());   // e.max(1): empty values and indices
      assertArrayEquals(new long[] {0}, e.max(1, false).indices().shape());
      assertThrowsMessage(IllegalArgumentException.class, "argmax(): Expected reduction dim to be specified for input.numel() == 0.", e::argmax);
      assertThrowsMessage(IllegalArgumentException.class, "amax(): Expected reduction dim 0 to have non-zero size.",
          () -> e.amax(new int[] {0}, false));
      assertThrowsMessage(IllegalArgumentException.class, "amin(): Expected reduction dim to be specified for input.numel() == 0. "
          + "Specify the reduction dim with the 'dim' argument.", () -> e.amin(new int[0], false));
      assertEquals(0, e.amax(new int[] {1}, false).numel());
      Tensor e3 = Tensor.zeros(2, 0, 3);
      assertThrowsMessage(IllegalArgumentException.class, "amin(): Expected reduction dim -2 to have non-zero size.",
          () -> e3.amin(new int[] {-1, -2}, false));
      Tensor x = Tensor.zeros(2, 3);
      assertThrowsMessage(IllegalArgumentException.class, "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
          () -> x.max(2, false));
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims",
          () -> x.amax(new int[] {0, -2}, false));
      Tensor b = Tensor.of(new boolean[] {true, false});
      assertThrowsMessage(IllegalArgumentException.class, "\"argmax_cpu\" not implemented for 'Bool'", b::argmax);
      assertThrowsMessage(IllegalArgumentException.class, "\"argmin_cpu\" not implemented for 'Bool'", b::argmin);
      assertThrowsMessage(IllegalArgumentException.class, "\"argmax_cpu\" not implemented for 'Bool'",
          () -> Extrema.argAlongDim(b, 0, false, true));
      assertThrowsMessage(IllegalArgumentException.class, "argmin(): Expected reduction dim 0 to have non-zero size.",
          () -> Extrema.argAlongDim(e, 0, false, false));
    }

    @Test
    void maxAlongADimBackwardFailsOnceItsIndicesChanged() {
      Tensor x = leaf(new double[] {1, 4, 2, 3}, 2, 2);
      ValuesIndices vi = x.max(1, false);
      vi.indices().zero_();   // an in-place change of the saved indices (PyTorch: version check)
      assertThrows(IllegalStateException.class, () -> vi.values().sum().backward());
    }

    @Test
    void secondBackwardFailsAsPyTorch() {
      for (Function<Tensor, Tensor> op : List.<Function<Tensor, Tensor>>of(Tensor::max, t -> t.max(1, false).values(),
          t -> t.amax(new int[] {1}, false))) {
        Tensor x = leaf(new double[] {1, 4, 2, 3}, 2, 2);
        Tensor y = op.apply(x).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"), e.getMessage());
      }
    }
  }

  // ============================================================================ prod, var, std, logsumexp, norm, cumsum, all, any

  @Nested
  class StatisticsRules {
    /**
     * <pre>
     * x.prod().backward() for x = [2.,0,3] -> [0, 6, 0]; [2.,0,0] -> [0, 0, 0]; [nan, 0.] -> nan, [0, nan];
     * [inf, 2.] -> inf, [nan, inf]; 2.5 (0-dim) -> grad 1 (ProdBackward0)
     * torch.tensor([1e30,1e30,1e-30,1e-30]).prod() -> inf (float32 steps); [1e30,1e-30,1e30,1e-30] -> 1.
     * torch.tensor([1,2,3]).prod() -> 6 (int64), torch.tensor([True,True]).prod() -> 1 (int64)
     * </pre>
     */
    @Test
    void prodAsPyTorch() {
      Tensor x = leaf(new double[] {2, 0, 3});
      Result r = backward(x, x.prod());
      assertEquals("ProdBackward0", r.node());
      assertSame(new double[] {0}, r.values(), "prod");
      assertSame(new double[] {0, 6, 0}, r.grad(), "one zero");
      x = leaf(new double[] {2, 0, 0});
      assertSame(new double[] {0, 0, 0}, backward(x, x.prod()).grad(), "two zeros");
      x = leaf(new double[] {NAN, 0});
      r = backward(x, x.prod());
      assertSame(new double[] {NAN}, r.values(), "nan * 0");
      assertSame(new double[] {0, NAN}, r.grad(), "nan * 0 grad");
      x = leaf(new double[] {INF, 2});
      r = backward(x, x.prod());
      assertSame(new double[] {INF}, r.values(), "inf * 2");
      assertSame(new double[] {NAN, INF}, r.grad(), "inf * 2 grad");
      x = leaf0(2.5);
      assertSame(new double[] {1}, backward(x, x.prod()).grad(), "0-dim");
      Tensor f = f64(new double[] {1e30, 1e30, 1e-30, 1e-30}).to(DType.FLOAT32);
      assertEquals(INF, f.prod().item());
      assertEquals(1.0, f64(new double[] {1e30, 1e-30, 1e30, 1e-30}).to(DType.FLOAT32).prod().item(), 1e-6);
      Tensor i = Tensor.of(new long[] {1, 2, 3});
      assertEquals(DType.INT64, i.prod().dtype());
      assertEquals(6, i.prod().item());
      assertEquals(DType.INT64, Tensor.of(new boolean[] {true, true}).prod().dtype());
      assertEquals(1.0, Tensor.zeros(0, 3).prod().item());
    }

    /**
     * torch 1.13, float64:
     * <pre>
     * x=[1.,3]; x.var(dim=[0], correction=3) -> inf, grad [2, -2]; x.var(dim=[0], correction=2) -> inf, grad [-inf, inf]
     * x=[1.,1]; x.var(dim=[0], correction=3) -> nan, grad [-0, -0];   x.var(dim=[0], correction=-1) -> 0.6667, grad [-2/3, 2/3]
     * torch.tensor(2.).var() -> nan, grad inf;  torch.tensor(2.).var(0, correction=0) -> 0, grad 0
     * torch.tensor(3.).var([0], correction=2) -> nan, grad -0;  torch.tensor([3.]).var([0], correction=1) -> nan, grad [nan]
     * torch.tensor(3.).std() -> nan, grad nan;  x=[2.,2]; x.std() -> 0, grad [0, 0] (StdBackward0)
     * x=[[2.,2],[1,3]]; x.std([1], correction=0) -> [0, 1], grad [0, 0, -.5, .5]
     * torch.tensor([]).var() -> nan; torch.zeros(0,3).var([0]) -> [nan]*3; [1,2,3].var() -> 1, grad [-1, 0, 1]
     * torch.tensor([1,2,3]).var() -> RuntimeError: std and var only support floating point and complex dtypes
     * </pre>
     */
    @Test
    void varAndStdAsPyTorch() {
      Tensor x = leaf(new double[] {1, 3});
      Result r = backward(x, x.var(new int[] {0}, 3, false));
      assertEquals("VarBackward0", r.node());
      assertSame(new double[] {INF}, r.values(), "N < correction");
      assertSame(new double[] {2, -2}, r.grad(), "N < correction grad");
      x = leaf(new double[] {1, 3});
      r = backward(x, x.var(new int[] {0}, 2, false));
      assertSame(new double[] {INF}, r.values(), "N == correction");
      assertSame(new double[] {-INF, INF}, r.grad(), "N == correction grad");
      x = leaf(new double[] {1, 1});
      r = backward(x, x.var(new int[] {0}, 3, false));
      assertSame(new double[] {NAN}, r.values(), "0 / 0");
      assertSame(new double[] {-0.0, -0.0}, r.grad(), "0 / 0 grad");
      x = leaf(new double[] {1, 3});
      r = backward(x, x.var(new int[] {0}, -1, false));
      assertClose(new double[] {2 / 3.}, r.values(), 1e-15, "negative correction");
      assertClose(new double[] {-2 / 3., 2 / 3.}, r.grad(), 1e-15, "negative correction grad");
      x = leaf0(2);
      r = backward(x, x.var());
      assertSame(new double[] {NAN}, r.values(), "0-dim var()");
      assertSame(new double[] {INF}, r.grad(), "0-dim var() grad (PyTorch's inf * g)");
      x = leaf0(2);
      r = backward(x, x.var(new int[] {0}, 0, false));
      assertSame(new double[] {0}, r.values(), "0-dim var(correction 0)");
      assertSame(new double[] {0}, r.grad(), "0-dim var(correction 0) grad");
      x = leaf0(3);
      assertSame(new double[] {-0.0}, backward(x, x.var(new int[] {0}, 2, false)).grad(), "0-dim, correction 2");
      x = leaf(new double[] {3});
      assertSame(new double[] {NAN}, backward(x, x.var(new int[] {0}, 1, false)).grad(), "[3.].var([0])");
      x = leaf0(3);
      r = backward(x, x.std());
      assertEquals("StdBackward0", r.node());
      assertSame(new double[] {NAN}, r.grad(), "0-dim std() grad");
      x = leaf(new double[] {2, 2});
      r = backward(x, x.std());
      assertSame(new double[] {0}, r.values(), "std of equal values");
      assertSame(new double[] {0, 0}, r.grad(), "std of equal values: grad 0, not NaN");
      x = leaf(new double[] {2, 2, 1, 3}, 2, 2);
      r = backward(x, x.std(new int[] {1}, 0, false));
      assertSame(new double[] {0, 1}, r.values(), "std([1], 0)");
      assertSame(new double[] {0, 0, -.5, .5}, r.grad(), "std([1], 0) grad");
      x = leaf(new double[] {1, 2, 3});
      r = backward(x, x.var());
      assertSame(new double[] {1}, r.values(), "var()");
      assertSame(new double[] {-1, 0, 1}, r.grad(), "var() grad");
      assertTrue(Double.isNaN(Tensor.zeros(0).var().item()));
      assertTrue(Double.isNaN(Tensor.zeros(0).var(new int[] {0}, -1, false).item()), "empty: NaN whatever the correction");
      assertSame(new double[] {NAN, NAN, NAN}, Tensor.zeros(0, 3).var(new int[] {0}, 1, false).toDoubleArray(), "empty dim");
      assertThrowsMessage(IllegalArgumentException.class, "std and var only support floating point and complex dtypes",
          () -> Tensor.of(new long[] {1, 2, 3}).var());
      assertThrowsMessage(IllegalArgumentException.class, "std and var only support floating point and complex dtypes",
          () -> Tensor.of(new boolean[] {true}).std(new int[] {4}, 1, false));
    }

    /**
     * PyTorch's all-element var of a float32 tensor subtracts the mean as float32 rounds it
     * ({@code std_var_all_cpu}), over dims it runs Welford in double:
     * <pre>
     * x = torch.tensor([10000.4248046875, 10000.1220703125, 10000.6962890625, 10000.5537109375,
     *                   9999.9560546875, 10000.0849609375, 10000.6083984375, 10000.1298828125])
     * x.var() -> 0.09925079345703125;  x.reshape(8, 1).var(dim=[0], correction=1) -> 0.09925079345703125
     * torch.stack([x, x]).t().var(dim=[0], correction=1) -> [0.0992501825, 0.0992501825]
     * </pre>
     */
    @Test
    void varOfAllElementsRoundsTheMeanAsPyTorch() {
      double[] v = {10000.4248046875, 10000.1220703125, 10000.6962890625, 10000.5537109375, 9999.9560546875,
          10000.0849609375, 10000.6083984375, 10000.1298828125};
      Tensor x = f64(v).to(DType.FLOAT32);
      double mean = x.mean().item(), m2 = 0, exactMean = Arrays.stream(v).average().orElseThrow(), exact = 0;
      for (double e : v) {
        m2 += (e - mean) * (e - mean);
        exact += (e - exactMean) * (e - exactMean);
      }
      assertEquals((float) (m2 / 7), (float) x.var().item());
      assertEquals((float) (m2 / 7), (float) x.reshape(8, 1).var(new int[] {0}, 1, false).item());
      double[] both = new double[16];
      for (int i = 0; i < 8; i++) both[2 * i] = both[2 * i + 1] = v[i];
      double[] perColumn = f64(both, 8, 2).to(DType.FLOAT32).var(new int[] {0}, 1, false).toDoubleArray();
      assertEquals((float) (exact / 7), (float) perColumn[0]);
      assertEquals((float) (exact / 7), (float) perColumn[1]);
    }

    /**
     * <pre>
     * x.logsumexp([0]) for x = [1., -inf] -> 1, grad [1, 0]; [-inf, -inf] -> -inf, grad [nan, nan];
     * [inf, 1.] -> inf, grad [nan, 0]; [inf, inf] -> inf, grad [nan, nan]; [nan, 1.] -> nan, grad [nan, nan];
     * [1000., 1000.] -> 1000.69314718, grad [.5, .5] (LogsumexpBackward0)
     * torch.tensor([1,2,3]).logsumexp([0]) -> 3.4076 (float32); torch.tensor([True]).logsumexp([0]) -> 1.
     * torch.zeros(0,3).logsumexp([0]) -> [-inf]*3
     * </pre>
     */
    @Test
    void logsumexpAsPyTorch() {
      double[][] in = {{1, -INF}, {-INF, -INF}, {INF, 1}, {INF, INF}, {NAN, 1}, {1000, 1000}};
      double[][] out = {{1}, {-INF}, {INF}, {INF}, {NAN}, {1000 + Math.log(2)}};
      double[][] grad = {{1, 0}, {NAN, NAN}, {NAN, 0}, {NAN, NAN}, {NAN, NAN}, {.5, .5}};
      for (int i = 0; i < in.length; i++) {
        Tensor x = leaf(in[i]);
        Result r = backward(x, x.logsumexp(new int[] {0}, false));
        assertEquals("LogsumexpBackward0", r.node());
        assertClose(out[i], r.values(), 1e-15, "logsumexp " + Arrays.toString(in[i]));
        // exp(x - result) with result rounded at 1000's scale: within 1e-13 of 1/2
        assertClose(grad[i], r.grad(), 1e-12, "logsumexp grad " + Arrays.toString(in[i]));
      }
      Tensor i = Tensor.of(new long[] {1, 2, 3}).logsumexp(new int[] {0}, false);
      assertEquals(DType.FLOAT32, i.dtype());
      assertEquals((float) Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), (float) i.item());
      assertEquals(1.0, Tensor.of(new boolean[] {true}).logsumexp(new int[] {0}, false).item());
      assertSame(new double[] {-INF, -INF, -INF}, Tensor.zeros(0, 3).logsumexp(new int[] {0}, false).toDoubleArray(), "empty");
      // float32 logits of 1e4 and more: no overflow
      Tensor big = f64(new double[] {1e4, 1e4 + 1, 3e38}).to(DType.FLOAT32);
      assertEquals(3e38f, (float) big.logsumexp(new int[] {0}, false).item());
      Tensor two = f64(new double[] {1e4, 1e4}).to(DType.FLOAT32);
      assertEquals((float) (1e4 + Math.log(2)), (float) two.logsumexp(new int[] {0}, false).item());
    }

    /**
     * torch 1.13 x.norm(p).backward() on float64 (all NormBackward1):
     * <pre>
     * p       [0.,1,-2,2]: value, grad                     [[3.,-4],[0,0]].norm(p, [1]): value, grad
     * 2       3, [0, 1/3, -2/3, 2/3]                       [5, 0], [.6, -.8, 0, 0]
     * 1       5, [0, 1, -1, 1]                             [7, 0], [1, -1, 0, 0]
     * 0       3, no grad                                   [2, 0], no grad
     * 0.5     14.65685425, [0, 3.82842712, -2.70710678, 2.70710678]   [13.92820323, 0], [2.15470054, -1.86602540, 0, 0]
     * 1.5     3.53871863, [0, .53159022, -.75178210, .75178210]       [5.58425038, 0], [.73295648, -.84634524, 0, 0]
     * 3       2.57128159, [0, .15125186, -.60500743, .60500743]       [4.49794145, 0], [.44485135, -.79084685, 0, 0]
     * inf     2, [0, 0, -.5, .5]                           [4, 0], [0, -1, 0, 0]
     * -inf    0, [0, 0, -0, 0]                             [3, 0], [1, -0, 0, 0]
     * -1      0, [0, 0, -0, 0]                             [1.71428571, 0], [.32653061, -.18367347, 0, 0]
     * [1.,nan,-2,nan].norm(inf) -> nan, [0, 0, -0, 0];  [1.,-1,-2,3].norm(-inf) -> 1, [.5, -.5, -0, 0]
     * [1.,nan].norm() -> nan, [nan, nan];  [inf, 1.].norm() -> inf, [nan, 0];  [1e-300, 0, -2, nan].norm(0) -> 3
     * torch.zeros(0,3).norm(-1) -> 0; .norm(inf, [0]) -> [0, 0, 0]
     * float32: torch.tensor([1.5e19, 1.5e19]).norm() -> inf; torch.tensor([1e-30, 1e-30]).norm() -> 0
     * </pre>
     */
    @Test
    void normAsPyTorch() {
      double[] ps = {2, 1, 0, 0.5, 1.5, 3, INF, -INF, -1};
      double[] v1 = {3, 5, 3, 14.65685425, 3.53871863, 2.57128159, 2, 0, 0};
      double[][] g1 = {{0, 1 / 3., -2 / 3., 2 / 3.}, {0, 1, -1, 1}, null, {0, 3.82842712, -2.70710678, 2.70710678},
          {0, .53159022, -.75178210, .75178210}, {0, .15125186, -.60500743, .60500743}, {0, 0, -.5, .5},
          {0, 0, -0.0, 0}, {0, 0, -0.0, 0}};
      double[][] v2 = {{5, 0}, {7, 0}, {2, 0}, {13.92820323, 0}, {5.58425038, 0}, {4.49794145, 0}, {4, 0}, {3, 0},
          {1.71428571, 0}};
      double[][] g2 = {{.6, -.8, 0, 0}, {1, -1, 0, 0}, null, {2.15470054, -1.86602540, 0, 0},
          {.73295648, -.84634524, 0, 0}, {.44485135, -.79084685, 0, 0}, {0, -1, 0, 0}, {1, -0.0, 0, 0},
          {.32653061, -.18367347, 0, 0}};
      for (int i = 0; i < ps.length; i++) {
        double p = ps[i];
        Tensor x = leaf(new double[] {0, 1, -2, 2});
        Result r = backward(x, x.norm(p, new int[0], false));
        assertEquals("NormBackward1", r.node());
        // torch printed 8 decimals
        assertClose(new double[] {v1[i]}, r.values(), 1e-7, "norm(" + p + ")");
        if (g1[i] == null) {
          assertNull(r.grad(), "norm(0) has no gradient");
        } else {
          assertClose(g1[i], r.grad(), 1e-7, "norm(" + p + ") grad");
          if (p == -INF || p == -1) assertSame(g1[i], r.grad(), "norm(" + p + ") grad signs");
        }
        x = leaf(new double[] {3, -4, 0, 0}, 2, 2);
        r = backward(x, x.norm(p, new int[] {1}, false));
        assertClose(v2[i], r.values(), 1e-7, "norm(" + p + ", [1])");
        if (g2[i] == null) assertNull(r.grad());
        else assertClose(g2[i], r.grad(), 1e-7, "norm(" + p + ", [1]) grad");
      }
      Tensor x = leaf(new double[] {1, NAN, -2, NAN});
      Result r = backward(x, x.norm(INF, new int[0], false));
      assertSame(new double[] {NAN}, r.values(), "inf-norm with NaN");
      assertSame(new double[] {0, 0, -0.0, 0}, r.grad(), "inf-norm with NaN grad");
      x = leaf(new double[] {1, -1, -2, 3});
      r = backward(x, x.norm(-INF, new int[0], false));
      assertSame(new double[] {1}, r.values(), "-inf-norm ties");
      assertSame(new double[] {.5, -.5, -0.0, 0}, r.grad(), "-inf-norm ties grad");
      x = leaf(new double[] {1, NAN});
      assertSame(new double[] {NAN, NAN}, backward(x, x.norm()).grad(), "2-norm with NaN");
      x = leaf(new double[] {INF, 1});
      r = backward(x, x.norm());
      assertSame(new double[] {INF}, r.values(), "2-norm with inf");
      assertSame(new double[] {NAN, 0}, r.grad(), "2-norm with inf grad");
      assertEquals(3.0, f64(new double[] {1e-300, 0, -2, NAN}).norm(0, new int[0], false).item());
      assertEquals(0.0, Tensor.zeros(0, 3).norm(-1, new int[0], false).item());
      assertSame(new double[] {0, 0, 0}, Tensor.zeros(0, 3).norm(INF, new int[] {0}, false).toDoubleArray(), "empty inf-norm");
      assertEquals(INF, f64(new double[] {1.5e19, 1.5e19}).to(DType.FLOAT32).norm().item());
      assertEquals(0.0, f64(new double[] {1e-30, 1e-30}).to(DType.FLOAT32).norm().item());
      assertThrowsMessage(IllegalArgumentException.class,
          "norm(): input dtype should be either floating point or complex. Got Long instead.", () -> Tensor.of(new long[] {1}).norm());
      assertThrowsMessage(IllegalArgumentException.class,
          "norm(): input dtype should be either floating point or complex. Got Bool instead.",
          () -> Tensor.of(new boolean[] {true}).norm(2, new int[] {4}, false));
    }

    /** Long contiguous slices take kernel paths (logsumexp, prod): against float64 references of the same float32 values. */
    @Test
    void longSlicesAgreeWithFloat64References() {
      for (int n : new int[] {15, 16, 17, 1000, 4097}) {
        Random r = new Random(n);
        float[] v = new float[2 * n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 3 + (i < n ? 0 : 1e4));
        Tensor x = Tensor.of(v, 2, n);
        double[] lse = x.logsumexp(new int[] {1}, false).toDoubleArray();
        for (int row = 0; row < 2; row++) {
          double m = Double.NEGATIVE_INFINITY, sum = 0;
          for (int j = 0; j < n; j++) m = Math.max(m, v[row * n + j]);
          for (int j = 0; j < n; j++) sum += Math.exp(v[row * n + j] - m);
          double want = m + Math.log(sum);
          assertEquals(want, lse[row], 4 * Math.ulp((float) want) + 1e-6, "logsumexp n=" + n + " row " + row);
        }
        float[] p = new float[n];
        for (int j = 0; j < n; j++) p[j] = (float) (1 + 0.01 * r.nextGaussian());
        double exact = 1;
        for (float e : p) exact *= e;
        assertEquals(exact, Tensor.of(p).prod().item(), 4e-7 * Math.sqrt(n) * Math.abs(exact), "prod n=" + n);
      }
      float[] inf = new float[40];
      Arrays.fill(inf, 3);
      inf[7] = Float.NEGATIVE_INFINITY;
      assertEquals(Math.log(39 * Math.exp(3)), Tensor.of(inf).logsumexp(new int[] {0}, false).item(), 1e-6);
      Arrays.fill(inf, Float.NEGATIVE_INFINITY);
      assertEquals(Double.NEGATIVE_INFINITY, Tensor.of(inf).logsumexp(new int[] {0}, false).item());
      inf[3] = Float.NaN;
      assertTrue(Double.isNaN(Tensor.of(inf).logsumexp(new int[] {0}, false).item()));
      inf[3] = Float.POSITIVE_INFINITY;
      assertEquals(Double.POSITIVE_INFINITY, Tensor.of(inf).logsumexp(new int[] {0}, false).item());
    }

    /**
     * <pre>
     * torch.tensor([16777216.,1.,1.,1.]).cumsum(0) -> [16777216, 16777216, 16777218, 16777220] (double accumulation)
     * torch.tensor([1,2]).cumsum(0) -> [1, 3] int64; torch.tensor([True,True]).cumsum(0) -> [1, 2] int64
     * x=[1.,2,3]; (x.cumsum(0) * [1.,2,3]).sum().backward() -> [6, 5, 3] (CumsumBackward0)
     * torch.tensor(3.).cumsum(0) -> 3.; cumsum(1) -> Dimension out of range (expected to be in range of [-1, 0], but got 1)
     * </pre>
     */
    @Test
    void cumsumAsPyTorch() {
      Tensor f = f64(new double[] {16777216, 1, 1, 1}).to(DType.FLOAT32);
      assertSame(new double[] {16777216, 16777216, 16777218, 16777220}, f.cumsum(0).toDoubleArray(), "float32 cumsum");
      Tensor i = Tensor.of(new long[] {1, 2}).cumsum(0);
      assertEquals(DType.INT64, i.dtype());
      assertArrayEquals(new long[] {1, 3}, i.toLongArray());
      Tensor b = Tensor.of(new boolean[] {true, true}).cumsum(0);
      assertEquals(DType.INT64, b.dtype());
      assertArrayEquals(new long[] {1, 2}, b.toLongArray());
      Tensor x = leaf(new double[] {1, 2, 3});
      Tensor y = x.cumsum(0);
      assertEquals("CumsumBackward0", y.gradFn().name());
      y.mul(f64(new double[] {1, 2, 3})).sum().backward();
      assertSame(new double[] {6, 5, 3}, x.grad().toDoubleArray(), "cumsum grad");
      Tensor s = Tensor.full(DType.FLOAT32, 3);
      assertEquals(3.0, s.cumsum(0).item());
      assertEquals(0, s.cumsum(-1).dim());
      assertThrowsMessage(IllegalArgumentException.class, "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
          () -> s.cumsum(1));
      // strided int64 input along dim 0
      Tensor t = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3).t();
      assertArrayEquals(new long[] {1, 5, 2, 7, 3, 9}, t.cumsum(1).toLongArray());
    }

    /**
     * <pre>
     * torch.tensor([1., nan]).all() -> True; torch.tensor([]).all() -> True; .any() -> False;
     * torch.tensor([0, 2]).all() -> False; torch.tensor([0., -0.]).any() -> False; torch.tensor([1,2,3]).all() -> True
     * torch.tensor([[1.,0],[3,4]]).count_nonzero() -> 3, ([0]) -> [2, 1], ([0, 0]) -> dim 0 appears multiple times ...
     * torch.tensor(1.).count_nonzero(0) -> 1
     * </pre>
     */
    @Test
    void allAnyCountNonzeroAsPyTorch() {
      Tensor t = f64(new double[] {1, NAN});
      assertEquals(DType.BOOL, t.all().dtype());
      assertEquals(0, t.all().dim());
      assertEquals(1, t.all().item());
      assertEquals(1, Tensor.zeros(0).all().item());
      assertEquals(0, Tensor.zeros(0).any().item());
      assertEquals(0, Tensor.of(new long[] {0, 2}).all().item());
      assertEquals(1, Tensor.of(new long[] {0, 2}).any().item());
      assertEquals(0, f64(new double[] {0.0, -0.0}).any().item());
      assertEquals(1, Tensor.of(new long[] {1, 2, 3}).all().item());
      assertEquals(1, Tensor.of(new boolean[] {false, true}).any().item());
      assertEquals(0, Tensor.of(new boolean[] {false, true}).all().item());
      assertEquals(1, Tensor.of(new long[] {1, 0, 3, 4}, 2, 2).t().slice(0, 0, 1, 1).any().item());
      Tensor c = f64(new double[] {1, 0, 3, 4}, 2, 2);
      assertEquals(DType.INT64, c.countNonzero().dtype());
      assertEquals(3, c.countNonzero().item());
      assertArrayEquals(new long[] {2, 1}, c.countNonzero(0).toLongArray());
      assertArrayEquals(new long[] {1, 2}, c.t().countNonzero(0).toLongArray());
      assertArrayEquals(new long[] {1, 2}, Tensor.of(new boolean[] {true, false, true, true}, 2, 2).countNonzero(1).toLongArray());
      assertEquals(1, Tensor.full(DType.FLOAT32, 1).countNonzero(0).item());
      // torch.tensor(1.).count_nonzero([0, -1]) (and amax, var, logsumexp, norm): dim 0 appears multiple times
      Tensor s = Tensor.full(DType.FLOAT32, 1);
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims", () -> s.countNonzero(0, -1));
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims",
          () -> s.amax(new int[] {0, -1}, false));
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims",
          () -> s.var(new int[] {0, 0}, 1, false));
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims",
          () -> s.logsumexp(new int[] {0, 0}, false));
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims",
          () -> s.norm(2, new int[] {0, -1}, false));
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims", () -> c.countNonzero(0, 0));
      assertThrowsMessage(IllegalArgumentException.class, "dim 0 appears multiple times in the list of dims", () -> c.countNonzero(0, -2));
    }

    @Test
    void secondBackwardFailsAsPyTorch() {
      List<Function<Tensor, Tensor>> ops = List.of(Tensor::prod, Tensor::var, Tensor::std, Tensor::norm,
          t -> t.logsumexp(new int[] {1}, false), t -> t.softmax(1), t -> t.logSoftmax(0));
      for (Function<Tensor, Tensor> op : ops) {
        Tensor x = leaf(new double[] {1, 4, 2, 3}, 2, 2);
        Tensor y = op.apply(x).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"), e.getMessage());
      }
    }
  }

  // ============================================================================ softmax

  @Nested
  class SoftmaxRules {
    /**
     * <pre>
     * torch.tensor([1e4, 0., -1e4]).softmax(0) -> [1, 0, 0] (float32); x.log_softmax(0) for x=[1e4, 0.] (float64) -> [0, -1e4], grad of
     * ones [-1, 1]; x=[1., -inf]: softmax [1, 0] (grad of y[0]: [0, -0]), log_softmax [0, -inf];
     * [-inf, -inf], [inf, 1.], [nan, 1.]: softmax and log_softmax all nan
     * </pre>
     */
    @Test
    void logitsOf1e4DoNotOverflow() {
      Tensor f = f64(new double[] {1e4, 0, -1e4}).to(DType.FLOAT32);
      assertSame(new double[] {1, 0, 0}, f.softmax(0).toDoubleArray(), "float32 softmax at 1e4");
      assertSame(new double[] {0, -1e4, -2e4}, f.logSoftmax(0).toDoubleArray(), "float32 log_softmax at 1e4");
      Tensor x = leaf(new double[] {1e4, 0});
      Result r = backward(x, x.logSoftmax(0));
      assertEquals("LogSoftmaxBackward0", r.node());
      assertSame(new double[] {0, -1e4}, r.values(), "float64 log_softmax at 1e4");
      assertSame(new double[] {-1, 1}, r.grad(), "its gradient");
      // every logit near 1e4 (float32 spacing 2^-10 there): the values of float64 softmax of the same float32 inputs
      for (int n : new int[] {3, 8, 31, 1000, 4096}) {
        float[] logits = new float[n];
        Random random = new Random(n);
        for (int i = 0; i < n; i++) logits[i] = (float) (1e4 + 4 * random.nextGaussian());
        Tensor t = Tensor.of(logits);
        double[] y = t.softmax(0).toDoubleArray(), ly = t.logSoftmax(0).toDoubleArray();
        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (float l : logits) m = Math.max(m, l);
        for (float l : logits) s += Math.exp(l - m);
        for (int i = 0; i < n; i++) {
          double want = Math.exp(logits[i] - m) / s, lwant = logits[i] - m - Math.log(s);
          // float32 rounding of the steps (exp, sum, 1/sum, product) and of a sum of up to n terms
          assertEquals(want, y[i], 6e-7 * want + 1e-45, "softmax n=" + n + " at " + i);
          assertEquals(lwant, ly[i], 4e-7 * Math.abs(lwant) + 2e-6, "log_softmax n=" + n + " at " + i);
        }
      }
    }

    @Test
    void infinitiesAndNanAsPyTorch() {
      Tensor x = leaf(new double[] {1, -INF});
      Tensor y = x.softmax(0);
      assertSame(new double[] {1, 0}, y.toDoubleArray(), "softmax [1, -inf]");
      y.select(0, 0).backward();
      assertSame(new double[] {0, -0.0}, x.grad().toDoubleArray(), "its grad");
      assertSame(new double[] {0, -INF}, f64(new double[] {1, -INF}).logSoftmax(0).toDoubleArray(), "log_softmax [1, -inf]");
      for (double[] in : new double[][] {{-INF, -INF}, {INF, 1}, {NAN, 1}}) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
          assertSame(new double[] {NAN, NAN}, f64(in).to(dtype).softmax(0).toDoubleArray(), "softmax " + Arrays.toString(in));
          assertSame(new double[] {NAN, NAN}, f64(in).to(dtype).logSoftmax(0).toDoubleArray(), "log_softmax " + Arrays.toString(in));
        }
      }
    }

    /**
     * Values from torch 1.13 (float32):
     * <pre>
     * x = torch.tensor([[2.3523874282836914, -1.8998161554336548, 1.8881694078445435, -2.683424949645996],
     *                   [3.071129083633423, -2.089487314224243, 0.5135379433631897, 1.2051303386688232]])
     * x.softmax(1) -> [0.606295645236969, 0.00862930715084076, 0.381133496761322, 0.003941476345062256,
     *                  0.8077734708786011, 0.00463513471186161, 0.06259531527757645, 0.12499614804983139]
     * x.log_softmax(0) -> [-1.1157478094100952, -0.6028017997741699, -0.22548703849315643, -3.9088234901428223,
     *                      -0.39700618386268616, -0.7924729585647583, -1.6001183986663818, -0.020268118008971214]
     * </pre>
     */
    @Test
    void matchesPyTorchToFloat32Rounding() {
      float[] v = {2.3523874282836914f, -1.8998161554336548f, 1.8881694078445435f, -2.683424949645996f,
          3.071129083633423f, -2.089487314224243f, 0.5135379433631897f, 1.2051303386688232f};
      double[] torch = {0.606295645236969, 0.00862930715084076, 0.381133496761322, 0.003941476345062256,
          0.8077734708786011, 0.00463513471186161, 0.06259531527757645, 0.12499614804983139};
      Tensor x = Tensor.of(v, 2, 4);
      double[] y = x.softmax(1).toDoubleArray();
      for (int i = 0; i < 8; i++) assertEquals(torch[i], y[i], 2 * Math.ulp((float) torch[i]), "softmax at " + i);
      double[] yt = x.t().softmax(0).toDoubleArray();   // the same rows, walked through a transposed view
      for (int i = 0; i < 4; i++) {
        assertEquals(torch[i], yt[2 * i], 2 * Math.ulp((float) torch[i]));
        assertEquals(torch[4 + i], yt[2 * i + 1], 2 * Math.ulp((float) torch[4 + i]));
      }
      double[] ly = x.logSoftmax(0).toDoubleArray();
      double[] lt = {-1.1157478094100952, -0.6028017997741699, -0.22548703849315643, -3.9088234901428223,
          -0.39700618386268616, -0.7924729585647583, -1.6001183986663818, -0.020268118008971214};
      for (int i = 0; i < 8; i++) assertEquals(lt[i], ly[i], 2 * Math.ulp((float) lt[i]) + 2 * Math.ulp(1f), "log_softmax(0) at " + i);
    }

    /** torch: "softmax_lastdim_kernel_impl" / "softmax_kernel_impl" not implemented for 'Long', Dimension out of range first. */
    @Test
    void errorsAsPyTorch() {
      Tensor i = Tensor.of(new long[] {1, 2}, 1, 2);
      assertThrowsMessage(IllegalArgumentException.class, "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'", () -> i.softmax(1));
      assertThrowsMessage(IllegalArgumentException.class, "\"softmax_kernel_impl\" not implemented for 'Long'", () -> i.softmax(0));
      assertThrowsMessage(IllegalArgumentException.class, "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'",
          () -> i.logSoftmax(-1));
      // PyTorch 1.13 names softmax's kernel for log_softmax over another dim than the last (found by the fuzzer)
      assertThrowsMessage(IllegalArgumentException.class, "\"softmax_kernel_impl\" not implemented for 'Long'", () -> i.logSoftmax(0));
      assertThrowsMessage(IllegalArgumentException.class, "\"softmax_lastdim_kernel_impl\" not implemented for 'Bool'",
          () -> Tensor.of(new boolean[] {true}).softmax(0));
      assertThrowsMessage(IllegalArgumentException.class, "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
          () -> i.softmax(2));
      assertArrayEquals(new long[] {0, 3}, Tensor.zeros(0, 3).softmax(1).shape());
      assertEquals(1.0, Tensor.full(DType.FLOAT32, 3).softmax(0).item());
      assertEquals(0.0, Tensor.full(DType.FLOAT64, 3).logSoftmax(-1).item());
    }

    /** Rows split over threads give the values one thread gives (each row is computed by one thread alone). */
    @Test
    void parallelRowsGiveTheSameBits() {
      int rows = 64, n = 2048;   // 128K elements: above the grain
      float[] v = new float[rows * n];
      Random r = new Random(3);
      for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 5);
      Tensor x = Tensor.of(v, rows, n);
      int threads = Parallel.threads();
      try {
        Parallel.setThreads(1);
        double[] one = x.softmax(1).toDoubleArray(), lone = x.logSoftmax(1).toDoubleArray(), cone = x.t().softmax(0).toDoubleArray();
        Parallel.setThreads(4);
        assertArrayEquals(one, x.softmax(1).toDoubleArray());
        assertArrayEquals(lone, x.logSoftmax(1).toDoubleArray());
        assertArrayEquals(cone, x.t().softmax(0).toDoubleArray());
      } finally {
        Parallel.setThreads(threads);
      }
    }
  }

  // ============================================================================ memory

  /**
   * Outside any scope, every op and its backward leave nothing allocated once the caller closed what it
   * got back (and the views it made): no intermediate is left for the garbage collector.
   */
  @Test
  void opsLeaveNoTensorOpen() {
    List<Function<Tensor, List<Tensor>>> ops = List.of(
        t -> List.of(t.max()), t -> { ValuesIndices vi = t.min(1, false); return List.of(vi.values(), vi.indices()); },
        t -> { ValuesIndices vi = t.max(0, true); return List.of(vi.values(), vi.indices()); },
        t -> List.of(t.amax(new int[] {1}, false)), t -> { Tensor v = t.t(); return List.of(v.amin(new int[] {0}, true), v); },
        t -> List.of(t.argmax()), t -> List.of(Extrema.argAlongDim(t, 1, false, false)), t -> List.of(t.prod()),
        t -> List.of(t.var()), t -> { Tensor v = t.t(); return List.of(v.std(new int[] {1}, 0, false), v); }, t -> List.of(t.logsumexp(new int[] {1}, true)),
        t -> List.of(t.norm()), t -> List.of(t.norm(INF, new int[] {0}, false)), t -> List.of(t.norm(0.5, new int[] {1}, false)),
        t -> List.of(t.norm(3, new int[0], false)), t -> List.of(t.cumsum(1)), t -> { Tensor v = t.t(); return List.of(v.cumsum(1), v); },
        t -> List.of(t.all(), t.any(), t.countNonzero(1)), t -> List.of(t.softmax(1)), t -> { Tensor v = t.t(); return List.of(v.logSoftmax(1), v); },
        t -> List.of(t.softmax(0)));
    // the first pass also initialises what lives for the JVM's lifetime (the shared unit gradients)
    for (int pass = 0; pass < 2; pass++) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int i = 0; i < ops.size(); i++) {
          long before = MemoryStats.liveBytes();
        Tensor x;
        try (Tensor x64 = f64(new double[] {1, -2, 3, 0.5, 4, -1}, 2, 3)) {
          x = Casts.copyAs(x64, dtype).requiresGrad_(true);
        }
        List<Tensor> out = ops.get(i).apply(x);
        Tensor first = out.get(0);
        if (first.requiresGrad()) {
          try (Tensor l = first.sum()) {
            l.backward();
          }
        }
        for (Tensor t : out) t.close();
        x.close();
        if (pass == 1) assertEquals(before, MemoryStats.liveBytes(), "op " + i + " (" + dtype + ") left bytes allocated");
        }
      }
    }
  }

  // ============================================================================ kernels: Vector API vs scalar twin

  @Nested
  class KernelAgreement {
    private static final int[] SIZES = {1, 7, 31, 33, 1025};
    private final KernelProvider scalar = new ScalarKernelProvider();

    private static MemorySegment input(Arena arena, ElementKernels k, int n, long seed, int offset, double spread) {
      MemorySegment s = arena.allocate((long) (n + offset) * k.elementBytes(), 64);
      Random r = new Random(seed);
      for (int i = 0; i < n + offset; i++) k.set(s, i, r.nextGaussian() * spread);
      return s;
    }

    private static List<ElementKernels[]> pairs(KernelProvider vector, KernelProvider scalar) {
      return List.of(new ElementKernels[] {vector.float32(), scalar.float32()},
          new ElementKernels[] {vector.float64(), scalar.float64()});
    }

    private KernelProvider vector() {
      KernelProvider v = Kernels.vectorOrNull();
      assertNotNull(v, "the test JVM runs with --add-modules jdk.incubator.vector, so the Vector API must load");
      return v;
    }

    @Test
    void maxAndMinAgreeExactly() {
      try (Arena arena = Arena.ofConfined()) {
        for (ElementKernels[] p : pairs(vector(), scalar)) {
          for (int n : SIZES) {
            int off = 3;
            MemorySegment a = input(arena, p[0], n, n, off, 10);
            for (boolean min : new boolean[] {false, true}) {
              double v = p[0].max(a, off, n, min), s = p[1].max(a, off, n, min);
              double want = Double.NEGATIVE_INFINITY * (min ? -1 : 1);
              for (int i = 0; i < n; i++) want = min ? Math.min(want, p[0].get(a, off + i)) : Math.max(want, p[0].get(a, off + i));
              assertEquals(want, v, "vector " + (min ? "min" : "max") + " n=" + n);
              assertEquals(want, s, "scalar " + (min ? "min" : "max") + " n=" + n);
            }
            // a NaN anywhere wins, in the vector lanes and in the tail
            for (int at : new int[] {0, n / 2, n - 1}) {
              p[0].set(a, off + at, NAN);
              for (boolean min : new boolean[] {false, true}) {
                assertTrue(Double.isNaN(p[0].max(a, off, n, min)), "vector, NaN at " + at + " of " + n);
                assertTrue(Double.isNaN(p[1].max(a, off, n, min)), "scalar, NaN at " + at + " of " + n);
              }
              p[0].set(a, off + at, 0.5);
            }
            // +-inf and signed zeros: the value (not the sign of a zero) is the same
            if (n > 2) {
              p[0].set(a, off + n / 3, INF);
              p[0].set(a, off + 2 * n / 3, -INF);
              assertEquals(INF, p[0].max(a, off, n, false));
              assertEquals(-INF, p[0].max(a, off, n, true));
              assertEquals(INF, p[1].max(a, off, n, false));
              assertEquals(-INF, p[1].max(a, off, n, true));
            }
            for (int i = 0; i < n; i++) p[0].set(a, off + i, i % 2 == 0 ? -0.0 : 0.0);
            assertEquals(0.0, p[0].max(a, off, n, false), 0.0);
            assertEquals(0.0, p[1].max(a, off, n, true), 0.0);
          }
        }
      }
    }

    /**
     * exp(x - shift): each stored value within 2 float ulp (the Vector API's exp against Math.exp, both
     * within 1 ulp of the exact value), the returned sums within rounding of the exact sum of the values
     * stored; nothing written outside the range.
     */
    @Test
    void expShiftAgreesWithinRounding() {
      try (Arena arena = Arena.ofConfined()) {
        for (ElementKernels[] p : pairs(vector(), scalar)) {
          boolean f32 = p[0].elementBytes() == 4;
          for (int n : SIZES) {
            int off = 5;
            MemorySegment a = input(arena, p[0], n, 31 * n, off, 3);
            double shift = p[0].max(a, off, n, false);
            MemorySegment ov = arena.allocate((long) (n + 2) * p[0].elementBytes(), 64);
            MemorySegment os = arena.allocate((long) (n + 2) * p[0].elementBytes(), 64);
            p[0].fill(ov, 0, n + 2, 42);
            p[1].fill(os, 0, n + 2, 42);
            double sv = p[0].expShift(a, off, shift, ov, 1, n), ss = p[1].expShift(a, off, shift, os, 1, n);
            double sumV = 0, sumS = 0;
            for (int i = 0; i < n; i++) {
              double x = p[0].get(a, off + i);
              double exact = Math.exp(f32 ? (float) (x - shift) : x - shift);
              double tol = 2 * (f32 ? Math.ulp((float) exact) : Math.ulp(exact));
              assertEquals(exact, p[0].get(ov, 1 + i), tol, "vector exp n=" + n + " at " + i);
              assertEquals(exact, p[1].get(os, 1 + i), tol, "scalar exp n=" + n + " at " + i);
              sumV += p[0].get(ov, 1 + i);
              sumS += p[1].get(os, 1 + i);
            }
            double eps = f32 ? 0x1p-24 : 0x1p-53;
            assertEquals(sumV, sv, 2 * n * eps * sumV, "vector sum n=" + n);
            assertEquals(sumS, ss, 2 * n * eps * sumS, "scalar sum n=" + n);
            assertEquals(ss, sv, 4 * n * eps * ss, "vector and scalar sums n=" + n);
            // The same formula, but not necessarily the same bits: the Vector API's exp lanes are SVML's once C2 has
            // compiled a kernel and the Java fallback's before, and the two kernels may be compiled at different
            // times (seen in the full suite: sumExpShift still interpreted while expShift was compiled).
            assertEquals(sv, p[0].sumExpShift(a, off, shift, n), 2 * n * eps * sv, "vector sumExpShift is expShift's sum");
            assertEquals(ss, p[1].sumExpShift(a, off, shift, n), 0, "scalar sumExpShift is expShift's sum");
            for (MemorySegment o : new MemorySegment[] {ov, os}) {
              assertEquals(42.0, p[0].get(o, 0), "wrote before its range");
              assertEquals(42.0, p[0].get(o, n + 1), "wrote past its range");
            }
          }
        }
      }
    }

    /** The parallel wrapper's max over chunks gives the single-threaded kernel's value. */
    @Test
    void parallelMaxAgrees() {
      int n = 300_001;
      Tensor x = Tensor.arange(0, n, 1).to(DType.FLOAT32).mul(1e-3).sin();
      int threads = Parallel.threads();
      try {
        Parallel.setThreads(1);
        double one = x.max().item(), lo = x.min().item();
        Parallel.setThreads(3);
        assertEquals(one, x.max().item());
        assertEquals(lo, x.min().item());
        try (TensorScope scope = TensorScope.open()) {
          Tensor withNan = x.clone();
          withNan.slice(0, 250_000, 250_001, 1).fill_(NAN);
          assertTrue(Double.isNaN(withNan.max().item()));
          assertTrue(Double.isNaN(withNan.min().item()));
        }
      } finally {
        Parallel.setThreads(threads);
      }
    }
  }
}
