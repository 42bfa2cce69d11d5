package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Per-op overhead: a chain of ten small elementwise ops on a 2x2 tensor, with and without the
 * tape recording (requires grad or not), released by a scope. Divide by ten for the cost of one op.
 */
public class OpOverheadBench extends BenchmarkDefaults {
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
