package dev.vectorgrad.testsupport;

import dev.vectorgrad.kernels.Gemm;
import dev.vectorgrad.kernels.KernelProvider;
import dev.vectorgrad.kernels.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs the Vector API GEMM (float32 and float64, single-threaded) long enough for the JIT to
 * compile its micro-kernels, with right edges that reach the 2- and 1-vector kernels too, and narrow
 * outputs that reach the dot-product kernels; prints
 * {@code gemm-warm-done} at the end. Run it with {@code -XX:+PrintCompilation} to see the tiers.
 */
public final class GemmWarmMain {
  private GemmWarmMain() {}

  public static void main(String[] args) {
    KernelProvider vector = Kernels.vectorOrNull();
    if (vector == null) {
      System.out.println("gemm-warm-unavailable");
      return;
    }
    warm(vector.gemmFloat32(), 4);
    warm(vector.gemmFloat64(), 8);
    System.out.println("gemm-warm-done");
  }

  private static final int[] NARROW = {1, 2, 4};

  /**
   * m = k = 192; n = 192 + 3 lanes for 4, 8 and 16 lanes in turn: a right edge of 3 vectors (2 + 1);
   * between them narrow outputs of 1, 2 and 4 columns.
   */
  private static void warm(Gemm gemm, int bytes) {
    int m = 192, k = 192, nMax = 192 + 48;
    int[] ns = {192 + 12, 192 + 24, 192 + 48};
    long deadline = System.nanoTime() + 15_000_000_000L;   // a cap for a loaded machine; at speed this takes ~1 s
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate((long) m * k * bytes, 64);
      MemorySegment b = arena.allocate((long) k * nMax * bytes, 64);
      MemorySegment c = arena.allocate((long) m * nMax * bytes, 64);
      for (int it = 0; it < 2500 && System.nanoTime() < deadline; it++) {
        int n = ns[it % 3];
        gemm.gemm(m, n, k, 1.0, a, 0, k, 1, b, 0, n, 1, 0.0, c, 0, n, 1);
        int narrow = NARROW[it % 3];   // outputs of 1, 2 and 4 columns: the dot-product kernels
        gemm.gemm(m, narrow, k, 1.0, a, 0, k, 1, b, 0, narrow, 1, 0.0, c, 0, narrow, 1);
        // and from A^T (A's columns contiguous): the column kernels, with rows past the last 64
        gemm.gemm(m - 8, narrow, k, 1.0, a, 0, 1, m - 8, b, 0, narrow, 1, 0.0, c, 0, narrow, 1);
      }
    }
  }
}
