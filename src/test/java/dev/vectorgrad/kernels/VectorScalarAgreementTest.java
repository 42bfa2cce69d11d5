package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API kernels and the scalar kernels compute the same values: bit for bit for
 * elementwise ops (both round each result once in the element type), and within a size-scaled
 * tolerance for sums (they add in different orders). Sizes straddle every vector width and tail
 * length, with offsets that are not vector aligned.
 */
class VectorScalarAgreementTest {
  static final int[] SIZES = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 1000, 4095, 4096, 4097, 8193, 100_003};
  private static KernelProvider vector;
  private static final KernelProvider SCALAR = new ScalarKernelProvider();

  @BeforeAll
  static void vectorApiIsUsable() {
    vector = VectorApi.provider();
  }

  static Stream<Arguments> cases() {
    return Stream.of("float32", "float64").flatMap(type ->
        IntStream.of(SIZES).mapToObj(n -> Arguments.of(type, n)));
  }

  private static ElementKernels pick(KernelProvider p, String type) {
    return type.equals("float32") ? p.float32() : p.float64();
  }

  /** Two inputs with values of mixed sign and magnitude, and a few special values. */
  private static MemorySegment input(Arena arena, ElementKernels k, int n, long seed, int offset) {
    MemorySegment s = arena.allocate((long) (n + offset) * k.elementBytes(), 64);
    Random r = new Random(seed);
    for (int i = 0; i < n + offset; i++) {
      double v = switch (i % 97) {
        case 13 -> 0.0;
        case 29 -> -0.0;
        case 41 -> 1e-30;
        default -> (r.nextDouble() - 0.4) * Math.pow(10, r.nextInt(7) - 3);
      };
      k.set(s, i, v);
    }
    return s;
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void elementwiseKernelsAgreeBitForBit(String type, int n) {
    ElementKernels v = pick(vector, type), s = pick(SCALAR, type);
    int off = 3;   // not a multiple of any vector length
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = input(arena, v, n, 1, off), b = input(arena, v, n, 2, off);
      for (BinaryOp op : BinaryOp.values()) {
        compare(arena, v, s, n, op + " tensor-tensor", k -> out -> k.binary(op, a, off, b, off, out, 1, n));
        compare(arena, v, s, n, op + " tensor-scalar", k -> out -> k.binaryScalar(op, a, off, 0.3, out, 1, n));
        compare(arena, v, s, n, op + " scalar-tensor", k -> out -> k.scalarBinary(op, -1.7, b, off, out, 1, n));
      }
      MemorySegment cond = arena.allocate((long) (n + off) * v.elementBytes(), 64);
      for (int i = 0; i < n + off; i++) v.set(cond, i, v.get(a, i) > 0 ? 1 : 0);
      compare(arena, v, s, n, "select", k -> out -> k.select(cond, off, a, off, b, off, out, 1, n));
      for (int inner : new int[] {1, 2, 3, 8, 9, 17}) {
        long rows = n / inner;   // rows of inner elements from a, one value per row from b; the rest untouched
        for (BinaryOp op : BinaryOp.values()) {
          for (boolean colFirst : new boolean[] {false, true}) {
            compare(arena, v, s, n, op + " column rows of " + inner + (colFirst ? " (column first)" : ""),
                k -> out -> k.binaryColumn(op, a, off, b, off, colFirst, out, 1, rows, inner));
          }
        }
      }
      compare(arena, v, s, n, "neg", k -> out -> k.neg(a, off, out, 1, n));
      compare(arena, v, s, n, "fill", k -> out -> k.fill(out, 1, n, 0.1));
      compare(arena, v, s, n, "copy", k -> out -> k.copy(a, off, out, 1, n));
    }
  }

  private static void compare(Arena arena, ElementKernels v, ElementKernels s, int n, String what,
                              Function<ElementKernels, java.util.function.Consumer<MemorySegment>> run) {
    compare(arena, v, s, n, what, run, run);
  }

  /** As above with a run for each side: {@code runV} on {@code v}, {@code runS} on {@code s}. */
  private static void compare(Arena arena, ElementKernels v, ElementKernels s, int n, String what,
                              Function<ElementKernels, java.util.function.Consumer<MemorySegment>> runV,
                              Function<ElementKernels, java.util.function.Consumer<MemorySegment>> runS) {
    long bytes = (long) (n + 2) * v.elementBytes();
    MemorySegment outV = arena.allocate(bytes, 64), outS = arena.allocate(bytes, 64);
    v.fill(outV, 0, n + 2, 42);
    s.fill(outS, 0, n + 2, 42);
    runV.apply(v).accept(outV);
    runS.apply(s).accept(outS);
    for (int i = 0; i < n + 2; i++) {
      long bv = Double.doubleToRawLongBits(v.get(outV, i)), bs = Double.doubleToRawLongBits(s.get(outS, i));
      assertEquals(bs, bv, () -> what + " differs at " + "element (incl. guard) " + n);
    }
    assertEquals(42.0, v.get(outV, 0), what + " wrote before its range");
    assertEquals(42.0, v.get(outV, n + 1), what + " wrote past its range");
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void aColumnKernelGivesTheBitsOfOneScalarKernelCallPerRow(String type, int n) {
    ElementKernels v = pick(vector, type);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = input(arena, v, n, 3, 1), col = input(arena, v, n, 4, 2);
      for (int inner : new int[] {2, 7, 8, 16, 33}) {
        long rows = n / inner;
        for (BinaryOp op : BinaryOp.values()) {
          for (boolean colFirst : new boolean[] {false, true}) {
            compare(arena, v, v, n, op + " column of rows of " + inner,
                k -> out -> k.binaryColumn(op, a, 1, col, 2, colFirst, out, 1, rows, inner), k -> out -> {
              for (long r = 0; r < rows; r++) {
                double c = k.get(col, 2 + r);
                if (colFirst) k.scalarBinary(op, c, a, 1 + r * inner, out, 1 + r * inner, inner);
                else k.binaryScalar(op, a, 1 + r * inner, c, out, 1 + r * inner, inner);
              }
            });
          }
        }
      }
    }
  }

  @Test
  void selectCopiesTheChosenBitsUnchanged() {
    for (String type : new String[] {"float32", "float64"}) {
      for (KernelProvider p : new KernelProvider[] {vector, SCALAR}) {
        ElementKernels k = pick(p, type);
        int n = 37;
        try (Arena arena = Arena.ofConfined()) {
          long bytes = (long) n * k.elementBytes();
          MemorySegment cond = arena.allocate(bytes, 64), a = arena.allocate(bytes, 64), b = arena.allocate(bytes, 64),
              out = arena.allocate(bytes, 64);
          for (int i = 0; i < n; i++) {
            k.set(cond, i, i % 3 == 0 ? 1 : 0);
            // NaNs with payloads and negative zeros: a copy, not arithmetic, so every bit survives
            if (type.equals("float32")) {
              a.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, i, 0x7fc00000 | (i + 1));
              b.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, i, i % 2 == 0 ? 0x80000000 : 0xffc00000 | i);
            } else {
              a.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, 0x7ff8000000000000L | (i + 1));
              b.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, i % 2 == 0 ? Long.MIN_VALUE : 0xfff8000000000000L | i);
            }
          }
          k.select(cond, 0, a, 0, b, 0, out, 0, n);
          for (int i = 0; i < n; i++) {
            MemorySegment from = i % 3 == 0 ? a : b;
            for (int byteIndex = 0; byteIndex < k.elementBytes(); byteIndex++) {
              long at = (long) i * k.elementBytes() + byteIndex;
              assertEquals(from.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at), out.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at),
                  p.description() + " " + type + " element " + i);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void sumsAgreeWithinRoundingAndWithAnExactDoubleSum(String type, int n) {
    ElementKernels v = pick(vector, type), s = pick(SCALAR, type);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = input(arena, v, n, 7, 5);
      java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
      double abs = 0;
      for (int i = 0; i < n; i++) {
        exact = exact.add(new java.math.BigDecimal(v.get(a, 5 + i)));
        abs += Math.abs(v.get(a, 5 + i));
      }
      double eps = type.equals("float32") ? 0x1p-24 : 0x1p-53;
      double tolerance = 4 * eps * Math.sqrt(n + 1.0) * abs + Double.MIN_VALUE;
      assertEquals(exact.doubleValue(), v.sum(a, 5, n), tolerance, "vector sum");
      assertEquals(exact.doubleValue(), s.sum(a, 5, n), tolerance, "scalar sum");
    }
  }

  @Test
  void aSumGivesTheSameBitsBeforeAndAfterTheJitCompilesIt() {
    ElementKernels k = vector.float32();
    int n = 10_007;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = input(arena, k, n, 11, 0);
      double cold = k.sum(a, 0, n);
      for (int i = 0; i < 30_000; i++) {
        double hot = k.sum(a, 0, n);
        if (hot != cold) assertEquals(cold, hot, "call " + i + " changed the result");
      }
    }
  }

  @Test
  void streamingSumsGiveTheSameBitsAsTheInCacheLoop() {
    ElementKernels k = vector.float32();
    long block = ElementKernels.SUM_BLOCK;
    long n = VectorFloatKernels.STREAMING_SUM + block * 3 + 77;   // uses the sliced loop
    try (Arena arena = Arena.ofShared()) {
      MemorySegment a = arena.allocate(4 * n, 64);
      java.util.Random r = new java.util.Random(5);
      for (long i = 0; i < n; i++) k.set(a, i, r.nextDouble() - 0.3);
      double byBlocks = 0;
      // the in-cache loop, block by block (sumFrom: a short last block is still a block, not a short run)
      for (long i = 0; i < n; i += block) byBlocks = k.sumFrom(byBlocks, a, i, Math.min(block, n - i));
      assertEquals(Double.doubleToRawLongBits(byBlocks), Double.doubleToRawLongBits(k.sum(a, 0, n)));
    }
  }

  @Test
  void theChosenProviderHonoursTheScalarProperty() {
    String forced = System.getProperty(Kernels.PROPERTY, "auto");
    String description = Kernels.provider().description();
    if (forced.equals("scalar")) {
      assertEquals("scalar kernels", description);
    } else {
      assertEquals(vector.description(), description);
    }
  }
}
