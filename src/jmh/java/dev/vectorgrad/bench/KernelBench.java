package dev.vectorgrad.bench;

import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.KernelProvider;
import dev.vectorgrad.kernels.Kernels;
import dev.vectorgrad.kernels.ScalarKernelProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/** The raw float32 kernels, Vector API against scalar, single-threaded, on off-heap segments. */
public class KernelBench extends BenchmarkDefaults {
  @Param({"vector", "scalar"})
  public String impl;

  @Param({"1024", "65536", "1048576"})
  public int n;

  private Arena arena;
  private MemorySegment a, b, out;
  private ElementKernels k;

  @Setup
  public void setUp() {
    KernelProvider p = impl.equals("vector") ? Kernels.vectorOrNull() : new ScalarKernelProvider();
    if (p == null) throw new IllegalStateException("Vector API unavailable");
    k = p.float32();
    arena = Arena.ofShared();
    a = arena.allocate(4L * n, 64);
    b = arena.allocate(4L * n, 64);
    out = arena.allocate(4L * n, 64);
    k.fill(a, 0, n, 1.5);
    k.fill(b, 0, n, 0.25);
  }

  @TearDown
  public void tearDown() {
    arena.close();
  }

  @Benchmark
  public MemorySegment add() {
    k.binary(BinaryOp.ADD, a, 0, b, 0, out, 0, n);
    return out;
  }

  @Benchmark
  public double sum() {
    return k.sum(a, 0, n);
  }
}
