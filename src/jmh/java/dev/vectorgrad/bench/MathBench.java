package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.kernels.Parallel;
import dev.vectorgrad.nn.Functional;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue #7's math workloads on a float32 tensor, the result allocated, computed (a pending result is read through {@code segment()}) and released each time as
 * in {@link AddBench#addAlloc}: the elementwise {@code exp}, {@code tanh}, {@code sigmoid},
 * {@code relu}, {@code gelu} (erf form, {@link Functional#gelu(Tensor)}) and {@code softmax(-1)}
 * of an (n, n) tensor (the target is the 4096x4096 one, S5). Sizes S3..S5 by default
 * (native-bench/compare.sh runs them with {@code --math-sizes}); any of S1..S5 works with
 * {@code -p size=...}.
 *
 * <p>The input holds the same values as the C and PyTorch benchmarks: element {@code i} (row-major)
 * is {@code (float) (((i * 2654435761) mod 2^32) / 2^32 * 8 - 4)}, spread over [-4, 4) without a
 * short period, so that half of relu's inputs are negative and libm's range branches are not
 * trivially predicted.
 */
public class MathBench extends BenchmarkDefaults {
  @Param({"S3", "S4", "S5"})
  public String size;

  /** Kernel threads (vectorgrad.threads), not JMH threads. */
  @Param({"1", "2"})
  public int threads;

  private Tensor x;

  /** The benchmark input of element {@code i}, shared with native-bench (C and PyTorch). */
  static float value(long i) {
    long h = (i * 2654435761L) & 0xFFFF_FFFFL;
    return (float) (h / 4294967296.0 * 8.0 - 4.0);
  }

  /** The (n, n) input of size {@code size}: element {@code i} is {@link #value(long) value(i)}. */
  static Tensor input(String size) {
    long[] shape = Sizes.shape(size);
    float[] data = new float[Math.toIntExact(shape[0] * shape[1])];
    for (int i = 0; i < data.length; i++) data[i] = value(i);
    return Tensor.of(data, shape);
  }

  @Setup
  public void setUp() {
    Parallel.setThreads(threads);
    x = input(size);
  }

  @TearDown
  public void tearDown() {
    x.close();
  }

  @Benchmark
  public long exp() {
    try (Tensor y = x.exp()) {
      return computed(y);
    }
  }

  @Benchmark
  public long tanh() {
    try (Tensor y = x.tanh()) {
      return computed(y);
    }
  }

  @Benchmark
  public long sigmoid() {
    try (Tensor y = x.sigmoid()) {
      return computed(y);
    }
  }

  @Benchmark
  public long relu() {
    try (Tensor y = x.relu()) {
      return computed(y);
    }
  }

  @Benchmark
  public long gelu() {
    try (Tensor y = Functional.gelu(x)) {
      return computed(y);
    }
  }

  @Benchmark
  public long softmax() {
    try (Tensor y = x.softmax(-1)) {
      return computed(y);
    }
  }
}
