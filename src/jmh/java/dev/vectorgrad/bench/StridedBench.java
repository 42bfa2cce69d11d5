package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Elementwise add with a non-contiguous first operand, the result allocated (and released) each
 * time as in {@link AddBench#addAlloc}: {@code tadd} is {@code a.t() + b} (a read transposed,
 * strides (1, n)), {@code expadd} is {@code a.expand(n, n) + b} with {@code a} of shape (1, n) (a
 * row broadcast over the rows, stride 0). The view is taken and released inside the measured
 * call, as a user would write it. Sizes S4 and S5 by default (native-bench/compare.sh runs them
 * with {@code --strided-sizes}); any of S1..S5 works with {@code -p size=...}.
 */
public class StridedBench extends BenchmarkDefaults {
  @Param({"S4", "S5"})
  public String size;

  /** Kernel threads (vectorgrad.threads), not JMH threads. */
  @Param({"1", "2"})
  public int threads;

  private Tensor a;
  private Tensor row;
  private Tensor b;
  private long rows;
  private long cols;

  @Setup
  public void setUp() {
    Parallel.setThreads(threads);
    long[] shape = Sizes.shape(size);
    rows = shape[0];
    cols = shape[1];
    a = Tensor.full(1.5, cols, rows);
    row = Tensor.full(1.5, 1, cols);
    b = Tensor.full(2.25, rows, cols);
  }

  @TearDown
  public void tearDown() {
    a.close();
    row.close();
    b.close();
  }

  @Benchmark
  public long tadd() {
    try (Tensor at = a.t();
        Tensor c = at.add(b)) {
      return computed(c);
    }
  }

  @Benchmark
  public long expadd() {
    try (Tensor e = row.expand(rows, cols);
        Tensor c = e.add(b)) {
      return computed(c);
    }
  }
}
