package dev.vectorgrad.io;

import dev.vectorgrad.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The element types files hold, the vectorgrad dtype each is read into, and the conversion. */
enum ElemType {
  F4(4, DType.FLOAT32), F8(8, DType.FLOAT64), I8(8, DType.INT64), B1(1, DType.BOOL),
  I4(4, DType.INT64), I2(2, DType.INT64), I1(1, DType.INT64), U1(1, DType.INT64), U2(2, DType.INT64), U4(4, DType.INT64),
  F2(2, DType.FLOAT32), BF16(2, DType.FLOAT32);

  final int size;
  final DType target;

  ElemType(int size, DType target) {
    this.size = size;
    this.target = target;
  }

  /** Whether the file's bytes are the tensor's bytes (same width and byte order, no widening). */
  boolean isNative(ByteOrder order) {
    return (this == F4 || this == F8 || this == I8 || this == B1) && (size == 1 || order == ByteOrder.nativeOrder());
  }

  /** The file element type of a vectorgrad dtype. */
  static ElemType of(DType d) {
    return switch (d) {
      case FLOAT32 -> F4;
      case FLOAT64 -> F8;
      case INT64 -> I8;
      case BOOL -> B1;
    };
  }

  private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  /**
   * Converts {@code count} elements of this type in {@code order} at {@code src[srcOff]} into the
   * target dtype's native representation at {@code dst[dstOff]} (byte offsets). Bools become 0/1.
   */
  void convert(MemorySegment src, long srcOff, ByteOrder order, MemorySegment dst, long dstOff, long count) {
    boolean le = order == ByteOrder.LITTLE_ENDIAN;
    switch (this) {
      case F4, F8, I8 -> {
        ValueLayout s = size == 4 ? (le ? INT_LE : INT_BE) : (le ? LONG_LE : LONG_BE);
        ValueLayout d = size == 4 ? ValueLayout.JAVA_INT_UNALIGNED : ValueLayout.JAVA_LONG_UNALIGNED;
        MemorySegment.copy(src, s, srcOff, dst, d, dstOff, count);   // swaps bytes when the orders differ
      }
      case B1 -> {
        for (long i = 0; i < count; i++) {
          dst.set(ValueLayout.JAVA_BYTE, dstOff + i, src.get(ValueLayout.JAVA_BYTE, srcOff + i) != 0 ? (byte) 1 : (byte) 0);
        }
      }
      case I1, U1 -> {
        for (long i = 0; i < count; i++) {
          byte b = src.get(ValueLayout.JAVA_BYTE, srcOff + i);
          dst.set(ValueLayout.JAVA_LONG_UNALIGNED, dstOff + 8 * i, this == I1 ? b : b & 0xffL);
        }
      }
      case I2, U2 -> {
        ValueLayout.OfShort s = le ? SHORT_LE : SHORT_BE;
        for (long i = 0; i < count; i++) {
          short v = src.get(s, srcOff + 2 * i);
          dst.set(ValueLayout.JAVA_LONG_UNALIGNED, dstOff + 8 * i, this == I2 ? v : v & 0xffffL);
        }
      }
      case I4, U4 -> {
        ValueLayout.OfInt s = le ? INT_LE : INT_BE;
        for (long i = 0; i < count; i++) {
          int v = src.get(s, srcOff + 4 * i);
          dst.set(ValueLayout.JAVA_LONG_UNALIGNED, dstOff + 8 * i, this == I4 ? v : v & 0xffffffffL);
        }
      }
      case F2, BF16 -> {
        ValueLayout.OfShort s = le ? SHORT_LE : SHORT_BE;
        for (long i = 0; i < count; i++) {
          short v = src.get(s, srcOff + 2 * i);
          float f = this == F2 ? Float.float16ToFloat(v) : Float.intBitsToFloat((v & 0xffff) << 16);
          dst.set(ValueLayout.JAVA_FLOAT_UNALIGNED, dstOff + 4 * i, f);
        }
      }
    }
  }
}
