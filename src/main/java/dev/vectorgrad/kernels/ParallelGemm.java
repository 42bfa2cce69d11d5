package dev.vectorgrad.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Splits a large product over {@link Parallel}'s threads: C's rows or its columns are cut into
 * contiguous parts on micro-tile boundaries and each thread runs the single-threaded kernel on
 * its part (packing its own panels into its own buffers). The kernels cut K the same way on any
 * part, so the result is bit-identical to one thread's.
 *
 * <p>Which dimension: the one with more micro-tiles ({@code m / rowTile} against {@code n / colTile}),
 * which keeps parts balanced and every thread on full-width micro-kernels; a row split packs B
 * once per thread, a column split A. Products below {@code -Dvectorgrad.gemm.parallelWork}
 * multiply-adds (default 2^19, about 80^3: ten microseconds on one core) stay on the caller's
 * thread: below that the hand-off and each part's fixed packing costs ate the gain (64 x 256 x 10
 * and 64^3 with a transposed A ran no faster on two threads than on one, and a part that waits for
 * a descheduled worker on a loaded machine costs milliseconds).
 */
final class ParallelGemm implements Gemm {
  static final long MIN_WORK = Math.max(1, Long.getLong("vectorgrad.gemm.parallelWork", 1L << 19));
  /** {@code -Dvectorgrad.gemm.split=rows|columns} fixes the split dimension (for measurements); default: by tiles. */
  private static final int SPLIT = switch (System.getProperty("vectorgrad.gemm.split", "auto")) {
    case "rows" -> -1;
    case "columns" -> 1;
    default -> 0;
  };
  private final Gemm inner;
  private final int rowTile;
  private final int colTile;
  private final int narrow;

  /** A kernel with a micro-tile: parts are cut on its multiples. */
  interface Tiled {
    int rowTile();

    int colTile();

    /** Outputs at most this many columns wide take another path (other roundings); 0 if none does. */
    default int narrowColumns() {
      return 0;
    }
  }

  /** Splits calls of {@code inner}, on its micro-tile boundaries when it is {@link Tiled}. */
  ParallelGemm(Gemm inner) {
    this.inner = inner;
    this.rowTile = inner instanceof Tiled t ? t.rowTile() : 8;
    this.colTile = inner instanceof Tiled t ? t.colTile() : 8;
    this.narrow = inner instanceof Tiled t ? t.narrowColumns() : 0;
  }

  @Override
  public void gemm(int m, int n, int k, double alpha,
                   MemorySegment a, long aOff, long ars, long acs,
                   MemorySegment b, long bOff, long brs, long bcs,
                   double beta, MemorySegment c, long cOff, long crs, long ccs) {
    GemmPlan.checkSizes(m, n, k);
    long work = (long) m * n * k;
    int rowTiles = GemmPlan.ceilDiv(m, rowTile), colTiles = GemmPlan.ceilDiv(n, colTile);
    if (Parallel.threads() < 2 || work < MIN_WORK || Math.max(rowTiles, colTiles) < 2) {
      inner.gemm(m, n, k, alpha, a, aOff, ars, acs, b, bOff, brs, bcs, beta, c, cOff, crs, ccs);
      return;
    }
    // Parallel counts work in elements against its grain: scale so that MIN_WORK is one grain.
    double elements = (double) work / MIN_WORK * Parallel.grain();
    // A column split's last part is n % colTile wide: never one narrow enough for the kernel's
    // narrow-output path when the whole product is not (its roundings differ): rows, or no split.
    boolean narrowRest = n % colTile != 0 && n % colTile <= narrow;
    if (narrowRest && rowTiles < 2) {
      inner.gemm(m, n, k, alpha, a, aOff, ars, acs, b, bOff, brs, bcs, beta, c, cOff, crs, ccs);
      return;
    }
    if (narrowRest || (SPLIT == 0 ? rowTiles >= colTiles : SPLIT < 0 && rowTiles >= 2 || colTiles < 2)) {
      long perTile = (long) Math.ceil(elements / rowTiles);
      Parallel.forRows(rowTiles, perTile, (from, to) -> {
        int i0 = (int) from * rowTile, i1 = (int) Math.min(m, to * rowTile);
        inner.gemm(i1 - i0, n, k, alpha, a, aOff + i0 * ars, ars, acs, b, bOff, brs, bcs,
            beta, c, cOff + i0 * crs, crs, ccs);
      });
    } else {
      long perTile = (long) Math.ceil(elements / colTiles);
      Parallel.forRows(colTiles, perTile, (from, to) -> {
        int j0 = (int) from * colTile, j1 = (int) Math.min(n, to * colTile);
        inner.gemm(m, j1 - j0, k, alpha, a, aOff, ars, acs, b, bOff + j0 * bcs, brs, bcs,
            beta, c, cOff + j0 * ccs, crs, ccs);
      });
    }
  }
}
