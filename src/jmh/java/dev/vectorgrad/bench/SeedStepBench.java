package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * W1, the seed step with the full autograd engine: {@code y = (x + temp + 2).mean(); y.backward();
 * temp.grad.zero_()}, each iteration's tensors released by a {@link TensorScope} as a user would.
 */
public class SeedStepBench extends BenchmarkDefaults {
  @Param({"S1", "S2", "S3", "S4", "S5"})
  public String size;

  /** Kernel threads (vectorgrad.threads), not JMH threads. */
  @Param({"1", "2"})
  public int threads;

  private Tensor x;
  private Tensor temp;

  @Setup
  public void setUp() {
    Parallel.setThreads(threads);
    x = Tensor.ones(Sizes.shape(size));
    temp = Tensor.zeros(Sizes.shape(size)).requiresGrad_(true);
  }

  @TearDown
  public void tearDown() {
    x.close();
    temp.close();
  }

  @Benchmark
  public double seedStep() {
    try (var scope = TensorScope.open()) {
      Tensor y = x.add(temp).add(2).mean();
      y.backward();
      temp.grad().zero_();
      return y.item();
    }
  }
}
