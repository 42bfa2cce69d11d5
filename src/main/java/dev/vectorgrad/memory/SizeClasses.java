package dev.vectorgrad.memory;

/**
 * Maps a byte size to a size class and back. Small classes are powers of two from 64 B to 64 KiB
 * (carved from shared slabs); large classes have four steps per power of two, so a large tensor
 * wastes at most 25% of its block while blocks of the same class are interchangeable.
 */
final class SizeClasses {
  static final int MIN_SHIFT = 6;               // 64 B: one cache line, the alignment we promise
  static final int SMALL_MAX_SHIFT = 16;        // 64 KiB
  static final int SMALL_CLASSES = SMALL_MAX_SHIFT - MIN_SHIFT + 1;
  static final int STEPS_PER_DOUBLING = 4;
  static final int MAX_SHIFT = 46;              // 64 TiB: beyond any machine we run on
  static final int CLASS_COUNT = SMALL_CLASSES + (MAX_SHIFT - SMALL_MAX_SHIFT) * STEPS_PER_DOUBLING;

  private SizeClasses() {}

  static boolean isSmall(int sizeClass) {
    return sizeClass < SMALL_CLASSES;
  }

  /** The smallest class whose blocks hold {@code bytes}. */
  static int classOf(long bytes) {
    if (bytes <= (1L << MIN_SHIFT)) return 0;
    int ceilShift = 64 - Long.numberOfLeadingZeros(bytes - 1);   // 2^ceilShift >= bytes
    if (ceilShift <= SMALL_MAX_SHIFT) return ceilShift - MIN_SHIFT;
    if (ceilShift > MAX_SHIFT) {
      throw new IllegalArgumentException("cannot allocate " + bytes + " bytes: larger than 2^" + MAX_SHIFT);
    }
    // bytes lies in (2^(ceilShift-1), 2^ceilShift]; split that range into STEPS_PER_DOUBLING steps.
    long base = 1L << (ceilShift - 1);
    long step = base / STEPS_PER_DOUBLING;
    int m = (int) ((bytes - base + step - 1) / step);          // 1..STEPS_PER_DOUBLING
    return SMALL_CLASSES + (ceilShift - 1 - SMALL_MAX_SHIFT) * STEPS_PER_DOUBLING + (m - 1);
  }

  /** Bytes in one block of the class. */
  static long bytesOf(int sizeClass) {
    if (isSmall(sizeClass)) return 1L << (sizeClass + MIN_SHIFT);
    int k = sizeClass - SMALL_CLASSES;
    int shift = SMALL_MAX_SHIFT + k / STEPS_PER_DOUBLING;
    long base = 1L << shift;
    return base + (base / STEPS_PER_DOUBLING) * (k % STEPS_PER_DOUBLING + 1);
  }
}
