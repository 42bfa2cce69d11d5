package dev.vectorgrad.bench;

/** The workload sizes shared with native-bench: S1 (2,2) ... S5 (4096,4096), S6 (8192,8192), float32, contiguous. */
final class Sizes {
  private Sizes() {}

  static long[] shape(String size) {
    return switch (size) {
      case "S1" -> new long[] {2, 2};
      case "S2" -> new long[] {32, 32};
      case "S3" -> new long[] {256, 256};
      case "S4" -> new long[] {1024, 1024};
      case "S5" -> new long[] {4096, 4096};
      case "S6" -> new long[] {8192, 8192};   // 64M elements: the many-core runs (issue #10)
      default -> throw new IllegalArgumentException("size must be S1..S5, got " + size);
    };
  }
}
