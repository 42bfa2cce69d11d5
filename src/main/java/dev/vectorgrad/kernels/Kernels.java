package dev.vectorgrad.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Chooses the kernel implementation once, when first used, and says which in one log line.
 *
 * <p>The Vector API implementation is used when {@code jdk.incubator.vector} is present and passes
 * a probe computation; otherwise the scalar one, with a line that names the flag that enables the
 * fast path. {@code -Dvectorgrad.kernels=scalar} forces the scalar path (the test suite runs once
 * that way); {@code -Dvectorgrad.kernels=vector} makes a missing Vector API an error instead of a
 * silent slowdown.
 */
public final class Kernels {
  /** System property that selects the implementation: {@code auto} (default), {@code vector} or {@code scalar}. */
  public static final String PROPERTY = "vectorgrad.kernels";

  private static final System.Logger LOG = System.getLogger("dev.vectorgrad");
  private static final KernelProvider PROVIDER = choose();

  private Kernels() {}

  private static final ElementKernels FLOAT32 = new ParallelKernels(PROVIDER.float32());
  private static final ElementKernels FLOAT64 = new ParallelKernels(PROVIDER.float64());
  private static final ElementKernels INT64 = new ParallelKernels(PROVIDER.int64());
  private static final ElementKernels BOOL = new ParallelKernels(PROVIDER.bool());
  private static final Gemm GEMM_FLOAT32 = new ParallelGemm(PROVIDER.gemmFloat32());
  private static final Gemm GEMM_FLOAT64 = new ParallelGemm(PROVIDER.gemmFloat64());

  /**
   * The vector width in bits of the streaming kernels in use (the elementwise ops' main loops), or
   * 0 when the scalar kernels are in use. Fusion's compiled loops take the same width.
   */
  public static int vectorBits() {
    return PROVIDER instanceof VectorKernelProvider ? VectorShapes.SHAPE.vectorBitSize() : 0;
  }

  /** The implementation this JVM uses (single-threaded kernels). */
  public static KernelProvider provider() {
    return PROVIDER;
  }

  /** Float32 kernels of the chosen implementation that split large calls over {@link Parallel}'s threads. */
  public static ElementKernels float32() {
    return FLOAT32;
  }

  /** Float64 kernels of the chosen implementation, parallel above the grain. */
  public static ElementKernels float64() {
    return FLOAT64;
  }

  /** Int64 kernels of the chosen implementation, parallel above the grain. */
  public static ElementKernels int64() {
    return INT64;
  }

  /** Bool kernels (one byte per element), parallel above the grain. */
  public static ElementKernels bool() {
    return BOOL;
  }

  /** Float32 GEMM of the chosen implementation, split over {@link Parallel}'s threads for large products. */
  public static Gemm gemmFloat32() {
    return GEMM_FLOAT32;
  }

  /** Float64 GEMM of the chosen implementation, split over {@link Parallel}'s threads for large products. */
  public static Gemm gemmFloat64() {
    return GEMM_FLOAT64;
  }

  /** A new Vector API provider, or null when the Vector API cannot be used in this JVM. */
  public static KernelProvider vectorOrNull() {
    try {
      var provider = (KernelProvider) Class.forName("dev.vectorgrad.kernels.VectorKernelProvider")
          .getDeclaredConstructor().newInstance();
      probe(provider);
      return provider;
    } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static KernelProvider choose() {
    String wanted = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
    if (wanted.equals("scalar")) {
      LOG.log(System.Logger.Level.INFO, "vectorgrad: using scalar kernels (forced by -D" + PROPERTY + "=scalar)");
      return new ScalarKernelProvider();
    }
    KernelProvider vector = vectorOrNull();
    if (vector != null) {
      LOG.log(System.Logger.Level.INFO, "vectorgrad: using " + vector.description());
      return vector;
    }
    String message = "vectorgrad: jdk.incubator.vector is not available, using scalar kernels (much slower); "
        + "start the JVM with --add-modules jdk.incubator.vector to enable the Vector API kernels";
    if (wanted.equals("vector")) {
      throw new IllegalStateException(message.replace("using scalar kernels (much slower)", "and -D" + PROPERTY + "=vector demands it"));
    }
    LOG.log(System.Logger.Level.WARNING, message);
    return new ScalarKernelProvider();
  }

  /** Runs a small computation, because a missing module can also surface only on first use. */
  private static void probe(KernelProvider provider) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate(4 * 64L, 64);
      ElementKernels k = provider.float32();
      k.fill(seg, 0, 64, 1.5);
      k.binary(BinaryOp.ADD, seg, 0, seg, 0, seg, 0, 64);
      if (k.sum(seg, 0, 64) != 192.0) {
        throw new IllegalStateException("Vector API probe computed a wrong sum");
      }
    }
  }
}
