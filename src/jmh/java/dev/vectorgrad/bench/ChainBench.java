package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 10's fusion workload: {@code y = ((a * b + c).relu() * d).sum()} with {@code a}, {@code b}
 * the W2 operands of native-bench ({@code (i % 17) * 0.25 - 1.5}, {@code (i % 5) * 0.5 + 0.125}),
 * {@code c} the math input ({@link MathBench#value}) and {@code d = a}, as C's and PyTorch's
 * {@code chain}. With fusion (the default) the chain stays pending and the sum reduces it in one
 * pass; {@code -Dvectorgrad.fusion=false} measures the eager passes.
 */
public class ChainBench extends BenchmarkDefaults {
  @Param({"S3", "S4", "S5"})
  public String size;

  @Param({"1", "2"})
  public int threads;

  private Tensor a;
  private Tensor b;
  private Tensor c;

  @Setup
  public void setUp() {
    Parallel.setThreads(threads);
    long[] shape = Sizes.shape(size);
    int n = Math.toIntExact(shape[0] * shape[1]);
    float[] va = new float[n], vb = new float[n], vc = new float[n];
    for (int i = 0; i < n; i++) {
      va[i] = (i % 17) * 0.25f - 1.5f;
      vb[i] = (i % 5) * 0.5f + 0.125f;
      vc[i] = MathBench.value(i);
    }
    a = Tensor.of(va, shape);
    b = Tensor.of(vb, shape);
    c = Tensor.of(vc, shape);
  }

  @TearDown
  public void tearDown() {
    a.close();
    b.close();
    c.close();
  }

  @Benchmark
  public double chain() {
    try (var scope = TensorScope.open()) {
      return a.mul(b).add(c).relu().mul(a).sum().item();
    }
  }
}
