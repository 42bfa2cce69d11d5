package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ElementKernels#addRows} (a sum over a leading dim, as a bias gradient sums a batch) gives,
 * bit for bit, what its contract spells out: {@code 0 + } the first row, then one elementwise add
 * per further row, in row order; so a column of -0.0 sums to +0.0, NaN and infinities propagate as
 * the adds make them. Rows wider and narrower than a vector, with a tail, rows further apart than
 * their width, and the split over threads.
 */
class AddRowsTest {
  private static KernelProvider vector;

  @BeforeAll
  static void vectorApiIsUsable() {
    vector = VectorApi.provider();
  }

  static Stream<Arguments> cases() {
    return Stream.of("vector", "scalar", "parallel").flatMap(provider -> Stream.of("float32", "float64").flatMap(type ->
        IntStream.of(1, 2, 7, 32, 33).boxed().flatMap(rows -> IntStream.of(1, 3, 8, 10, 16, 17, 128, 131, 4099)
            .filter(n -> n < 4099 || provider.equals("parallel"))   // wide enough to split over threads
            .mapToObj(n -> Arguments.of(provider, type, rows, n)))));
  }

  @ParameterizedTest(name = "{0} {1} rows={2} n={3}")
  @MethodSource("cases")
  void rowsAddedInOrderFromPlusZero(String provider, String type, int rows, int n) {
    KernelProvider p = provider.equals("scalar") ? new ScalarKernelProvider() : vector;
    ElementKernels k = type.equals("float32") ? p.float32() : p.float64();
    if (provider.equals("parallel")) k = type.equals("float32") ? Kernels.float32() : Kernels.float64();
    int threads = Parallel.threads();
    Parallel.setThreads(3);
    try {
      check(k, rows, n);
    } finally {
      Parallel.setThreads(threads);
    }
  }

  private static void check(ElementKernels k, int rows, int n) {
    int stride = n + 5, offset = 3;
    try (Arena arena = Arena.ofShared()) {   // shared: the parallel kernels read it from other threads
      MemorySegment a = arena.allocate((long) (offset + rows * stride) * k.elementBytes(), 64);
      MemorySegment got = arena.allocate((long) (n + 1) * k.elementBytes(), 64);
      MemorySegment want = arena.allocate((long) (n + 1) * k.elementBytes(), 64);
      Random rnd = new Random(rows * 1000L + n);
      for (int i = 0; i < offset + rows * stride; i++) {
        int column = (i - offset) % stride;
        double v = column == 0 ? -0.0   // a column of negative zeros
            : column == 2 && i % 7 == 0 ? Double.NaN
            : column == 4 && i % 5 == 0 ? Double.POSITIVE_INFINITY
            : (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(9) - 4);
        k.set(a, i, v);
      }
      k.addRows(a, offset, rows, stride, got, 1, n);
      k.binaryScalar(BinaryOp.ADD, a, offset, 0, want, 1, n);
      for (int r = 1; r < rows; r++) k.binary(BinaryOp.ADD, want, 1, a, offset + (long) r * stride, want, 1, n);
      for (int j = 0; j < n; j++) {
        assertEquals(Double.doubleToRawLongBits(k.get(want, 1 + j)), Double.doubleToRawLongBits(k.get(got, 1 + j)),
            "column " + j + ": " + k.get(want, 1 + j) + " expected, " + k.get(got, 1 + j) + " computed");
      }
      assertEquals(0, Double.doubleToRawLongBits(k.get(got, 1)), "a column of -0.0 sums to +0.0");
    }
  }
}
