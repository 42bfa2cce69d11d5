package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.vectorgrad.testsupport.ChildJvm;
import dev.vectorgrad.testsupport.GemmWarmMain;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GEMM kernels (Vector API, scalar, and the chosen ones split over threads) against a float64
 * triple loop: odd and edge sizes, every transpose combination through strides, offsets, padded
 * leading dimensions, alpha and beta (beta 0 over NaN garbage), float32 and float64. Tolerance:
 * {@code 2 (k + 3) eps} times the sum of the magnitudes that enter each element.
 */
class GemmTest {
  private static final int[] SIZES = {1, 2, 5, 7, 17, 63, 64, 65, 129, 300};
  private static final int[][] SHAPES = {   // m, n, k
      {1, 300, 7}, {300, 1, 65}, {7, 129, 300}, {65, 17, 1}, {129, 63, 64}, {2, 5, 7},
      {100, 10, 256}, {10, 100, 257}, {6, 64, 600}, {13, 2100, 5}, {250, 49, 33}};
  private int savedThreads;

  @BeforeEach
  void saveThreads() {
    savedThreads = Parallel.threads();
  }

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(savedThreads);
  }

  /** The kernels under test: name and float32 / float64 implementations. */
  private record Impl(String name, Gemm f32, Gemm f64) {
    Gemm of(int bytes) {
      return bytes == 4 ? f32 : f64;
    }
  }

  private static List<Impl> impls() {
    List<Impl> list = new ArrayList<>();
    KernelProvider vector = Kernels.vectorOrNull();
    if (vector != null) list.add(new Impl("vector", vector.gemmFloat32(), vector.gemmFloat64()));
    ScalarKernelProvider scalar = new ScalarKernelProvider();
    list.add(new Impl("scalar", scalar.gemmFloat32(), scalar.gemmFloat64()));
    list.add(new Impl("chosen+parallel", Kernels.gemmFloat32(), Kernels.gemmFloat64()));
    return list;
  }

  /** A matrix in a segment: element (i, j) at {@code off + i * rs + j * cs}. */
  private record Mat(MemorySegment seg, long off, long rs, long cs, int rows, int cols, int bytes) {
    double get(int i, int j) {
      long at = off + i * rs + j * cs;
      return bytes == 4 ? seg.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at) : seg.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, at);
    }

    void set(int i, int j, double v) {
      long at = off + i * rs + j * cs;
      if (bytes == 4) seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at, (float) v);
      else seg.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, at, v);
    }

    double[][] snapshot() {
      double[][] s = new double[rows][cols];
      for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) s[i][j] = get(i, j);
      return s;
    }
  }

  /**
   * A rows x cols matrix, row-major or (transposed) column-major, starting {@code off} elements
   * into its segment, leading dimension padded by {@code pad}; filled with values in [-1, 1).
   */
  private static Mat mat(Arena arena, int bytes, int rows, int cols, boolean transposed, int off, int pad, Random rnd) {
    long ld = (transposed ? rows : cols) + pad;
    long rs = transposed ? 1 : ld, cs = transposed ? ld : 1;
    long elements = off + ld * (transposed ? cols : rows) + 1;
    Mat m = new Mat(arena.allocate(elements * bytes, 8), off, rs, cs, rows, cols, bytes);
    fill(m, rnd);
    return m;
  }

  /** A matrix with neither stride 1 (every other element of every third row / column). */
  private static Mat spread(Arena arena, int bytes, int rows, int cols, int off, Random rnd) {
    long cs = 2, rs = 3L * cols * 2 + 1;
    long elements = off + rs * rows + cs * cols + 1;
    Mat m = new Mat(arena.allocate(elements * bytes, 8), off, rs, cs, rows, cols, bytes);
    fill(m, rnd);
    return m;
  }

  private static void fill(Mat m, Random rnd) {
    for (int i = 0; i < m.rows; i++) for (int j = 0; j < m.cols; j++) m.set(i, j, rnd.nextDouble() * 2 - 1);
  }

  private static void fillNaN(Mat m) {
    for (int i = 0; i < m.rows; i++) for (int j = 0; j < m.cols; j++) m.set(i, j, Double.NaN);
  }

  private static void run(Gemm g, double alpha, Mat a, Mat b, double beta, Mat c) {
    g.gemm(a.rows, b.cols, a.cols, alpha, a.seg, a.off, a.rs, a.cs, b.seg, b.off, b.rs, b.cs,
        beta, c.seg, c.off, c.rs, c.cs);
  }

  /** Runs {@code g} and checks C against the float64 reference computed from the same inputs. */
  private static void check(String what, Gemm g, double alpha, Mat a, Mat b, double beta, Mat c) {
    int m = a.rows, n = b.cols, k = a.cols;
    double[][] c0 = c.snapshot();
    double[][] av = a.snapshot(), bv = b.snapshot();
    float alphaF = (float) alpha, betaF = (float) beta;
    double al = c.bytes == 4 ? alphaF : alpha, be = c.bytes == 4 ? betaF : beta;
    run(g, alpha, a, b, beta, c);
    double eps = c.bytes == 4 ? Math.ulp(1.0f) : Math.ulp(1.0);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0, mag = 0;
        for (int p = 0; p < k; p++) {
          sum += av[i][p] * bv[p][j];
          mag += Math.abs(av[i][p] * bv[p][j]);
        }
        double old = be == 0 ? 0 : be * c0[i][j];
        double expected = (al == 0 || k == 0 ? 0 : al * sum) + old;
        double tol = 2 * (k + 3) * eps * (Math.abs(al) * mag + Math.abs(old)) + Double.MIN_NORMAL;
        double got = c.get(i, j);
        if (!(Math.abs(got - expected) <= tol)) {
          fail(what + ": C[" + i + "," + j + "] = " + got + ", expected " + expected + " +- " + tol
              + " (m=" + m + ", n=" + n + ", k=" + k + ", alpha=" + alpha + ", beta=" + beta + ")");
        }
      }
    }
  }

  @Test
  void squareSizes() {
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(1);
        for (int s : SIZES) {
          try (Arena arena = Arena.ofShared()) {
            Mat a = mat(arena, bytes, s, s, false, 0, 0, rnd), b = mat(arena, bytes, s, s, false, 0, 0, rnd);
            Mat c = mat(arena, bytes, s, s, false, 0, 0, rnd);
            check(impl.name + " " + bytes * 8 + "-bit n=" + s, impl.of(bytes), 1.0, a, b, 0.0, c);
          }
        }
      }
    }
  }

  @Test
  void nonSquareShapesWithBlocksAndEdges() {
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(2);
        for (int[] s : SHAPES) {
          try (Arena arena = Arena.ofShared()) {
            Mat a = mat(arena, bytes, s[0], s[2], false, 0, 0, rnd), b = mat(arena, bytes, s[2], s[1], false, 0, 0, rnd);
            Mat c = mat(arena, bytes, s[0], s[1], false, 0, 0, rnd);
            check(impl.name + " " + bytes * 8 + "-bit " + s[0] + "x" + s[1] + "x" + s[2], impl.of(bytes), 1.0, a, b, 1.0, c);
          }
        }
      }
    }
  }

  @Test
  void everyTransposeCombinationWithOffsetsAndPadding() {
    int[][] shapes = {{65, 129, 63}, {7, 5, 300}, {300, 17, 65}, {64, 64, 64}, {1, 33, 2}};
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(3);
        for (int[] s : shapes) {
          for (int combo = 0; combo < 8; combo++) {
            boolean at = (combo & 1) != 0, bt = (combo & 2) != 0, ct = (combo & 4) != 0;
            try (Arena arena = Arena.ofShared()) {
              Mat a = mat(arena, bytes, s[0], s[2], at, 3, combo % 3, rnd);
              Mat b = mat(arena, bytes, s[2], s[1], bt, 5, 1, rnd);
              Mat c = mat(arena, bytes, s[0], s[1], ct, 7, 2, rnd);
              check(impl.name + " " + bytes * 8 + "-bit " + (at ? "A^T " : "A ") + (bt ? "B^T " : "B ") + (ct ? "C^T " : "C ")
                  + s[0] + "x" + s[1] + "x" + s[2], impl.of(bytes), 0.75, a, b, -0.5, c);
            }
          }
        }
      }
    }
  }

  /**
   * Narrow outputs (a classifier's ten columns, a regression's one): the Vector API kernel computes
   * them as dot products along k (rows of A read in place, their last partial vector masked, so A
   * is allocated to its last element) once k is long enough, and from a transposed A as sums of A's
   * columns read in place (masked past m); B plain (one run), transposed, or with padded rows; alpha
   * and beta, and beta 0 over NaN garbage.
   */
  @Test
  void narrowOutputs() {
    int[] ns = {1, 2, 3, 4, 5, 10, 12, 13}, ks = {7, 32, 33, 100, 192, 300}, ms = {1, 5, 17, 35, 64, 70};
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(11);
        for (int n : ns) {
          for (int k : ks) {
            for (int m : ms) {
              for (int layout = 0; layout < 6; layout++) {
                try (Arena arena = Arena.ofShared()) {
                  // layouts 0-2: A row-major; 3-5: A^T's columns contiguous (a t() view), ending where its segment ends
                  Mat a = layout < 3 ? exact(arena, bytes, m, k, rnd) : exactTransposed(arena, bytes, m, k, rnd);
                  Mat b = layout % 3 == 0 ? exact(arena, bytes, k, n, rnd) : mat(arena, bytes, k, n, layout % 3 == 1, 0, 3, rnd);
                  Mat c = mat(arena, bytes, m, n, false, 1, 2, rnd);
                  checkBetas(impl.name + " " + bytes * 8 + "-bit " + m + "x" + n + "x" + k + " B layout " + layout,
                      impl.of(bytes), a, b, c);
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * Narrow rows of C (up to 12, k up to KC): computed as the transposed problem's narrow output from
   * B's rows read in place (masked past n, so B is allocated to its last element), merged into C's
   * rows; otherwise by the packed kernels. A row-major or transposed, C row-major or transposed, alpha
   * and beta, and beta 0 over NaN garbage.
   */
  @Test
  void narrowRows() {
    int[] ms = {1, 2, 5, 6, 7, 10, 12, 13}, ns = {31, 32, 64, 70, 129}, ks = {7, 32, 100, 300};
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(12);
        for (int m : ms) {
          for (int n : ns) {
            for (int k : ks) {
              for (int layout = 0; layout < 4; layout++) {
                try (Arena arena = Arena.ofShared()) {
                  Mat a = mat(arena, bytes, m, k, (layout & 1) != 0, 2, 1, rnd);
                  Mat b = exact(arena, bytes, k, n, rnd);
                  Mat c = mat(arena, bytes, m, n, (layout & 2) != 0, 1, 2, rnd);
                  checkBetas(impl.name + " " + bytes * 8 + "-bit " + m + "x" + n + "x" + k + " layout " + layout,
                      impl.of(bytes), a, b, c);
                }
              }
            }
          }
        }
      }
    }
  }

  /** {@link #check} with alpha 0.75 and beta -0.5, then with beta 0 over NaN garbage in C. */
  private static void checkBetas(String what, Gemm g, Mat a, Mat b, Mat c) {
    check(what, g, 0.75, a, b, -0.5, c);
    fillNaN(c);
    check(what + " beta 0", g, 1.0, a, b, 0.0, c);
  }

  /** A column-major rows x cols matrix (element (i, j) at {@code j * rows + i}) that ends where its segment ends. */
  private static Mat exactTransposed(Arena arena, int bytes, int rows, int cols, Random rnd) {
    Mat m = new Mat(arena.allocate((long) rows * cols * bytes, 8), 0, 1, rows, rows, cols, bytes);
    fill(m, rnd);
    return m;
  }

  /** A row-major rows x cols matrix that ends where its segment ends. */
  private static Mat exact(Arena arena, int bytes, int rows, int cols, Random rnd) {
    Mat m = new Mat(arena.allocate((long) rows * cols * bytes, 8), 0, cols, 1, rows, cols, bytes);
    fill(m, rnd);
    return m;
  }

  @Test
  void generalStrides() {
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(4);
        try (Arena arena = Arena.ofShared()) {
          Mat a = spread(arena, bytes, 37, 70, 1, rnd), b = spread(arena, bytes, 70, 90, 2, rnd);
          Mat c = spread(arena, bytes, 37, 90, 3, rnd);
          check(impl.name + " " + bytes * 8 + "-bit spread", impl.of(bytes), 1.25, a, b, 2.0, c);
        }
      }
    }
  }

  @Test
  void alphaAndBeta() {
    double[][] pairs = {{1, 0}, {1, 1}, {0.5, -2}, {-1.5, 0.25}, {2, 1}, {1, -1}};
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(5);
        for (double[] ab : pairs) {
          try (Arena arena = Arena.ofShared()) {
            Mat a = mat(arena, bytes, 70, 40, false, 0, 0, rnd), b = mat(arena, bytes, 40, 90, true, 0, 0, rnd);
            Mat c = mat(arena, bytes, 70, 90, false, 0, 0, rnd);
            check(impl.name + " " + bytes * 8 + "-bit alpha/beta", impl.of(bytes), ab[0], a, b, ab[1], c);
          }
        }
      }
    }
  }

  @Test
  void betaZeroIgnoresNaNGarbage() {
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(6);
        for (int[] s : new int[][] {{5, 7, 3}, {129, 65, 300}, {64, 64, 64}}) {
          for (boolean ct : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofShared()) {
              Mat a = mat(arena, bytes, s[0], s[2], false, 0, 0, rnd), b = mat(arena, bytes, s[2], s[1], false, 0, 0, rnd);
              Mat c = mat(arena, bytes, s[0], s[1], ct, 0, 0, rnd);
              fillNaN(c);
              check(impl.name + " " + bytes * 8 + "-bit beta=0 over NaN", impl.of(bytes), 1.5, a, b, 0.0, c);
            }
          }
        }
      }
    }
  }

  @Test
  void kZeroAndAlphaZeroOnlyScaleC() {
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(7);
        try (Arena arena = Arena.ofShared()) {
          // k == 0: C = beta C; beta == 0 clears NaN garbage.
          Mat a0 = mat(arena, bytes, 9, 0, false, 0, 0, rnd), b0 = mat(arena, bytes, 0, 11, false, 0, 0, rnd);
          Mat c = mat(arena, bytes, 9, 11, false, 0, 0, rnd);
          check(impl.name + " k=0 beta=3", impl.of(bytes), 1.0, a0, b0, 3.0, c);
          fillNaN(c);
          run(impl.of(bytes), 1.0, a0, b0, 0.0, c);
          for (double[] row : c.snapshot()) for (double v : row) assertEquals(0.0, v, impl.name + " k=0 beta=0");
          // alpha == 0: A and B are not read (NaN there must not reach C).
          Mat a = mat(arena, bytes, 9, 13, false, 0, 0, rnd), b = mat(arena, bytes, 13, 11, false, 0, 0, rnd);
          fillNaN(a);
          Mat c2 = mat(arena, bytes, 9, 11, false, 0, 0, rnd);
          double[][] before = c2.snapshot();
          run(impl.of(bytes), 0.0, a, b, 0.5, c2);
          double[][] after = c2.snapshot();
          for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 11; j++) {
              double expected = bytes == 4 ? (float) (0.5f * (float) before[i][j]) : 0.5 * before[i][j];
              assertEquals(expected, after[i][j], impl.name + " alpha=0");
            }
          }
        }
      }
    }
  }

  @Test
  void emptyOutputsAreNoOps() {
    for (Impl impl : impls()) {
      for (int bytes : new int[] {4, 8}) {
        Random rnd = new Random(8);
        try (Arena arena = Arena.ofShared()) {
          for (int[] s : new int[][] {{0, 5, 3}, {5, 0, 3}, {0, 0, 0}}) {
            Mat a = mat(arena, bytes, s[0], s[2], false, 0, 0, rnd), b = mat(arena, bytes, s[2], s[1], false, 0, 0, rnd);
            Mat c = mat(arena, bytes, 4, 4, false, 0, 0, rnd);   // must stay untouched
            double[][] before = c.snapshot();
            impl.of(bytes).gemm(s[0], s[1], s[2], 1.0, a.seg, 0, a.rs, a.cs, b.seg, 0, b.rs, b.cs, 0.0, c.seg, 0, 0, 0);
            assertTrue(java.util.Arrays.deepEquals(before, c.snapshot()), impl.name + " m or n = 0 wrote C");
          }
          MemorySegment s = arena.allocate(64);
          assertThrows(IllegalArgumentException.class, () -> impl.of(bytes).gemm(-1, 1, 1, 1, s, 0, 1, 1, s, 0, 1, 1, 0, s, 0, 1, 1));
        }
      }
    }
  }

  @Test
  void heapAlignmentShiftsStayInsideOneCacheLine() {
    for (int n : new int[] {1, 100, 10_000}) {
      int sf = HeapAlignment.shift(new float[n]), sd = HeapAlignment.shift(new double[n]);
      assertTrue(sf >= 0 && sf < 16, "float shift " + sf);
      assertTrue(sd >= 0 && sd < 8, "double shift " + sd);
      if (!HeapAlignment.available()) assertEquals(0, sf + sd);
    }
    // The test JVM runs with --enable-native-access (as the pom's argLine says), so addresses are known.
    assertTrue(HeapAlignment.available() || !HeapAlignment.class.getModule().isNativeAccessEnabled());
  }

  /** Products split over 2, 3 and 4 threads give C bit for bit as one thread computes it. */
  @Test
  void multiThreadedEqualsSingleThreaded() {
    int[][] shapes = {{300, 257, 129}, {96, 96, 64}, {130, 1000, 70}, {7, 600, 300}, {600, 9, 100}, {256, 128, 784},
        {600, 10, 300}, {700, 1, 64}, {300, 3, 256},   // narrow outputs (dot products, or A^T's columns)
        {10, 300, 200}, {20, 1100, 100}, {10, 130, 1000}};   // narrow rows: parts under 13 rows, k under and over KC
    List<Impl> impls = new ArrayList<>();
    KernelProvider vector = Kernels.vectorOrNull();
    if (vector != null) impls.add(new Impl("vector", vector.gemmFloat32(), vector.gemmFloat64()));
    impls.add(new Impl("chosen", Kernels.provider().gemmFloat32(), Kernels.provider().gemmFloat64()));
    for (Impl impl : impls) {
      for (int bytes : new int[] {4, 8}) {
        Gemm single = impl.of(bytes), parallel = new ParallelGemm(single);
        Random rnd = new Random(9);
        for (int[] s : shapes) {
          for (int combo = 0; combo < 4; combo++) {
            try (Arena arena = Arena.ofShared()) {
              Mat a = mat(arena, bytes, s[0], s[2], (combo & 1) != 0, 1, 0, rnd);
              Mat b = mat(arena, bytes, s[2], s[1], (combo & 2) != 0, 0, 3, rnd);
              Mat c1 = mat(arena, bytes, s[0], s[1], false, 0, 0, new Random(10));
              Mat c2 = mat(arena, bytes, s[0], s[1], false, 0, 0, new Random(10));
              Parallel.setThreads(1);
              run(single, 1.0, a, b, 0.5, c1);
              for (int threads : new int[] {2, 3, 4}) {
                fill(c2, new Random(10));
                Parallel.setThreads(threads);
                run(parallel, 1.0, a, b, 0.5, c2);
                assertEquals(-1, c1.seg.mismatch(c2.seg), impl.name + " " + bytes * 8 + "-bit " + s[0] + "x" + s[1] + "x" + s[2]
                    + " combo " + combo + " on " + threads + " threads");
              }
            }
          }
        }
      }
    }
  }

  /**
   * The micro-kernels reach C2 in a default (tiered) JVM: large kernel methods can stay in C1 for
   * good (its register allocator gives up) and run 150x slower. Checks PrintCompilation's tier-4
   * (non-OSR) entries for every micro-kernel of both element types.
   */
  @Test
  void microKernelsAreCompiledByC2() throws Exception {
    assumeFalse("scalar".equals(System.getProperty(Kernels.PROPERTY)), "the Vector API kernels are checked in the default run");
    // The compilation log goes to a file: tens of KB on the child's stdout would fill the pipe
    // that ChildJvm reads only after the child exits.
    Path log = Files.createTempFile("gemm-compilation", ".log");
    try {
      ChildJvm.Result r = ChildJvm.run(GemmWarmMain.class, "--add-modules", "jdk.incubator.vector",
          "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintCompilation", "-XX:-DisplayVMOutput",
          "-XX:+LogVMOutput", "-XX:LogFile=" + log);
      assertEquals(0, r.exitCode(), r.output());
      if (r.output().contains("gemm-warm-unavailable")) return;
      assertTrue(r.output().contains("gemm-warm-done"), r.output());
      checkTier4(Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static void checkTier4(String compilations) {
    for (String type : new String[] {"Float", "Double"}) {
      for (String kernel : new String[] {"kernel4", "kernel2", "kernel1", "dot4x4", "dot8x2", "dot16x1", "reduce16",
          "columns4x4", "columns4x1", "columns1x4"}) {
        Pattern c2 = Pattern.compile("(?m)^\\s*\\d+\\s+\\d+\\s[ %sbn!]*\\s4\\s+dev\\.vectorgrad\\.kernels\\.Vector" + type + "Gemm::" + kernel + " \\(");
        // kernel4 and the dot kernels run only with 32 vector registers
        if (!(kernel.equals("kernel4") || kernel.startsWith("dot") || kernel.equals("reduce16") || kernel.startsWith("columns"))
            || VectorGemmSettings.VECTORS == 4) {
          assertTrue(c2.matcher(compilations).find(), "Vector" + type + "Gemm::" + kernel + " never compiled at tier 4:\n"
              + grep(compilations, "Gemm::"));
        }
      }
    }
  }

  private static String grep(String text, String needle) {
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n")) if (line.contains(needle)) sb.append(line).append('\n');
    return sb.toString();
  }
}
