package dev.vectorgrad.kernels;

import jdk.incubator.vector.VectorShape;

/**
 * Shape and cache blocking of the Vector API GEMM ({@code VectorFloatGemm}, {@code VectorDoubleGemm}).
 * All are {@code static final}, so the JIT folds them into the kernels as constants.
 *
 * <ul>
 *   <li>{@code -Dvectorgrad.gemm.vectorBits=N}: vector width; default the JVM's preferred one. Unlike
 *       the streaming kernels ({@link VectorShapes}), GEMM is bound by fma throughput, not memory,
 *       and keeps 512-bit vectors on AMD too: half the instructions and loads per fma for the same
 *       peak (Zen 4 runs a 512-bit fma as two 256-bit halves).
 *   <li>{@code -Dvectorgrad.gemm.vectors=4|2}: vectors per micro-tile row (NR = vectors x lanes; MR
 *       is 6 rows). 6 x 4 = 24 accumulators + 4 B vectors + 1 broadcast need 29 of 32 vector
 *       registers (AVX-512, AArch64); with 16 (AVX2) the default is 6 x 2.
 *   <li>{@code -Dvectorgrad.gemm.kc}, {@code .mc}, {@code .nc}: cache blocks in elements (defaults
 *       256, 144, 2048). A B micro-panel (KC x NR: 64 KiB at 512 bits) is read from L1/L2 by every
 *       micro-kernel of a block, an MC x KC block of A (144 KiB) stays in L2, a KC x NC panel of B
 *       (2 MiB) in L3. KC 256 measured best on Zen 4 (KC 128, 384, 512 within noise or slower: each
 *       K block costs a pass over C); KC is rounded down to a multiple of 16.
 * </ul>
 */
final class VectorGemmSettings {
  static final VectorShape SHAPE = shape();
  static final int VECTORS = vectors();
  static final int KC = Math.max(16, Integer.getInteger("vectorgrad.gemm.kc", 256) / 16 * 16);
  static final int MC = Math.max(6, Integer.getInteger("vectorgrad.gemm.mc", 144));
  static final int NC = Math.max(64, Integer.getInteger("vectorgrad.gemm.nc", 2048));
  static final boolean TRANSPOSE = transpose();

  private VectorGemmSettings() {}

  private static VectorShape shape() {
    int preferred = VectorShape.preferredShape().vectorBitSize();
    Integer wanted = Integer.getInteger("vectorgrad.gemm.vectorBits");
    return VectorShape.forBitSize(wanted == null ? preferred : Math.min(wanted, preferred));
  }

  /**
   * Whether transposed operands are packed with two-vector {@code selectFrom} (one permute on
   * AVX-512; without the instruction the Vector API falls back to Java code far slower than a
   * scalar copy). {@code -Dvectorgrad.gemm.transpose=true|false}; default on x86 with AVX-512.
   */
  private static boolean transpose() {
    String wanted = System.getProperty("vectorgrad.gemm.transpose");
    if (wanted != null) return Boolean.parseBoolean(wanted.trim());
    String arch = System.getProperty("os.arch", "");
    return (arch.equals("amd64") || arch.equals("x86_64")) && VectorShape.preferredShape().vectorBitSize() >= 512;
  }

  private static int vectors() {
    Integer wanted = Integer.getInteger("vectorgrad.gemm.vectors");
    if (wanted != null) return wanted >= 4 ? 4 : 2;
    String arch = System.getProperty("os.arch", "");
    boolean thirtyTwoRegisters = arch.equals("aarch64") || VectorShape.preferredShape().vectorBitSize() >= 512;
    return thirtyTwoRegisters ? 4 : 2;
  }
}
