package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Memory-bound ops (relu, add) timed after the fork has run transcendental ones (exp, sigmoid),
 * as any model does: {@link MathBench} gives each op a fork of its own, which hides what running
 * other kernels first does to the JIT's shared profiles. While the exp kernel is interpreted, the
 * Vector API's fallback code reinterprets lanes through {@code byte[]} segments, and the JDK's
 * segment-access code that every vector load and store shares then profiles heap segments; a
 * kernel compiled afterwards without {@code NativeSegments}' check accessed memory through a
 * virtual call per vector (relu of S3 25 us instead of 5 on the 2-core Zen 4 host).
 */
public class MixedOpsBench extends BenchmarkDefaults {
  @Param({"S3", "S4"})
  public String size;

  /** Kernel threads (vectorgrad.threads), not JMH threads. */
  @Param({"1"})
  public int threads;

  private Tensor x;
  private Tensor y;

  @Setup
  public void setUp() {
    Parallel.setThreads(threads);
    x = MathBench.input(size);
    y = x.mul(0.5);
    computed(y);
    // the other kernels first, from their interpreted start until compiled (several seconds of them)
    long end = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < end) {
      try (Tensor e = x.exp(); Tensor s = x.sigmoid()) {
        computed(e);
        computed(s);
      }
    }
  }

  @TearDown
  public void tearDown() {
    x.close();
    y.close();
  }

  @Benchmark
  public long reluAfterExp() {
    try (Tensor r = x.relu()) {
      return computed(r);
    }
  }

  @Benchmark
  public long addAfterExp() {
    try (Tensor r = x.add(y)) {
      return computed(r);
    }
  }
}
