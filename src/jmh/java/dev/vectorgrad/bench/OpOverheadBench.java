package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-op overhead: a chain of ten small elementwise ops on a 2x2 tensor, with and without the
 * tape recording (requires grad or not), released by a scope. Divide by ten for the cost of one op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OpOverheadBench {
  @Param({"false", "true"})
  public boolean recorded;

  private Tensor a;
  private Tensor b;

  @Setup
  public void setUp() {
    a = Tensor.full(1.25, 2, 2).requiresGrad_(recorded);
    b = Tensor.full(0.5, 2, 2);
  }

  @Benchmark
  public double tenOpChain() {
    try (var scope = TensorScope.open()) {
      Tensor t = a;
      for (int i = 0; i < 5; i++) t = t.mul(b).add(1);
      return t.numel();
    }
  }
}
