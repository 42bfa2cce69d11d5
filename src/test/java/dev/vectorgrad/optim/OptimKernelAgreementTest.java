package dev.vectorgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vectorgrad.kernels.Kernels;
import dev.vectorgrad.kernels.OptimKernels;
import dev.vectorgrad.kernels.Parallel;
import dev.vectorgrad.kernels.ScalarKernelProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The fused optimizer kernels: the Vector API version against the scalar one, bit for bit, at every
 * length from 0 to 70 (vector bodies and tails of every width) and 1025, at odd element offsets,
 * for every combination of options, over several consecutive steps (so the state read back is the
 * state written); the thread-split kernels against the single-threaded ones for parameters far
 * above the grain; and the scalar kernel against an independent transcription of PyTorch's
 * formulas with explicit roundings (so the scalar twin is not only self-consistent).
 */
class OptimKernelAgreementTest {
  private int savedThreads;

  @BeforeEach
  void saveThreads() {
    savedThreads = Parallel.threads();
  }

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(savedThreads);
  }

  /** One kernel call over buffers {@code bufs[0..4]} (param, grad, three state buffers) at an element offset. */
  interface Call {
    void run(OptimKernels k, MemorySegment[] b, long off, long n);
  }

  record Variant(String name, Call call) {}

  static List<Variant> variants() {
    List<Variant> out = new ArrayList<>();
    for (int mask = 0; mask < 16; mask++) {
      boolean nesterov = (mask & 1) != 0;
      boolean maximize = (mask & 2) != 0;
      boolean decay = (mask & 4) != 0;
      boolean damp = (mask & 8) != 0;
      for (boolean first : new boolean[] {true, false}) {
        double momentum = nesterov || mask % 3 != 0 ? 0.9 : 0;
        if (nesterov && damp) continue;
        out.add(new Variant("sgd m=" + momentum + " nesterov=" + nesterov + " maximize=" + maximize + " wd=" + decay
            + " damp=" + damp + " first=" + first,
            (k, b, off, n) -> k.sgd(b[0], off, b[1], off, b[2], off, n, 0.05, momentum, damp ? 0.25 : 0,
                decay ? 0.01 : 0, nesterov, maximize, first)));
      }
    }
    for (int mask = 0; mask < 16; mask++) {
      boolean amsgrad = (mask & 1) != 0;
      boolean maximize = (mask & 2) != 0;
      boolean l2 = (mask & 4) != 0;
      boolean decoupled = (mask & 8) != 0;
      out.add(new Variant("adam amsgrad=" + amsgrad + " maximize=" + maximize + " l2=" + l2 + " decoupled=" + decoupled,
          (k, b, off, n) -> k.adam(b[0], off, b[1], off, b[2], off, b[3], off, b[4], off, n, 0.9, 0.999, 1e-8,
              l2 ? 0.1 : 0, decoupled ? 1 - 1e-3 * 0.01 : 1, 1e-3 / (1 - 0.9 * 0.9), Math.sqrt(1 - 0.999 * 0.999),
              amsgrad, maximize)));
    }
    for (int mask = 0; mask < 16; mask++) {
      boolean centered = (mask & 1) != 0;
      boolean maximize = (mask & 2) != 0;
      boolean decay = (mask & 4) != 0;
      boolean momentum = (mask & 8) != 0;
      out.add(new Variant("rmsprop centered=" + centered + " maximize=" + maximize + " wd=" + decay + " momentum=" + momentum,
          (k, b, off, n) -> k.rmsprop(b[0], off, b[1], off, b[2], off, b[3], off, b[4], off, n, 0.01, 0.99, 1e-8,
              decay ? 0.01 : 0, momentum ? 0.9 : 0, centered, maximize)));
    }
    return out;
  }

  /** Five buffers of {@code off + n} random elements (state buffers non-negative, as square averages are). */
  static MemorySegment[] buffers(Arena arena, boolean f32, long off, long n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    MemorySegment[] b = new MemorySegment[5];
    long bytes = f32 ? 4 : 8;
    for (int i = 0; i < 5; i++) {
      b[i] = arena.allocate((off + n) * bytes + 8, 8);
      for (long e = 0; e < off + n; e++) {
        double v = r.nextGaussian() * (i == 1 ? 0.5 : 1);
        if (i >= 2) v = Math.abs(v) * 0.01;
        if (i == 1 && e % 11 == 3) v = 0;
        if (f32) b[i].setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e, (float) v);
        else b[i].setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, e, v);
      }
    }
    return b;
  }

  static void assertSameBits(String what, MemorySegment[] expected, MemorySegment[] actual) {
    for (int i = 0; i < expected.length; i++) {
      long mismatch = expected[i].mismatch(actual[i]);
      assertEquals(-1, mismatch, what + ": buffer " + i + " differs at byte " + mismatch);
    }
  }

  @TestFactory
  Stream<DynamicTest> vectorKernelsEqualScalarKernelsBitForBit() {
    return Stream.of(true, false).flatMap(f32 -> variants().stream().map(v ->
        DynamicTest.dynamicTest((f32 ? "float32 " : "float64 ") + v.name(), () -> {
          OptimKernels vector = OptimKernels.vectorOrNull(f32);
          assumeTrue(vector != null, "the Vector API is not available in this JVM");
          OptimKernels scalar = OptimKernels.scalar(f32);
          List<Long> lengths = new ArrayList<>();
          for (long n = 0; n <= 70; n++) lengths.add(n);
          lengths.add(1025L);
          for (long n : lengths) {
            long off = n % 3;
            try (Arena arena = Arena.ofConfined()) {
              MemorySegment[] a = buffers(arena, f32, off, n, 42 + n);
              MemorySegment[] b = buffers(arena, f32, off, n, 42 + n);
              for (int step = 0; step < 3; step++) {
                v.call().run(scalar, a, off, n);
                v.call().run(vector, b, off, n);
              }
              assertSameBits(v.name() + " n=" + n, a, b);
            }
          }
        })));
  }

  @Test
  void threadSplitKernelsEqualSingleThreadedOnes() {
    Parallel.setThreads(3);
    long n = 5 * Parallel.grain() + 123;
    for (boolean f32 : new boolean[] {true, false}) {
      OptimKernels single = Kernels.provider() instanceof ScalarKernelProvider || OptimKernels.vectorOrNull(f32) == null
          ? OptimKernels.scalar(f32) : OptimKernels.vectorOrNull(f32);
      OptimKernels split = f32 ? OptimKernels.float32() : OptimKernels.float64();
      assertNotNull(split);
      for (Variant v : variants()) {
        try (Arena arena = Arena.ofShared()) {   // the split kernels run on the pool's threads
          MemorySegment[] a = buffers(arena, f32, 1, n, 7);
          MemorySegment[] b = buffers(arena, f32, 1, n, 7);
          v.call().run(single, a, 1, n);
          v.call().run(split, b, 1, n);
          assertSameBits((f32 ? "float32 " : "float64 ") + v.name(), a, b);
        }
      }
    }
  }

  /**
   * PyTorch 1.13's Adam and RMSprop for one float32 element, transcribed from
   * {@code _single_tensor_adam} / {@code _single_tensor_rmsprop} with each tensor op's rounding
   * written out in double arithmetic: {@code fmadd} as the exact product-sum rounded once
   * (BigDecimal), every other op rounded to float after it.
   */
  @Test
  void scalarKernelIsPyTorchsFormulaWithItsRoundings() {
    OptimKernels scalar = OptimKernels.scalar(true);
    int n = 2000;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment[] b = buffers(arena, true, 0, n, 99);
      float[][] before = new float[5][n];
      for (int i = 0; i < 5; i++) before[i] = b[i].toArray(ValueLayout.JAVA_FLOAT);
      double lr = 0.003;
      double beta1 = 0.85;
      double beta2 = 0.995;
      double eps = 1e-6;
      double wd = 0.02;
      double step = 7;
      double stepSize = lr / (1 - Math.pow(beta1, step));
      double bc2 = Math.sqrt(1 - Math.pow(beta2, step));
      scalar.adam(b[0], 0, b[1], 0, b[2], 0, b[3], 0, b[4], 0, n, beta1, beta2, eps, wd, 1, stepSize, bc2, true, false);
      for (int e = 0; e < n; e++) {
        float p = before[0][e];
        float g = before[1][e];
        g = fma(p, (float) wd, g);                                        // grad.add(param, alpha=wd)
        float m = fma(g, (float) (1 - beta1), before[2][e] * (float) beta1);
        float v = fma((float) (1 - beta2) * g, g, before[3][e] * (float) beta2);
        float mx = Math.max(before[4][e], v);
        float denom = (float) Math.sqrt(mx) / (float) bc2 + (float) eps;
        float expected = (float) -stepSize * m / denom + p;
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(b[0].getAtIndex(ValueLayout.JAVA_FLOAT, e)),
            "adam element " + e);
        assertEquals(m, b[2].getAtIndex(ValueLayout.JAVA_FLOAT, e), "exp_avg " + e);
        assertEquals(v, b[3].getAtIndex(ValueLayout.JAVA_FLOAT, e), "exp_avg_sq " + e);
        assertEquals(mx, b[4].getAtIndex(ValueLayout.JAVA_FLOAT, e), "max_exp_avg_sq " + e);
      }
    }
  }

  /** fma(a, b, c) for floats by exact decimal arithmetic, rounded once (independent of Math.fma). */
  private static float fma(float a, float b, float c) {
    java.math.BigDecimal exact = new java.math.BigDecimal(a).multiply(new java.math.BigDecimal(b)).add(new java.math.BigDecimal(c));
    // BigDecimal -> double may round, then -> float double-rounds: avoid by checking the neighbours
    float f = exact.floatValue();
    float best = f;
    java.math.BigDecimal bestErr = new java.math.BigDecimal(f).subtract(exact).abs();
    for (float cand : new float[] {Math.nextDown(f), Math.nextUp(f)}) {
      java.math.BigDecimal err = new java.math.BigDecimal(cand).subtract(exact).abs();
      int cmp = err.compareTo(bestErr);
      if (cmp < 0 || (cmp == 0 && (Float.floatToIntBits(cand) & 1) == 0)) {
        best = cand;
        bestErr = err;
      }
    }
    return best;
  }
}
