package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Kernels for bool tensors: one byte per element holding 0 or 1, as PyTorch stores them. Masks are
 * built and read, rarely computed with, so plain loops serve both providers. Arithmetic follows
 * PyTorch's bool results: {@code +} is logical or, {@code *} logical and ({@code -} and {@code /}
 * of bools never reach here: PyTorch rejects the one and computes the other in float).
 */
final class BoolKernels implements ElementKernels {
  static final BoolKernels INSTANCE = new BoolKernels();
  private static final ValueLayout.OfByte LAYOUT = ValueLayout.JAVA_BYTE;

  private BoolKernels() {}

  private static byte apply(BinaryOp op, byte x, byte y) {
    return switch (op) {
      case ADD -> (byte) (x | y);
      case MUL -> (byte) (x & y);
      case SUB -> (byte) (x ^ y);
      case DIV -> throw new UnsupportedOperationException("bool division is computed in float");
    };
  }

  private static byte bool(double v) {
    return v != 0 ? (byte) 1 : (byte) 0;   // NaN is true, as in PyTorch
  }

  @Override
  public void binary(BinaryOp op, MemorySegment a, long aOff, MemorySegment b, long bOff,
                     MemorySegment out, long outOff, long n) {
    for (long i = 0; i < n; i++) {
      out.set(LAYOUT, outOff + i, apply(op, a.get(LAYOUT, aOff + i), b.get(LAYOUT, bOff + i)));
    }
  }

  @Override
  public void binaryScalar(BinaryOp op, MemorySegment a, long aOff, double s, MemorySegment out, long outOff, long n) {
    byte y = bool(s);
    for (long i = 0; i < n; i++) out.set(LAYOUT, outOff + i, apply(op, a.get(LAYOUT, aOff + i), y));
  }

  @Override
  public void scalarBinary(BinaryOp op, double s, MemorySegment b, long bOff, MemorySegment out, long outOff, long n) {
    byte x = bool(s);
    for (long i = 0; i < n; i++) out.set(LAYOUT, outOff + i, apply(op, x, b.get(LAYOUT, bOff + i)));
  }

  @Override
  public void neg(MemorySegment a, long aOff, MemorySegment out, long outOff, long n) {
    throw new UnsupportedOperationException("bool tensors are not negated");
  }

  @Override
  public void fill(MemorySegment out, long outOff, long n, double value) {
    out.asSlice(outOff, n).fill(bool(value));
  }

  @Override
  public void copy(MemorySegment a, long aOff, MemorySegment out, long outOff, long n) {
    MemorySegment.copy(a, aOff, out, outOff, n);
  }

  @Override
  public void copyStrided(MemorySegment a, long aOff, long aStride, MemorySegment out, long outOff, long outStride, long n) {
    for (long i = 0, ai = aOff, oi = outOff; i < n; i++, ai += aStride, oi += outStride) {
      out.set(LAYOUT, oi, a.get(LAYOUT, ai));
    }
  }

  @Override
  public double sumFrom(double total, MemorySegment a, long aOff, long n) {
    return total + sum(a, aOff, n);   // a count: exact in any grouping
  }

  @Override
  public double sum(MemorySegment a, long aOff, long n) {
    long count = 0;
    for (long i = 0; i < n; i++) count += a.get(LAYOUT, aOff + i);
    return count;
  }

  @Override
  public long getLong(MemorySegment a, long index) {
    return a.get(LAYOUT, index);
  }

  @Override
  public void setLong(MemorySegment a, long index, long value) {
    a.set(LAYOUT, index, value != 0 ? (byte) 1 : (byte) 0);
  }

  @Override
  public double get(MemorySegment a, long index) {
    return a.get(LAYOUT, index);
  }

  @Override
  public void set(MemorySegment a, long index, double value) {
    a.set(LAYOUT, index, bool(value));
  }

  @Override
  public int elementBytes() {
    return 1;
  }
}
