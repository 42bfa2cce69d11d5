package dev.vectorgrad.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import jdk.incubator.vector.VectorShape;

/**
 * The vector width the Vector API kernels use. Default: the JVM's preferred width, capped at
 * 256 bits on AMD processors, where 512-bit operations are executed as two 256-bit halves and a
 * streaming loop over 512-bit vectors measured 1.5x slower than over 256-bit ones (Zen 4, 16M-float
 * sum: 3.4-4.2 ms against 2.25-2.4 ms; see docs/benchmarks.md). {@code -Dvectorgrad.vectorBits=N}
 * (128, 256 or 512) overrides it; the width never exceeds what the JVM supports.
 *
 * <p>{@link #MATH_SHAPE}, for the unary kernels whose time goes into arithmetic rather than
 * memory traffic (exp, log, the trigonometric functions, sigmoid, GELU, ...), is the JVM's
 * preferred width uncapped: there the wider vectors halve the instructions per element
 * (Zen 4, 1M floats: exp 419 against 580 us, sigmoid 443 against 694 us, GELU 746 against
 * 1018 us on one thread). The same property overrides it.
 */
final class VectorShapes {
  static final String PROPERTY = "vectorgrad.vectorBits";
  static final VectorShape SHAPE = choose();
  /** The width of the compute-bound unary kernels (see the class comment). */
  static final VectorShape MATH_SHAPE = chooseMath();

  private VectorShapes() {}

  private static VectorShape choose() {
    int preferred = VectorShape.preferredShape().vectorBitSize();
    String wanted = System.getProperty(PROPERTY);
    int bits = wanted != null ? Integer.parseInt(wanted.trim()) : (preferred > 256 && isAmd() ? 256 : preferred);
    return VectorShape.forBitSize(Math.min(bits, preferred));
  }

  private static VectorShape chooseMath() {
    int preferred = VectorShape.preferredShape().vectorBitSize();
    String wanted = System.getProperty(PROPERTY);
    int bits = wanted != null ? Integer.parseInt(wanted.trim()) : preferred;
    return VectorShape.forBitSize(Math.min(bits, preferred));
  }

  private static boolean isAmd() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) return false;
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines.limit(64).anyMatch(l -> l.startsWith("vendor_id") && l.contains("AuthenticAMD"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
