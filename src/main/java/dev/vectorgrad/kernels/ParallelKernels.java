package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Splits large calls of another implementation's kernels over {@link Parallel}'s threads; small
 * calls go straight through. Chunks are disjoint and aligned, so elementwise results are identical
 * to one thread's; sums add the chunks' partial sums in chunk order (deterministic for a given
 * thread count, within rounding of the single-threaded sum).
 */
public final class ParallelKernels implements ElementKernels {
  private final ElementKernels inner;

  public ParallelKernels(ElementKernels inner) {
    this.inner = inner;
  }

  @Override
  public void binary(BinaryOp op, MemorySegment a, long aOff, MemorySegment b, long bOff,
                     MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(n)) {
      inner.binary(op, a, aOff, b, bOff, out, outOff, n);
    } else {
      Parallel.forRange(n, (from, to) -> inner.binary(op, a, aOff + from, b, bOff + from, out, outOff + from, to - from));
    }
  }

  @Override
  public void binaryScalar(BinaryOp op, MemorySegment a, long aOff, double s, MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(n)) {
      inner.binaryScalar(op, a, aOff, s, out, outOff, n);
    } else {
      Parallel.forRange(n, (from, to) -> inner.binaryScalar(op, a, aOff + from, s, out, outOff + from, to - from));
    }
  }

  @Override
  public void scalarBinary(BinaryOp op, double s, MemorySegment b, long bOff, MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(n)) {
      inner.scalarBinary(op, s, b, bOff, out, outOff, n);
    } else {
      Parallel.forRange(n, (from, to) -> inner.scalarBinary(op, s, b, bOff + from, out, outOff + from, to - from));
    }
  }

  @Override
  public void unary(UnaryOp op, double p1, double p2, MemorySegment a, long aOff, MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(n)) {
      inner.unary(op, p1, p2, a, aOff, out, outOff, n);
    } else {
      Parallel.forRange(n, (from, to) -> inner.unary(op, p1, p2, a, aOff + from, out, outOff + from, to - from));
    }
  }

  @Override
  public void neg(MemorySegment a, long aOff, MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(n)) {
      inner.neg(a, aOff, out, outOff, n);
    } else {
      Parallel.forRange(n, (from, to) -> inner.neg(a, aOff + from, out, outOff + from, to - from));
    }
  }

  @Override
  public void fill(MemorySegment out, long outOff, long n, double value) {
    if (!Parallel.splits(n)) {
      inner.fill(out, outOff, n, value);
    } else {
      Parallel.forRange(n, (from, to) -> inner.fill(out, outOff + from, to - from, value));
    }
  }

  @Override
  public void copy(MemorySegment a, long aOff, MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(n)) {
      inner.copy(a, aOff, out, outOff, n);
    } else {
      Parallel.forRange(n, (from, to) -> inner.copy(a, aOff + from, out, outOff + from, to - from));
    }
  }

  @Override
  public double sum(MemorySegment a, long aOff, long n) {
    if (!Parallel.splits(n)) return inner.sum(a, aOff, n);
    return Parallel.sum(n, (from, to) -> inner.sum(a, aOff + from, to - from));
  }

  @Override
  public double sumFrom(double total, MemorySegment a, long aOff, long n) {
    return inner.sumFrom(total, a, aOff, n);
  }

  /**
   * Large ranges: one chunk per thread (at least half the grain each, aligned to the sum blocks), the chunks'
   * results combined in chunk order with the kernel's own rule (NaN sticks, the later of equal
   * values wins).
   */
  @Override
  public double max(MemorySegment a, long aOff, long n, boolean min) {
    if (!Parallel.splits(n)) return inner.max(a, aOff, n, min);
    long per = Math.max(Parallel.grain() / 2, (n + Parallel.threads() - 1) / Parallel.threads());
    long chunk = (per + Parallel.ALIGN - 1) / Parallel.ALIGN * Parallel.ALIGN;
    int parts = (int) ((n + chunk - 1) / chunk);
    double[] partial = new double[parts];
    Parallel.forRows(parts, chunk, (from, to) -> {
      for (long p = from; p < to; p++) {
        long start = p * chunk;
        partial[(int) p] = inner.max(a, aOff + start, Math.min(chunk, n - start), min);
      }
    });
    double r = partial[0];
    for (int p = 1; p < parts; p++) {
      double x = partial[p];
      if ((min ? x <= r : x >= r) || x != x) r = x;
    }
    return r;
  }

  @Override
  public double expShift(MemorySegment a, long aOff, double shift, MemorySegment out, long outOff, long n) {
    return inner.expShift(a, aOff, shift, out, outOff, n);   // one softmax row: callers split rows
  }

  @Override
  public double sumExpShift(MemorySegment a, long aOff, double shift, long n) {
    return inner.sumExpShift(a, aOff, shift, n);
  }

  @Override
  public void addRows(MemorySegment a, long aOff, long rows, long rowStride, MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(rows * n)) {
      inner.addRows(a, aOff, rows, rowStride, out, outOff, n);
    } else {
      Parallel.forRows(n, rows, (from, to) -> inner.addRows(a, aOff + from, rows, rowStride, out, outOff + from, to - from));
    }
  }

  @Override
  public void softmaxRows(boolean log, MemorySegment in, long inOff, MemorySegment out, long outOff,
                          long rows, long size) {
    inner.softmaxRows(log, in, inOff, out, outOff, rows, size);
  }


  @Override
  public void binaryColumn(BinaryOp op, MemorySegment a, long aOff, MemorySegment col, long colOff, boolean colFirst,
                           MemorySegment out, long outOff, long rows, long inner) {
    Parallel.forRows(rows, inner, (from, to) -> this.inner.binaryColumn(op, a, aOff + from * inner, col, colOff + from,
        colFirst, out, outOff + from * inner, to - from, inner));
  }

  @Override
  public void select(MemorySegment cond, long cOff, MemorySegment a, long aOff, MemorySegment b, long bOff,
                     MemorySegment out, long outOff, long n) {
    if (!Parallel.splits(n)) {
      inner.select(cond, cOff, a, aOff, b, bOff, out, outOff, n);
    } else {
      Parallel.forRange(n, (from, to) -> inner.select(cond, cOff + from, a, aOff + from, b, bOff + from, out,
          outOff + from, to - from));
    }
  }

  @Override
  public void copyStrided(MemorySegment a, long aOff, long aStride, MemorySegment out, long outOff, long outStride, long n) {
    inner.copyStrided(a, aOff, aStride, out, outOff, outStride, n);
  }

  @Override
  public void transposeTile(MemorySegment src, long srcOff, long srcStep, MemorySegment dst, long dstOff,
                            long dstRowStride, int rows, int cols) {
    inner.transposeTile(src, srcOff, srcStep, dst, dstOff, dstRowStride, rows, cols);
  }

  @Override
  public long getLong(MemorySegment a, long index) {
    return inner.getLong(a, index);
  }

  @Override
  public void setLong(MemorySegment a, long index, long value) {
    inner.setLong(a, index, value);
  }

  @Override
  public double get(MemorySegment a, long index) {
    return inner.get(a, index);
  }

  @Override
  public void set(MemorySegment a, long index, double value) {
    inner.set(a, index, value);
  }

  @Override
  public int elementBytes() {
    return inner.elementBytes();
  }
}
