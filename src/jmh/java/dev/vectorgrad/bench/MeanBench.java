package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
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

/** W3: {@code a.mean()} over all elements (blocked vector sum, parallel above the grain). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MeanBench {
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
