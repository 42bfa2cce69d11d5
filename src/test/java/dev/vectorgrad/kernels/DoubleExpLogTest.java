package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float64 exp and log written with IEEE operations only ({@link ScalarMath#exp(double)},
 * {@link ScalarMath#log(double)} and {@code VectorMath}'s lanes): within 1 ulp of a 45-digit
 * {@link BigDecimal} reference on random samples, PyTorch's special values, and the vector kernels
 * bit for bit equal to the scalar twin (so the float64 results no longer depend on whether C2 has
 * compiled a kernel: the Vector API's EXP/LOG lanes were SVML's under C2 and {@code Math.exp}'s
 * before).
 */
class DoubleExpLogTest {
  private static final MathContext MC = new MathContext(45);
  private static final BigDecimal E = new BigDecimal("2.718281828459045235360287471352662497757247093699959574966967627724");
  private static final BigDecimal LN2 = new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680009493");

  /** e^x = e^k e^f with k = round(x) and |f| &lt;= 1/2 by its Taylor series, to 45 digits. */
  private static BigDecimal exactExp(double x) {
    long k = Math.round(x);
    BigDecimal f = new BigDecimal(x).subtract(BigDecimal.valueOf(k));
    BigDecimal term = BigDecimal.ONE;
    BigDecimal sum = BigDecimal.ONE;
    for (int i = 1; i < 60; i++) {
      term = term.multiply(f, MC).divide(BigDecimal.valueOf(i), MC);
      sum = sum.add(term, MC);
    }
    BigDecimal ek = k >= 0 ? E.pow((int) k, MC) : BigDecimal.ONE.divide(E.pow((int) -k, MC), MC);
    return sum.multiply(ek, MC);
  }

  /** ln x = e ln2 + ln m with x = m 2^e, ln m = 2 atanh((m - 1) / (m + 1)) by its series, to 45 digits. */
  private static BigDecimal exactLog(double x) {
    int e = Math.getExponent(x) < Double.MIN_EXPONENT ? Math.getExponent(x * 0x1p60) - 60 : Math.getExponent(x);
    BigDecimal two = BigDecimal.valueOf(2);
    BigDecimal m = e < 0 ? new BigDecimal(x).multiply(two.pow(-e), MC) : new BigDecimal(x).divide(two.pow(e), MC);
    BigDecimal s = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), MC);
    BigDecimal s2 = s.multiply(s, MC);
    BigDecimal t = s;
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 1; t.signum() != 0 && t.abs().compareTo(new BigDecimal("1e-46")) > 0; i += 2) {
      sum = sum.add(t.divide(BigDecimal.valueOf(i), MC), MC);
      t = t.multiply(s2, MC);
    }
    return sum.multiply(two).add(LN2.multiply(BigDecimal.valueOf(e)), MC);
  }

  /** |got - exact| in ulps of the exact value's double. */
  private static double ulps(double got, BigDecimal exact) {
    double ulp = Math.ulp(exact.doubleValue());
    return new BigDecimal(got).subtract(exact).abs().divide(new BigDecimal(ulp), MC).doubleValue();
  }

  @Test
  void expIsWithinOneUlpOfTheExactValue() {
    SplittableRandom rnd = new SplittableRandom(3);
    double max = 0;
    for (int i = 0; i < 3000; i++) {
      // the whole normal range, and the [-1, 1] where most arguments live
      double x = i % 2 == 0 ? rnd.nextDouble(-708, 709.7) : rnd.nextDouble(-1, 1);
      max = Math.max(max, ulps(ScalarMath.exp(x), exactExp(x)));
    }
    assertTrue(max < 1.0, "max error " + max + " ulp");
  }

  @Test
  void logIsWithinOneUlpOfTheExactValue() {
    SplittableRandom rnd = new SplittableRandom(4);
    double max = 0;
    for (int i = 0; i < 3000; i++) {
      // any positive finite double (subnormals included), and [1/2, 2] where the reduction matters
      double x = i % 2 == 0 ? Double.longBitsToDouble(rnd.nextLong(1, 0x7ff0000000000000L)) : rnd.nextDouble(0.5, 2);
      if (x == 1) continue;
      max = Math.max(max, ulps(ScalarMath.log(x), exactLog(x)));
    }
    assertTrue(max < 1.0, "max error " + max + " ulp");
  }

  @Test
  void specialValuesAreTorchs() {
    // torch.exp(torch.tensor([...], dtype=torch.float64)) and torch.log(...) in PyTorch 1.13
    assertEquals(Double.POSITIVE_INFINITY, ScalarMath.exp(709.8));
    assertEquals(Double.POSITIVE_INFINITY, ScalarMath.exp(Double.POSITIVE_INFINITY));
    assertEquals(Double.POSITIVE_INFINITY, ScalarMath.exp(709.782712893384));   // torch: inf (Sleef's threshold)
    assertEquals(1.7976900000001013e308, ScalarMath.exp(709.7827111495575));    // torch: the last finite one
    assertEquals(Double.POSITIVE_INFINITY, ScalarMath.exp(Math.nextUp(709.7827111495575)));
    assertEquals(0.0, ScalarMath.exp(-746.0));
    assertEquals(0.0, ScalarMath.exp(Double.NEGATIVE_INFINITY));
    assertEquals(Double.MIN_VALUE, ScalarMath.exp(-745.1332191019411));   // the smallest subnormal
    assertEquals(4.2e-322, ScalarMath.exp(-740.0));                        // subnormal, rounded once
    assertEquals(2.0322308024e-313, ScalarMath.exp(-720.0));
    assertEquals(8.218407461554972e307, ScalarMath.exp(709.0));
    assertEquals(1.0, ScalarMath.exp(0.0));
    assertEquals(1.0, ScalarMath.exp(-0.0));
    assertTrue(Double.isNaN(ScalarMath.exp(Double.NaN)));
    assertEquals(Double.NEGATIVE_INFINITY, ScalarMath.log(0.0));
    assertEquals(Double.NEGATIVE_INFINITY, ScalarMath.log(-0.0));
    assertTrue(Double.isNaN(ScalarMath.log(-1.0)));
    assertTrue(Double.isNaN(ScalarMath.log(Double.NEGATIVE_INFINITY)));
    assertTrue(Double.isNaN(ScalarMath.log(Double.NaN)));
    assertEquals(Double.POSITIVE_INFINITY, ScalarMath.log(Double.POSITIVE_INFINITY));
    assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(ScalarMath.log(1.0)));
    assertEquals(-744.4400719213812, ScalarMath.log(Double.MIN_VALUE));
    assertEquals(709.782712893384, ScalarMath.log(Double.MAX_VALUE));
  }

  /** The vector kernels (main loop and masked tail) against the scalar twin, bit for bit. */
  @Test
  void vectorKernelsGiveTheScalarTwinsBits() {
    ElementKernels vector = new VectorDoubleKernels(), scalar = new ScalarDoubleKernels();
    int n = 200_003;
    SplittableRandom rnd = new SplittableRandom(5);
    double[] specials = {0, -0.0, 1, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 709.7827111495575,
        709.7827111495576, 709.8, -745.13, -746, -740, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 1e-300, -1e-300};
    UnaryOp[] ops = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIGMOID, UnaryOp.SILU};
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(8L * n, 64), v = arena.allocate(8L * n, 64), s = arena.allocate(8L * n, 64);
      for (int i = 0; i < n; i++) {
        double x = i < specials.length ? specials[i]
            : switch (i % 3) {
              case 0 -> Double.longBitsToDouble(rnd.nextLong());   // any bit pattern
              case 1 -> rnd.nextDouble(-750, 750);
              default -> rnd.nextGaussian() * 4;
            };
        a.setAtIndex(ValueLayout.JAVA_DOUBLE, i, x);
      }
      for (UnaryOp op : ops) {
        vector.unary(op, 0, 0, a, 0, v, 0, n);
        scalar.unary(op, 0, 0, a, 0, s, 0, n);
        assertSameBits(op.name(), v, s, n);
      }
      vector.expShift(a, 1, 0.25, v, 0, n - 2);   // from an odd offset over an odd count
      scalar.expShift(a, 1, 0.25, s, 0, n - 2);
      assertSameBits("expShift", v, s, n - 2);
    }
  }

  private static void assertSameBits(String what, MemorySegment v, MemorySegment s, int n) {
    for (int i = 0; i < n; i++) {
      long bv = Double.doubleToLongBits(v.getAtIndex(ValueLayout.JAVA_DOUBLE, i));
      long bs = Double.doubleToLongBits(s.getAtIndex(ValueLayout.JAVA_DOUBLE, i));
      if (bv != bs) {
        throw new AssertionError(what + " of element " + i + ": vector " + Double.longBitsToDouble(bv) + ", scalar "
            + Double.longBitsToDouble(bs));
      }
    }
  }
}
