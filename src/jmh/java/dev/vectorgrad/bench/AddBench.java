package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/** W2: {@code c = a + b}, allocating (and released each time) or into a preallocated output. */
public class AddBench extends BenchmarkDefaults {
  @Param({"S1", "S2", "S3", "S4", "S5"})
  public String size;

  @Param({"1", "2"})
  public int threads;

  private Tensor a;
  private Tensor b;
  private Tensor out;

  @Setup
  public void setUp() {
    Parallel.setThreads(threads);
    a = Tensor.full(1.5, Sizes.shape(size));
    b = Tensor.full(2.25, Sizes.shape(size));
    out = Tensor.zeros(Sizes.shape(size));
  }

  @TearDown
  public void tearDown() {
    a.close();
    b.close();
    out.close();
  }

  @Benchmark
  public Tensor addOut() {
    return a.add(b, out);
  }

  @Benchmark
  public long addAlloc() {
    try (Tensor c = a.add(b)) {
      return computed(c);
    }
  }
}
