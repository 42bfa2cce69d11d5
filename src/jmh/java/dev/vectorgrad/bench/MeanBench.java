package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/** W3: {@code a.mean()} over all elements (blocked vector sum, parallel above the grain). */
public class MeanBench extends BenchmarkDefaults {
  @Param({"S1", "S2", "S3", "S4", "S5"})
  public String size;

  @Param({"1", "2"})
  public int threads;

  private Tensor a;

  @Setup
  public void setUp() {
    Parallel.setThreads(threads);
    a = Tensor.full(0.5, Sizes.shape(size));
  }

  @TearDown
  public void tearDown() {
    a.close();
  }

  @Benchmark
  public double mean() {
    try (Tensor m = a.mean()) {
      return m.item();
    }
  }
}
