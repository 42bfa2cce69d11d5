package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;

/**
 * General matrix multiply of one element type, BLAS {@code ?gemm} semantics:
 * {@code C = alpha * A B + beta * C} for an {@code m x k} A, a {@code k x n} B and an {@code m x n} C.
 *
 * <p>Every operand is addressed by an offset and a row and a column stride, all counted in
 * ELEMENTS (not bytes): element {@code (i, j)} of A is at {@code aOff + i * aRowStride + j * aColStride}.
 * A transposed view is therefore read in place (for {@code t(x)} swap the strides); nothing is
 * copied by the caller. C must not overlap A or B. As in BLAS: {@code beta == 0} ignores C's old
 * contents (NaN and infinity included) and only writes it; {@code alpha == 0} or {@code k == 0}
 * reads neither A nor B and scales C by {@code beta}; {@code m == 0} or {@code n == 0} does nothing.
 * {@code alpha} and {@code beta} are rounded to the element type first.
 *
 * <p>Implementations: {@link KernelProvider#gemmFloat32()} / {@link KernelProvider#gemmFloat64()}
 * run on the caller's thread; {@link Kernels#gemmFloat32()} / {@link Kernels#gemmFloat64()} split
 * large products over {@link Parallel}'s threads, with results bit-identical to one thread's.
 */
public interface Gemm {
  /** C = alpha * A B + beta * C for an m x k A, k x n B, m x n C, any element strides (transposed views need no copy). */
  void gemm(int m, int n, int k, double alpha,
            MemorySegment a, long aOff, long aRowStride, long aColStride,
            MemorySegment b, long bOff, long bRowStride, long bColStride,
            double beta, MemorySegment c, long cOff, long cRowStride, long cColStride);
}
