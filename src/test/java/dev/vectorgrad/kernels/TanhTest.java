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
 * zero, PyTorch's special values, and the vector kernels of tanh and of the activations built on it
 * and on the IEEE-only exp and log bit for bit equal to their scalar twins.
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

  /**
   * tanh and the activations built on the IEEE-only exp, log and tanh (tanh-form GELU, mish,
   * softplus): the vector kernels give the scalar twins' bits, so neither depends on the JIT.
   */
  @Test
  void vectorKernelsGiveTheScalarTwinsBits() {
    ElementKernels vector = new VectorFloatKernels(), scalar = new ScalarFloatKernels();
    int n = (int) ((0x100000000L + 4098) / 4099);   // every 4099th pattern, both signs, odd count: the masked tail too
    Object[][] cases = {{UnaryOp.TANH, 0.0, 0.0}, {UnaryOp.GELU_TANH, 0.0, 0.0}, {UnaryOp.MISH, 0.0, 0.0},
        {UnaryOp.SOFTPLUS, 1.0, 20.0}, {UnaryOp.SOFTPLUS, 2.0, 5.0}};
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(4L * n, 64), v = arena.allocate(4L * n, 64), s = arena.allocate(4L * n, 64);
      for (int i = 0; i < n; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.intBitsToFloat((int) ((long) i * 4099)));
      a.setAtIndex(ValueLayout.JAVA_FLOAT, 1, -0f);
      for (Object[] c : cases) {
        UnaryOp op = (UnaryOp) c[0];
        double p1 = (double) c[1], p2 = (double) c[2];
        vector.unary(op, p1, p2, a, 0, v, 0, n);
        scalar.unary(op, p1, p2, a, 0, s, 0, n);
        for (int i = 0; i < n; i++) {
          int bv = Float.floatToIntBits(v.getAtIndex(ValueLayout.JAVA_FLOAT, i));
          int bs = Float.floatToIntBits(s.getAtIndex(ValueLayout.JAVA_FLOAT, i));
          if (bv != bs) {
            throw new AssertionError(op + "(" + p1 + ", " + p2 + ") of " + a.getAtIndex(ValueLayout.JAVA_FLOAT, i)
                + ": vector " + Float.intBitsToFloat(bv) + ", scalar " + Float.intBitsToFloat(bs));
          }
        }
      }
    }
  }
}
