package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The float tanh written with IEEE operations and the IEEE-only exp ({@link ScalarMath#tanh(float)}
 * and its inline vector sequence): within 1 ulp of the float64 value (exhaustively over every float
 * when it was written: at most 0.996 ulp; here every 127th bit pattern), odd including the sign of
 * zero, PyTorch's special values, and the vector kernel bit for bit equal to the scalar twin.
 */
class TanhTest {
  private static final int STEP = 127;

  @Test
  void tanhIsWithinOneUlpOfTheFloat64ValueAndOdd() {
    double max = 0;
    long n = 0;
    for (long b = 0; b < 0x7f800000L; b += STEP) {
      float x = Float.intBitsToFloat((int) b);
      float r = ScalarMath.tanh(x);
      max = Math.max(max, ExpLogTest.ulps(r, Math.tanh((double) x)));
      assertEquals(Float.floatToRawIntBits(-r), Float.floatToRawIntBits(ScalarMath.tanh(-x)), "tanh(-x) = -tanh(x) at " + x);
      n++;
    }
    assertTrue(n > 16_000_000, "sample " + n);
    assertTrue(max <= 1.0, "max error " + max + " ulp");
  }

  @Test
  void specialValuesAreTorchs() {
    // torch.tanh(torch.tensor([0., -0., inf, -inf, nan, 10., -10.])) in PyTorch 1.13
    assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(ScalarMath.tanh(0f)));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(ScalarMath.tanh(-0f)));
    assertEquals(1f, ScalarMath.tanh(Float.POSITIVE_INFINITY));
    assertEquals(-1f, ScalarMath.tanh(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(ScalarMath.tanh(Float.NaN)));
    assertEquals(1f, ScalarMath.tanh(10f));
    assertEquals(-1f, ScalarMath.tanh(-10f));
    assertEquals(Float.MIN_VALUE, ScalarMath.tanh(Float.MIN_VALUE));
  }

  @Test
  void vectorKernelGivesTheScalarTwinsBits() {
    ElementKernels vector = new VectorFloatKernels(), scalar = new ScalarFloatKernels();
    int n = (int) ((0x100000000L + 4098) / 4099);   // every 4099th pattern, both signs, odd count: the masked tail too
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(4L * n, 64), v = arena.allocate(4L * n, 64), s = arena.allocate(4L * n, 64);
      for (int i = 0; i < n; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.intBitsToFloat((int) ((long) i * 4099)));
      a.setAtIndex(ValueLayout.JAVA_FLOAT, 1, -0f);
      vector.unary(UnaryOp.TANH, 0, 0, a, 0, v, 0, n);
      scalar.unary(UnaryOp.TANH, 0, 0, a, 0, s, 0, n);
      for (int i = 0; i < n; i++) {
        int bv = Float.floatToIntBits(v.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        int bs = Float.floatToIntBits(s.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        assertEquals(bs, bv, "tanh of " + a.getAtIndex(ValueLayout.JAVA_FLOAT, i));
      }
    }
  }
}
