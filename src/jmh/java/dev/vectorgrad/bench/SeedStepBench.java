package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.kernels.Parallel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W1, the seed step with the full autograd engine: {@code y = (x + temp + 2).mean(); y.backward();
 * temp.grad.zero_()}, each iteration's tensors released by a {@link TensorScope} as a user would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SeedStepBench {
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
