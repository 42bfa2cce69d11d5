package dev.vectorgrad.bench;

import dev.vectorgrad.kernels.Gemm;
import dev.vectorgrad.kernels.Kernels;
import dev.vectorgrad.kernels.Parallel;
import dev.vectorgrad.memory.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The GEMM kernel ({@link Kernels#gemmFloat32()}: the chosen implementation, split over
 * {@code threads} threads for large products) on off-heap operands from the tensor allocator
 * (huge pages from 2 MiB, as tensors get them). GFLOPS = 2 m n k / time;
 * {@code native-bench/gemm/report.py} converts and compares with OpenBLAS and C.
 *
 * <ul>
 *   <li>{@code shape}: {@code n} (square) or {@code MxKxN}: C (m x n) = A (m x k) B (k x n). The
 *       MLP shapes: 256x784x128, and the Fashion-MNIST MLP 784-256-10 at batch 64 (64x784x256,
 *       64x256x10).
 *   <li>{@code form}: {@code nn} = A B (forward); {@code tn} = A^T B with A stored k x m (the
 *       weight gradient {@code x.t().mm(g)}); {@code nt} = A B^T with B stored n x k
 *       ({@code g.mm(w.t())}, and Linear's forward {@code x.mm(w.t())}). Transposes are strides only.
 *   <li>{@code dtype}: float32 or float64; {@code threads}: {@link Parallel#setThreads}.
 * </ul>
 *
 * <p>{@code ./mvnw -Pbench verify -Djmh.args="GemmBench -p shape=64,256 -p threads=1 -p form=nn"}
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBench extends BenchmarkDefaults {
  @Param({"64", "256", "512", "1024", "2048", "256x784x128", "64x784x256", "64x256x10"})
  public String shape;

  @Param({"nn", "tn", "nt"})
  public String form;

  @Param({"1", "2"})
  public int threads;

  @Param({"float32"})
  public String dtype;

  private int m, n, k, bytes;
  private long aRowStride, aColStride, bRowStride, bColStride;
  private MemorySegment a, b, c;
  private int aClass, bClass, cClass;
  private Gemm gemm;
  private int savedThreads;

  @Setup
  public void setUp() {
    String[] p = shape.split("x");
    m = Integer.parseInt(p[0]);
    k = p.length == 3 ? Integer.parseInt(p[1]) : m;
    n = p.length == 3 ? Integer.parseInt(p[2]) : m;
    bytes = dtype.equals("float64") ? 8 : 4;
    gemm = bytes == 8 ? Kernels.gemmFloat64() : Kernels.gemmFloat32();
    savedThreads = Parallel.threads();
    Parallel.setThreads(threads);
    // A is m x k: row-major, or (tn) the transpose of a row-major k x m matrix.
    aRowStride = form.equals("tn") ? 1 : k;
    aColStride = form.equals("tn") ? m : 1;
    // B is k x n: row-major, or (nt) the transpose of a row-major n x k matrix.
    bRowStride = form.equals("nt") ? 1 : n;
    bColStride = form.equals("nt") ? k : 1;
    NativeAllocator alloc = NativeAllocator.global();
    aClass = NativeAllocator.sizeClassOf((long) m * k * bytes);
    bClass = NativeAllocator.sizeClassOf((long) k * n * bytes);
    cClass = NativeAllocator.sizeClassOf((long) m * n * bytes);
    a = alloc.allocate(aClass);
    b = alloc.allocate(bClass);
    c = alloc.allocate(cClass);
    SplittableRandom rnd = new SplittableRandom(42);
    fill(a, (long) m * k, rnd);
    fill(b, (long) k * n, rnd);
    fill(c, (long) m * n, rnd);
  }

  private void fill(MemorySegment s, long count, SplittableRandom rnd) {
    for (long i = 0; i < count; i++) {
      if (bytes == 8) {
        s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, rnd.nextDouble() - 0.5);
      } else {
        s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() - 0.5));
      }
    }
  }

  @TearDown
  public void tearDown() {
    NativeAllocator alloc = NativeAllocator.global();
    alloc.free(a, aClass);
    alloc.free(b, bClass);
    alloc.free(c, cClass);
    Parallel.setThreads(savedThreads);
  }

  @Benchmark
  public MemorySegment gemm() {
    gemm.gemm(m, n, k, 1.0, a, 0, aRowStride, aColStride, b, 0, bRowStride, bColStride, 0.0, c, 0, n, 1);
    return c;
  }
}
