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
 * {@link ElementKernels#softmaxRows} gives, bit for bit, what its contract spells out: per row the
 * maximum ({@link ElementKernels#max}), then {@link ElementKernels#sumExpShift} /
 * {@link ElementKernels#expShift} and the scalar steps, as the separate kernel calls compute them.
 * The Vector API kernel runs rows of at most one vector as one masked vector each: rows whose
 * maximum is a zero of either sign (which one wins is the scalar rule's) or NaN, rows of -inf and
 * +inf, one-element rows and rows of exactly one vector are all here, next to longer rows.
 */
class SoftmaxRowsTest {
  private static KernelProvider vector;
  private static final KernelProvider SCALAR = new ScalarKernelProvider();

  @BeforeAll
  static void vectorApiIsUsable() {
    vector = VectorApi.provider();
  }

  static Stream<Arguments> cases() {
    return Stream.of("vector", "scalar").flatMap(provider -> Stream.of("float32", "float64").flatMap(type ->
        Stream.of(true, false).flatMap(log -> IntStream.of(1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 31, 40)
            .mapToObj(size -> Arguments.of(provider, type, log, size)))));
  }

  /** Rows of random logits, and rows that exercise the maximum's special cases. */
  private static double[] row(int r, int size, Random rnd) {
    double[] x = new double[size];
    for (int i = 0; i < size; i++) x[i] = (rnd.nextDouble() - 0.7) * 20;
    int at = rnd.nextInt(size), other = rnd.nextInt(size);
    switch (r % 8) {
      case 1 -> { x[at] = 0.0; x[other] = -0.0; }            // zeros of both signs, the largest when the rest are negative
      case 2 -> { x[at] = -0.0; x[other] = 0.0; }
      case 3 -> x[at] = Double.NaN;
      case 4 -> java.util.Arrays.fill(x, Double.NEGATIVE_INFINITY);
      case 5 -> x[at] = Double.POSITIVE_INFINITY;
      case 6 -> java.util.Arrays.fill(x, 1e4);                // huge logits: no overflow
      default -> { }
    }
    if (r % 8 == 1 || r % 8 == 2) for (int i = 0; i < size; i++) if (i != at && i != other) x[i] = -Math.abs(x[i]) - 1;
    return x;
  }

  @ParameterizedTest(name = "{0} {1} log={2} size={3}")
  @MethodSource("cases")
  void rowsAsTheSeparatePassesComputeThem(String provider, String type, boolean log, int size) {
    ElementKernels k = provider.equals("vector")
        ? (type.equals("float32") ? vector.float32() : vector.float64())
        : (type.equals("float32") ? SCALAR.float32() : SCALAR.float64());
    boolean single = type.equals("float32");
    int rows = 24, offset = 3;   // an offset that is not vector aligned
    try (Arena arena = Arena.ofConfined()) {
      long bytes = (long) (rows * size + offset) * k.elementBytes();
      MemorySegment in = arena.allocate(bytes, 64), out = arena.allocate(bytes, 64), want = arena.allocate(bytes, 64);
      Random rnd = new Random(size * 31L + (log ? 1 : 0));
      for (int r = 0; r < rows; r++) {
        double[] x = row(r, size, rnd);
        for (int i = 0; i < size; i++) k.set(in, offset + r * size + i, x[i]);
      }
      k.softmaxRows(log, in, offset, out, offset, rows, size);
      for (int r = 0; r < rows; r++) {
        long i = offset + (long) r * size;
        double m = k.max(in, i, size, false);
        if (log) {
          double sum = k.sumExpShift(in, i, m, size);
          double logSum = single ? (float) Math.log((float) sum) : Math.log(sum);
          k.binaryScalar(BinaryOp.SUB, in, i, m, want, i, size);
          k.binaryScalar(BinaryOp.SUB, want, i, logSum, want, i, size);
        } else {
          double sum = k.expShift(in, i, m, want, i, size);
          if (single) sum = (float) sum;
          k.binaryScalar(BinaryOp.MUL, want, i, single ? (float) (1 / sum) : 1 / sum, want, i, size);
        }
        for (int j = 0; j < size; j++) {
          double got = k.get(out, i + j), expected = k.get(want, i + j);
          // bits, except that any NaN matches any NaN (which payload a NaN row carries is not specified)
          if (!(Double.isNaN(got) && Double.isNaN(expected))) {
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got),
                "row " + r + " element " + j + ": " + expected + " expected, " + got + " computed");
          }
        }
      }
      // in place (out == in, same offsets), as Softmax's gathered rows run
      k.softmaxRows(log, in, offset, in, offset, rows, size);
      for (long i = offset; i < offset + (long) rows * size; i++) {
        double got = k.get(in, i), expected = k.get(out, i);
        if (!(Double.isNaN(got) && Double.isNaN(expected))) {
          assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got), "in place, element " + i);
        }
      }
    }
  }
}
