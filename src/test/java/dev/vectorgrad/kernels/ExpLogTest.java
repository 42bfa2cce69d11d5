package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The float exp and log written with IEEE operations only ({@link ScalarMath#exp(float)},
 * {@link ScalarMath#log(float)} and their vector sequences): within 1 ulp of the float64 reference
 * over a dense sample of all float bit patterns, PyTorch's special values, and the vector kernels
 * bit for bit equal to the scalar twin.
 */
class ExpLogTest {
  /** Every 4099th bit pattern (4099 is odd: the sample spreads over all exponents and both signs), about 1M floats. */
  private static final int STEP = 4099;

  /** |r - exact| in ulps of the exact value's float (ulp of the smaller binade at a power of 2; subnormal ulp below). */
  static double ulps(float r, double exact) {
    double a = Math.abs(exact);
    double ulp = a < Float.MIN_NORMAL ? Float.MIN_VALUE : Math.ulp((float) Math.scalb(1.0, Math.getExponent(a)));
    return Math.abs(r - exact) / ulp;
  }

  @Test
  void expIsWithinOneUlpOfTheFloat64Reference() {
    double max = 0;
    long n = 0;
    for (long b = 0; b <= 0xffffffffL; b += STEP) {
      float x = Float.intBitsToFloat((int) b);
      if (!(x > -103.9f && x < 88.72f)) continue;   // outside: 0, subnormal ties, inf (checked below)
      double e = ulps(ScalarMath.exp(x), Math.exp(x));
      max = Math.max(max, e);
      n++;
    }
    assertTrue(n > 200_000, "sample " + n);
    assertTrue(max <= 1.0, "max error " + max + " ulp");
  }

  @Test
  void logIsWithinOneUlpOfTheFloat64Reference() {
    double max = 0;
    long n = 0;
    for (long b = 1; b < 0x7f800000L; b += STEP) {   // every positive finite float, subnormals included
      float x = Float.intBitsToFloat((int) b);
      max = Math.max(max, ulps(ScalarMath.log(x), Math.log(x)));
      n++;
    }
    assertTrue(n > 400_000, "sample " + n);
    assertTrue(max <= 1.0, "max error " + max + " ulp");
  }

  @Test
  void specialValuesAreTorchs() {
    // torch.exp: exp(88.8) = inf, exp(-104) = 0, exp(+-inf) = inf, 0; exp(-0) = 1; NaN stays NaN
    assertEquals(Float.POSITIVE_INFINITY, ScalarMath.exp(88.8f));
    assertEquals(Float.POSITIVE_INFINITY, ScalarMath.exp(Float.MAX_VALUE));
    assertEquals(Float.POSITIVE_INFINITY, ScalarMath.exp(Float.POSITIVE_INFINITY));
    assertEquals(0f, ScalarMath.exp(-104f));
    assertEquals(0f, ScalarMath.exp(Float.NEGATIVE_INFINITY));
    assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(ScalarMath.exp(-1e30f)));
    assertEquals(1f, ScalarMath.exp(0f));
    assertEquals(1f, ScalarMath.exp(-0f));
    assertEquals(Float.MIN_VALUE, ScalarMath.exp(-103.9f));     // exp(-103.9) = 7.9e-46 rounds to 2^-149
    assertEquals((float) Math.exp(88.72f), ScalarMath.exp(88.72f));
    assertTrue(Float.isNaN(ScalarMath.exp(Float.NaN)));
    // torch.log: log(0) = log(-0) = -inf, log(-1) = nan, log(inf) = inf, log(1) = 0
    assertEquals(Float.NEGATIVE_INFINITY, ScalarMath.log(0f));
    assertEquals(Float.NEGATIVE_INFINITY, ScalarMath.log(-0f));
    assertTrue(Float.isNaN(ScalarMath.log(-1f)));
    assertTrue(Float.isNaN(ScalarMath.log(Float.NEGATIVE_INFINITY)));
    assertTrue(Float.isNaN(ScalarMath.log(Float.NaN)));
    assertEquals(Float.POSITIVE_INFINITY, ScalarMath.log(Float.POSITIVE_INFINITY));
    assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(ScalarMath.log(1f)));
    assertEquals((float) Math.log(Float.MIN_VALUE), ScalarMath.log(Float.MIN_VALUE));
    assertEquals((float) Math.log(Float.MAX_VALUE), ScalarMath.log(Float.MAX_VALUE));
  }

  /** The vector kernels (main loop and masked tail) against the scalar twin, bit for bit, on every sampled pattern. */
  @Test
  void vectorKernelsGiveTheScalarTwinsBits() {
    ElementKernels vector = new VectorFloatKernels(), scalar = new ScalarFloatKernels();
    int n = (int) ((0x100000000L + STEP - 1) / STEP);
    UnaryOp[] ops = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIGMOID, UnaryOp.SILU, UnaryOp.ERF, UnaryOp.GELU};
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(4L * n, 64), v = arena.allocate(4L * n, 64), s = arena.allocate(4L * n, 64);
      for (int i = 0; i < n; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.intBitsToFloat((int) ((long) i * STEP)));
      for (UnaryOp op : ops) {
        vector.unary(op, 0, 0, a, 0, v, 0, n);
        scalar.unary(op, 0, 0, a, 0, s, 0, n);
        assertSameBits(op.name(), a, v, s, n);
      }
      // expShift from an odd offset over an odd count: the masked tail and unaligned loads too
      vector.expShift(a, 1, 0.25, v, 0, n - 2);
      scalar.expShift(a, 1, 0.25, s, 0, n - 2);
      assertSameBits("expShift", a, v, s, n - 2);
    }
  }

  /** GELU's exp ({@link ScalarMath#expNonPositive}) has exp's bits on [-87, 0], every 101st float of it and its ends. */
  @Test
  void expNonPositiveHasExpsBitsFromMinus87ToZero() {
    int last = Float.floatToRawIntBits(ScalarMath.EXP_NORMAL_LO_F);
    for (long bits = Float.floatToRawIntBits(-0f); bits <= last; bits += 101) {
      float x = Float.intBitsToFloat((int) bits);
      assertEquals(Float.floatToIntBits(ScalarMath.exp(x)), Float.floatToIntBits(ScalarMath.expNonPositive(x)), "exp(" + x + ")");
    }
    assertEquals(Float.floatToIntBits(ScalarMath.exp(-87f)), Float.floatToIntBits(ScalarMath.expNonPositive(-87f)));
    assertEquals(Float.floatToIntBits(ScalarMath.exp(0f)), Float.floatToIntBits(ScalarMath.expNonPositive(0f)));
    assertTrue(Float.isNaN(ScalarMath.expNonPositive(Float.NaN)));
  }

  /**
   * GELU with {@link ScalarMath#expNonPositive} gives the bits of GELU with the full exp (the
   * definition before, here), over the sample of all float bit patterns: below exp(-87) the erf
   * term is 1 either way.
   */
  @Test
  void geluHasTheBitsOfGeluWithTheFullExp() {
    for (long bits = 0; bits < 0x100000000L; bits += STEP) {
      float x = Float.intBitsToFloat((int) bits);
      assertEquals(Float.floatToIntBits(geluWithFullExp(x)), Float.floatToIntBits(ScalarMath.gelu(x)), "gelu(" + x + ")");
    }
  }

  private static float geluWithFullExp(float x) {
    float u = x * (float) ScalarMath.SQRT1_2;
    float t = 1 / Math.fma((float) ScalarMath.AS_P, Math.abs(u), 1f);
    float q = Math.fma(Math.fma(Math.fma(Math.fma((float) ScalarMath.AS_A5, t, (float) ScalarMath.AS_A4), t,
        (float) ScalarMath.AS_A3), t, (float) ScalarMath.AS_A2), t, (float) ScalarMath.AS_A1);
    float m = Math.fma(-ScalarMath.exp(-(u * u)) * t, q, 1f);
    float e = u < 0 ? -m : m;
    return x * 0.5f * (e + 1);
  }

  private static void assertSameBits(String what, MemorySegment in, MemorySegment v, MemorySegment s, int n) {
    for (int i = 0; i < n; i++) {
      int bv = Float.floatToIntBits(v.getAtIndex(ValueLayout.JAVA_FLOAT, i));
      int bs = Float.floatToIntBits(s.getAtIndex(ValueLayout.JAVA_FLOAT, i));
      if (bv != bs) {
        throw new AssertionError(what + " of element " + i + ": vector " + Float.intBitsToFloat(bv) + ", scalar "
            + Float.intBitsToFloat(bs));
      }
    }
  }
}
