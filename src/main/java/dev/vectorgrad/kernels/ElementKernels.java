package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Kernels for one element type over contiguous ranges of off-heap memory. Offsets and lengths count
 * elements, not bytes. Implementations are generated from templates in {@code src/build/kernels}:
 * a Vector API one and a scalar one per type; both round every elementwise result identically
 * (IEEE operations in the element type), reductions may differ in the last bits because the
 * summation order follows the vector width.
 *
 * <p>Ranges may alias when they are identical ({@code out == a}); partially overlapping ranges are
 * not supported. Callers check bounds: the segment accessors check them again, so a wrong offset
 * throws {@link IndexOutOfBoundsException} instead of corrupting memory.
 */
public interface ElementKernels {
  /** {@code out[i] = a[i] op b[i]}. */
  void binary(BinaryOp op, MemorySegment a, long aOff, MemorySegment b, long bOff,
              MemorySegment out, long outOff, long n);

  /** {@code out[i] = a[i] op s}; {@code s} is first rounded to the element type, as PyTorch does. */
  void binaryScalar(BinaryOp op, MemorySegment a, long aOff, double s, MemorySegment out, long outOff, long n);

  /** {@code out[i] = s op b[i]}. */
  void scalarBinary(BinaryOp op, double s, MemorySegment b, long bOff, MemorySegment out, long outOff, long n);

  /**
   * A column broadcast over rows: {@code out[r, j] = a[r, j] op col[r]} ({@code col[r] op a[r, j]}
   * when {@code colFirst}) for {@code rows} rows of {@code inner} elements, as {@link #binaryScalar}
   * (or {@link #scalarBinary}) row by row with each row's value: the same bits, in one call, so that
   * short rows ({@code x - x.max(1, keepdim)} of (n, 8)) do not pay a kernel call each. Floating point
   * kernels.
   */
  default void binaryColumn(BinaryOp op, MemorySegment a, long aOff, MemorySegment col, long colOff, boolean colFirst,
                            MemorySegment out, long outOff, long rows, long inner) {
    for (long r = 0; r < rows; r++) {
      double s = get(col, colOff + r);
      if (colFirst) scalarBinary(op, s, a, aOff + r * inner, out, outOff + r * inner, inner);
      else binaryScalar(op, a, aOff + r * inner, s, out, outOff + r * inner, inner);
    }
  }

  /**
   * {@code out[i] = cond[i] != 0 ? a[i] : b[i]}, {@code cond} holding elements of this kernel's type
   * (0 or 1): PyTorch's {@code where}, the chosen element's bits copied unchanged.
   */
  default void select(MemorySegment cond, long cOff, MemorySegment a, long aOff, MemorySegment b, long bOff,
                      MemorySegment out, long outOff, long n) {
    for (long i = 0; i < n; i++) {
      if (get(cond, cOff + i) != 0) copy(a, aOff + i, out, outOff + i, 1);
      else copy(b, bOff + i, out, outOff + i, 1);
    }
  }

  /**
   * {@code out[i] = op(a[i])} with the op's parameters {@code p1}, {@code p2} (see {@link UnaryOp});
   * floating point kernels only.
   */
  default void unary(UnaryOp op, double p1, double p2, MemorySegment a, long aOff, MemorySegment out, long outOff, long n) {
    throw new UnsupportedOperationException(op + " is computed in floating point");
  }

  /** {@code out[i] = -a[i]}. */
  void neg(MemorySegment a, long aOff, MemorySegment out, long outOff, long n);

  /** {@code out[i] = value}. */
  void fill(MemorySegment out, long outOff, long n, double value);

  /** {@code out[i] = a[i]}. */
  void copy(MemorySegment a, long aOff, MemorySegment out, long outOff, long n);

  /**
   * Sum of {@code n} elements. Fewer than {@link #SHORT_SUM} floating point elements are added in
   * PyTorch's order and rounding ({@link TorchSumOrder#contiguous}); longer runs accumulate in
   * blocks (several vector accumulators inside a block, block sums in double), so a float sum of
   * millions of elements stays accurate to float precision.
   */
  double sum(MemorySegment a, long aOff, long n);

  /**
   * Runs shorter than this are summed in PyTorch's order and rounding, bit for bit as torch 1.13 on
   * one thread: float32 values add in float32, where the order can decide whether terms that cancel
   * give exactly 0 (issue 11). Longer runs keep the faster blocked sum (there the order only moves
   * the last bits, which every comparison with PyTorch tolerates); whole reductions of fewer
   * elements follow PyTorch's order over any strides and dims as well.
   */
  long SHORT_SUM = 256;

  /**
   * The elements {@link #sum} adds up as one block (vector kernels); {@link #sumFrom} takes runs of it.
   * 16384 rather than 4096: each block restarts the accumulator loop and reduces its lanes, and at
   * 4096 that cost 10-20% of a sum's time against one loop over the whole range (Zen 4, 1 thread:
   * 64K floats 2.56 against 2.37 us, 1M floats 55 against 48 us with 16384; C's 8-accumulator loop
   * 2.32 / 45 us). Each lane still adds only 256 floats in float before the block goes to double.
   */
  long SUM_BLOCK = 16384;

  /**
   * Continues {@link #sum}'s running total over the next {@code n <= }{@link #SUM_BLOCK} elements of a run
   * longer than one block: cutting such a run into pieces of {@code SUM_BLOCK} elements (the last one
   * shorter) and folding them with {@code total = sumFrom(total, piece)} from 0 gives the same bits as
   * {@code sum} of the whole run. Fusion uses it to reduce values computed block by block in scratch
   * memory (issue 10), bit-identical to the eager sum of the materialised tensor.
   */
  double sumFrom(double total, MemorySegment a, long aOff, long n);

  /**
   * The largest of {@code n >= 1} elements ({@code min}: the smallest), NaN as soon as one is NaN
   * (PyTorch's {@code max()}/{@code min()} propagate NaN). Floating point kernels only. Among
   * equal values the one met later wins, which decides only the sign of a zero result: the
   * scalar kernel meets them in order, the vector kernel lane by lane (PyTorch's vectorized
   * reduction is as order dependent).
   */
  default double max(MemorySegment a, long aOff, long n, boolean min) {
    throw new UnsupportedOperationException("max is computed in floating point");
  }

  /**
   * {@code out[i] = exp(a[i] - shift)}, the subtraction and the exponential rounded in the element
   * type as the {@link UnaryOp#EXP} kernel rounds them; returns the sum of the stored values
   * (accumulated per block in the element type, the block sums in double). The pass of softmax
   * after the row maximum. Floating point kernels only.
   */
  default double expShift(MemorySegment a, long aOff, double shift, MemorySegment out, long outOff, long n) {
    throw new UnsupportedOperationException("exp is computed in floating point");
  }

  /** The sum {@link #expShift} returns, without storing the exponentials (log_softmax, logsumexp). */
  default double sumExpShift(MemorySegment a, long aOff, double shift, long n) {
    throw new UnsupportedOperationException("exp is computed in floating point");
  }

  /**
   * {@code out[j] = 0 + a[j] + a[rowStride + j] + ... } over {@code rows >= 1} rows, for j &lt; n, added
   * in row order in the element type (the sum over a leading dim; starting from +0, as PyTorch's
   * accumulator, so a sum is never -0.0). The same bits as {@code binaryScalar(ADD, first row, 0)}
   * followed by one {@code binary(ADD)} per further row, which is how this default computes it;
   * an implementation may keep the partial sums in registers instead.
   */
  default void addRows(MemorySegment a, long aOff, long rows, long rowStride, MemorySegment out, long outOff, long n) {
    binaryScalar(BinaryOp.ADD, a, aOff, 0, out, outOff, n);
    for (long r = 1; r < rows; r++) binary(BinaryOp.ADD, out, outOff, a, aOff + r * rowStride, out, outOff, n);
  }

  /**
   * softmax ({@code log}: log_softmax) of {@code rows} contiguous rows of {@code size >= 1} elements,
   * row r at {@code inOff + r * size} into {@code out} at {@code outOff + r * size} ({@code out} may be
   * {@code in}, same offsets). Each row as PyTorch's vectorized CPU kernel computes it: the maximum m
   * ({@link #max}); log_softmax {@code (x - m) - log(sum)} with {@code sum} from {@link #sumExpShift};
   * softmax {@code exp(x - m) * (1 / sum)} with {@link #expShift}; the sum, its log and its reciprocal
   * rounded to the element type. An implementation may run the passes without a call per pass
   * (a classifier's logits are rows of ten, where the calls cost more than the work), with the same
   * bits as these calls. Floating point kernels only.
   */
  default void softmaxRows(boolean log, MemorySegment in, long inOff, MemorySegment out, long outOff,
                           long rows, long size) {
    boolean single = elementBytes() == 4;
    for (long r = 0; r < rows; r++) {
      long i = inOff + r * size, o = outOff + r * size;
      double m = max(in, i, size, false);
      if (log) {
        double sum = sumExpShift(in, i, m, size);
        double logSum = single ? (float) Math.log((float) sum) : Math.log(sum);
        binaryScalar(BinaryOp.SUB, in, i, m, out, o, size);
        binaryScalar(BinaryOp.SUB, out, o, logSum, out, o, size);
      } else {
        double sum = expShift(in, i, m, out, o, size);
        if (single) sum = (float) sum;
        binaryScalar(BinaryOp.MUL, out, o, single ? (float) (1 / sum) : 1 / sum, out, o, size);
      }
    }
  }

  /**
   * {@code out[outOff + i * outStride] = a[aOff + i * aStride]} for {@code i < n}: the gather and
   * scatter of strided iteration (a stride may be 0, which repeats one element). Ranges must not
   * overlap unless identical.
   */
  void copyStrided(MemorySegment a, long aOff, long aStride, MemorySegment out, long outOff, long outStride, long n);

  /**
   * A tile of a transposed operand made row-major: {@code dst[dstOff + r * dstRowStride + j] =
   * src[srcOff + j * srcStep + r]} for {@code r < rows}, {@code j < cols} (both at most 64): the
   * source's columns and the destination's rows are runs of memory. Ranges must not overlap.
   */
  default void transposeTile(MemorySegment src, long srcOff, long srcStep, MemorySegment dst, long dstOff,
                             long dstRowStride, int rows, int cols) {
    for (int j = 0; j < cols; j++) copyStrided(src, srcOff + j * srcStep, 1, dst, dstOff + j, dstRowStride, rows);
  }

  /** One element as a long (float types truncate toward zero, as a C cast). */
  long getLong(MemorySegment a, long index);

  /** Stores {@code value} converted to the element type. */
  void setLong(MemorySegment a, long index, long value);

  /** One element, widened to double. */
  double get(MemorySegment a, long index);

  /** Stores {@code value} rounded to the element type. */
  void set(MemorySegment a, long index, double value);

  /** Size of one element in bytes. */
  int elementBytes();
}
