package dev.vectorgrad.kernels;

/**
 * Type-independent decisions of the GEMM kernels: argument checks, how K is cut into blocks, and
 * whether to compute {@code C^T = B^T A^T} instead of {@code C = A B} (same products, same order
 * of additions, so the same bits: only which operand packs cheaply changes).
 */
final class GemmPlan {
  /** {@code -Dvectorgrad.gemm.orientation=straight|transposed} fixes the choice (for measurements); default: by cost. */
  private static final int ORIENTATION = switch (System.getProperty("vectorgrad.gemm.orientation", "auto")) {
    case "straight" -> -1;
    case "transposed" -> 1;
    default -> 0;
  };

  private GemmPlan() {}

  static void checkSizes(int m, int n, int k) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm: negative size m=" + m + ", n=" + n + ", k=" + k);
    }
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  static int roundUp(int a, int b) {
    return ceilDiv(a, b) * b;
  }

  /**
   * The length of each K block but the last when k is cut into {@code ceil(k / kc)} blocks: even
   * blocks rounded up to a multiple of 16 (whole transposes and vectors; only the last block has
   * a ragged end). {@code kc} must be a multiple of 16, so that every block is at most kc and the
   * last one is not empty. The cut depends on k alone, never on the thread count, so every element
   * of C sees the same sequence of roundings on any split of M and N.
   */
  static int kBlock(int k, int kc) {
    return Math.min(k, roundUp(ceilDiv(k, ceilDiv(k, kc)), 16));
  }

  /**
   * Whether the transposed problem ({@code C^T = B^T A^T}: m and n, A and B, row and column
   * strides swapped) is cheaper for a packed kernel with {@code mr x lanes} granules: a rough
   * cycle count of the padded micro-tiles plus packing and merging. Packing an operand whose packed
   * rows are contiguous is a vector copy; one whose other dimension is contiguous is transposed
   * ({@code transposeCost} cycles per element: in registers or element by element); C merges with
   * vectors when its rows are contiguous, element by element otherwise.
   */
  static boolean transposeCheaper(int m, int n, int k, long aRowStride, long aColStride,
                                  long bRowStride, long bColStride, long cRowStride, long cColStride,
                                  int mr, int lanes, int kc, int nc, double transposeCost) {
    if (ORIENTATION != 0) return ORIENTATION > 0;
    double straight = cost(m, n, k, pack(aColStride, aRowStride, transposeCost, m, lanes),
        pack(bColStride, bRowStride, transposeCost, n, 16), cColStride == 1 ? COPY : SCALAR, mr, lanes, kc, nc);
    double swapped = cost(n, m, k, pack(bRowStride, bColStride, transposeCost, n, lanes),
        pack(aRowStride, aColStride, transposeCost, m, 16), cRowStride == 1 ? COPY : SCALAR, mr, lanes, kc, nc);
    return swapped < 0.95 * straight;
  }

  /** Cycles per element, roughly: a vector copy, and an element-by-element copy with strides. */
  private static final double COPY = 0.3, SCALAR = 3.0;

  /**
   * Cost per element of packing an operand along the dimension with stride {@code along}; a
   * transposed one goes through the transpose in groups of {@code group} along its other dimension
   * ({@code size} long), the ragged rest element by element.
   */
  private static double pack(long along, long across, double transposeCost, int size, int group) {
    if (along == 1) return COPY;
    if (across != 1) return SCALAR;
    double whole = (double) (size - size % group) / Math.max(1, size);
    return whole * transposeCost + (1 - whole) * SCALAR;
  }

  private static double cost(int m, int n, int k, double packA, double packB, double merge,
                             int mr, int lanes, int kc, int nc) {
    double compute = (double) roundUp(m, mr) * roundUp(n, lanes) * k / lanes;   // one vector fma per cycle
    return compute + packA * m * k * ceilDiv(n, nc) + packB * k * n + merge * m * n * ceilDiv(k, kc);
  }
}
