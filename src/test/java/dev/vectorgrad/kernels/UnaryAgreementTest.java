package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API and the scalar kernels agree on every {@link UnaryOp}, for float and double, at odd sizes (1 and 7:
 * the vector kernel's scalar tail only; 31, 33, 1025: vector loop and tail), with inputs of every magnitude and NaN,
 * +-infinity, +-0.0, denormals, the extremes and the ops' own boundaries (overflow and underflow of exp, +-1 of
 * asin/acos, -1 of log1p, halves for round, the softplus threshold, ...) placed on vector lanes and tail lanes alike.
 *
 * <p>Where both compute the same IEEE operations (abs, sqrt, reciprocal, square, rounding, relu, clamp, leaky_relu,
 * sign, frac) they must agree bit for bit. The transcendental ones use the Vector API's intrinsics
 * ({@code VectorOperators.EXP} etc., or {@link VectorMath}) against {@code Math.*} (or {@link ScalarMath}), each
 * within about 1 ulp of the exact value, so they may differ by a few ulp: {@code |vector - scalar| <= ulps *
 * ulp(scalar) + absUlps * ulp(ref)}, where the second term covers results that cancel (expm1-like differences such as
 * elu's {@code exp(x) - 1} near 0, gelu's {@code 1 + erf} far left, tanh near +-1 seen from the other side) with
 * {@code ref} the op's reference magnitude (1, or |x| for x * g(x) forms). NaN must be NaN in both, an infinity the
 * same infinity, and a zero must have the same sign in both.
 */
class UnaryAgreementTest {
  static final int[] SIZES = {1, 7, 31, 33, 1025};
  private static KernelProvider vector;
  private static final KernelProvider SCALAR = new ScalarKernelProvider();

  @BeforeAll
  static void vectorApiIsUsable() {
    vector = VectorApi.provider();
  }

  /** An op with its two parameters (see {@link UnaryOp}). */
  record Call(UnaryOp op, double p1, double p2) {
    @Override
    public String toString() {
      return op + (p1 == 0 && p2 == 0 ? "" : "(" + p1 + ", " + p2 + ")");
    }
  }

  /** The calls to check: every op, the parameterised ones with several parameter sets. */
  static List<Call> calls() {
    List<Call> calls = new ArrayList<>();
    for (UnaryOp op : UnaryOp.values()) {
      switch (op) {
        case SOFTPLUS -> {
          calls.add(new Call(op, 1, 20));
          calls.add(new Call(op, 2, 5));
          calls.add(new Call(op, 0.5, 1));
        }
        case ELU -> {
          calls.add(new Call(op, 1, 0));
          calls.add(new Call(op, 0.5, 0));
        }
        case LEAKY_RELU -> {
          calls.add(new Call(op, 0.01, 0));
          calls.add(new Call(op, -0.5, 0));
        }
        case CLAMP -> {
          calls.add(new Call(op, -0.5, 0.8));
          calls.add(new Call(op, Double.NEGATIVE_INFINITY, 0));
          calls.add(new Call(op, -1, Double.POSITIVE_INFINITY));
          calls.add(new Call(op, 2, 1));   // min > max: every element is max
        }
        default -> calls.add(new Call(op, 0, 0));
      }
    }
    return calls;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Call c : calls()) {
      for (String type : List.of("float32", "float64")) {
        for (int n : SIZES) out.add(Arguments.of(c, type, n));
      }
    }
    return out.stream();
  }

  // ------------------------------------------------------------------------------------------- tolerances

  /** Ops computed by the same IEEE operations in both kernels: bit for bit. */
  static final Set<UnaryOp> EXACT = EnumSet.of(UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RECIPROCAL, UnaryOp.SQUARE,
      UnaryOp.SQRT, UnaryOp.RSQRT, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.TRUNC, UnaryOp.FRAC,
      UnaryOp.RELU, UnaryOp.LEAKY_RELU, UnaryOp.CLAMP, UnaryOp.NEG);

  /** {@code ulps} of the scalar result plus {@code absUlps} ulps of the reference magnitude (1 or |x|). */
  record Tolerance(int ulps, int absUlps, boolean relativeToX) {}

  static Tolerance tolerance(UnaryOp op) {
    if (EXACT.contains(op)) return new Tolerance(0, 0, false);
    return switch (op) {
      // one libm function against another, each within ~1 ulp
      case EXP, EXP2, LOG, LOG2, LOG10, LOG1P, SIN, COS, TAN, ASIN, ACOS, ATAN -> new Tolerance(2, 0, false);
      // Math.sinh/cosh/tanh are within 2.5 ulp; expm1's result near 0 is exact-relative in both
      case SINH, COSH, EXPM1 -> new Tolerance(4, 0, false);
      case TANH -> new Tolerance(4, 0, false);
      // 1 / (1 + exp(-x)): the exp's ulp, then two roundings
      case SIGMOID -> new Tolerance(4, 0, false);
      // erf: the same polynomial in float (ScalarMath / VectorMath); in double two evaluations of the series
      case ERF -> new Tolerance(4, 1, false);
      // exp(x) - 1 for x <= 0: exp's last bit is an absolute error of ~1 ulp(1) that the subtraction keeps
      case ELU -> new Tolerance(4, 2, false);
      // x * g(x): g's absolute error (erf near -1, exp near 1, tanh(softplus) near 1) times |x|
      case GELU, GELU_TANH, SILU, MISH -> new Tolerance(4, 2, true);
      // log1p(exp(beta x)) / beta
      case SOFTPLUS -> new Tolerance(4, 1, false);
      default -> throw new AssertionError("no tolerance for " + op);
    };
  }

  // ------------------------------------------------------------------------------------------------- inputs

  private static ElementKernels pick(KernelProvider p, String type) {
    return type.equals("float32") ? p.float32() : p.float64();
  }

  /** The special values, each placed on several lanes. */
  static double[] specials(String type) {
    boolean f = type.equals("float32");
    return new double[] {
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
        f ? Float.MIN_VALUE : Double.MIN_VALUE, f ? -Float.MIN_VALUE : -Double.MIN_VALUE,   // smallest denormals
        f ? 1e-40 : 1e-310, f ? -1e-40 : -1e-310,                                            // denormals
        f ? Float.MIN_NORMAL : Double.MIN_NORMAL,
        f ? Float.MAX_VALUE : Double.MAX_VALUE, f ? -Float.MAX_VALUE : -Double.MAX_VALUE,
        1e-30, -1e-30, 1e-8, -1e-8, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997,
        f ? 88.5 : 709.5, f ? 89.0 : 710.0, f ? -87.5 : -708.0, f ? -104.0 : -746.0, f ? -88.7 : -745.0,
        20.0, 19.999998, 20.000002, 5.0, 2.0, 1e4, -1e4, 1e30, -1e30, 100.0, -100.0, -0.75179, -1.2785,
        8388609.0, -8388609.0, 4503599627370497.0, 1.0000001, -1.0000001, 0.9999999, -0.9999999};
  }

  /** {@code n} values from {@code offset} on: random magnitudes 1e-6 to 1e6 of either sign, specials in between. */
  private static MemorySegment input(Arena arena, ElementKernels k, String type, int n, int offset, long seed,
                                     int rotate) {
    MemorySegment s = arena.allocate((long) (n + offset) * k.elementBytes(), 64);
    double[] sp = specials(type);
    Random r = new Random(seed);
    for (int i = 0; i < n + offset; i++) {
      double v;
      if (i % 3 == 1) {
        v = sp[(i / 3 + rotate) % sp.length];
      } else {
        double mag = Math.pow(10, r.nextInt(13) - 6) * (0.5 + r.nextDouble());
        v = r.nextBoolean() ? mag : -mag;
        if (r.nextInt(4) == 0) v = r.nextGaussian() * 3;   // the busy range of most functions
      }
      k.set(s, i, v);
    }
    return s;
  }

  // -------------------------------------------------------------------------------------------------- tests

  @ParameterizedTest(name = "{0} {1} n={2}")
  @MethodSource("cases")
  void vectorAndScalarKernelsAgree(Call c, String type, int n) {
    ElementKernels v = pick(vector, type), s = pick(SCALAR, type);
    Tolerance tol = tolerance(c.op());
    int off = 3;   // not vector aligned
    // rotations so that, at the small sizes too, every special value meets a vector lane and a tail lane
    int rotations = n < 100 ? specials(type).length : 1;
    try (Arena arena = Arena.ofConfined()) {
      for (int rot = 0; rot < rotations; rot++) {
        MemorySegment a = input(arena, v, type, n, off, 31L * n + rot, rot);
        long bytes = (long) (n + 2) * v.elementBytes();
        MemorySegment outV = arena.allocate(bytes, 64), outS = arena.allocate(bytes, 64);
        v.fill(outV, 0, n + 2, 42);
        s.fill(outS, 0, n + 2, 42);
        v.unary(c.op(), c.p1(), c.p2(), a, off, outV, 1, n);
        s.unary(c.op(), c.p1(), c.p2(), a, off, outS, 1, n);
        assertEquals(42.0, v.get(outV, 0), c + " (vector) wrote before its range");
        assertEquals(42.0, v.get(outV, n + 1), c + " (vector) wrote past its range");
        assertEquals(42.0, s.get(outS, 0), c + " (scalar) wrote before its range");
        assertEquals(42.0, s.get(outS, n + 1), c + " (scalar) wrote past its range");
        for (int i = 0; i < n; i++) {
          double x = v.get(a, off + i), rv = v.get(outV, 1 + i), rs = s.get(outS, 1 + i);
          String why = disagreement(tol, type, x, rv, rs);
          if (why != null) {
            fail(c + " " + type + " n=" + n + " element " + i + " (" + (i < 8 * (n / 8) ? "vector loop" : "tail")
                + "): x = " + x + ": vector " + rv + ", scalar " + rs + ": " + why);
          }
        }
      }
    }
  }

  /** Why the two results disagree beyond the tolerance, or null. */
  static String disagreement(Tolerance tol, String type, double x, double rv, double rs) {
    if (Double.isNaN(rv) || Double.isNaN(rs)) return Double.isNaN(rv) && Double.isNaN(rs) ? null : "NaN in one only";
    if (rv == rs) {
      boolean sameBits = Double.doubleToRawLongBits(rv) == Double.doubleToRawLongBits(rs);
      return sameBits ? null : "zeros of different signs";
    }
    if (Double.isInfinite(rv) || Double.isInfinite(rs)) return "an infinity in one only";
    boolean f = type.equals("float32");
    double ulp = f ? Math.ulp((float) rs) : Math.ulp(rs);
    double ref = tol.relativeToX() ? Math.max(1, Math.abs(x)) : 1;
    double refUlp = f ? Math.ulp((float) ref) : Math.ulp(ref);
    double allowed = tol.ulps() * ulp + tol.absUlps() * refUlp;
    double diff = Math.abs(rv - rs);
    return diff <= allowed ? null
        : "differ by " + String.format("%.3g", diff / ulp) + " ulp (allowed " + tol.ulps() + " ulp + " + tol.absUlps()
            + " ulp of " + ref + ")";
  }

  /** Guards the claim of the class: every op is checked, with a stated tolerance. */
  @Test
  void everyOpHasACallAndATolerance() {
    Set<UnaryOp> called = EnumSet.noneOf(UnaryOp.class);
    for (Call c : calls()) {
      called.add(c.op());
      assertNotNull(tolerance(c.op()));
    }
    assertEquals(EnumSet.allOf(UnaryOp.class), called);
    assertTrue(SIZES.length >= 5);
  }
}
