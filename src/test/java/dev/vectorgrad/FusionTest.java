package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pending values (issue 10): elementwise chains stay uncomputed until something reads them, and
 * then give exactly the values, sums, graphs and errors of eager execution. The oracle is exact:
 * Java's float arithmetic per element (the same IEEE operations as the vector lanes), and the
 * eager sum of the computed tensor. The surefire executions run with
 * {@code vectorgrad.fusion.minElements=1} (everything fuses) and once with fusion off, where the
 * tests that look at pending state are skipped and the rest must hold all the same.
 */
class FusionTest {
  private static final Generator GEN = new Generator(7);

  private static boolean fusesEverything() {
    return Fusion.ENABLED && Fusion.MIN_ELEMENTS == 1;
  }

  private static float[] values(int n, float scale) {
    float[] v = new float[n];
    try (Tensor r = Tensor.rand(GEN, n)) {
      float[] u = r.toFloatArray();
      for (int i = 0; i < n; i++) v[i] = (u[i] - 0.5f) * scale;
    }
    return v;
  }

  /** {@code (a * b + c - d) * 0.5 / 3} per element in float, the order the ops run. */
  private static float[] chainOracle(float[] a, float[] b, float[] c, float[] d) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) out[i] = (a[i] * b[i] + c[i] - d[i]) * 0.5f / 3f;
    return out;
  }

  private static Tensor chain(Tensor a, Tensor b, Tensor c, Tensor d) {
    return a.mul(b).add(c).sub(d).mul(0.5).div(3);
  }

  @ParameterizedTest(name = "{0} elements")
  @ValueSource(ints = {1, 7, 4096, 4097, 70_001, 300_000})
  void aChainGivesTheValuesOfEagerFloatArithmetic(int n) {
    float[] a = values(n, 4), b = values(n, 3), c = values(n, 2), d = values(n, 5);
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a), tb = Tensor.of(b), tc = Tensor.of(c), td = Tensor.of(d);
      Tensor r = chain(ta, tb, tc, td);
      if (fusesEverything()) assertNotNull(r.pending, "the chain stays pending until read");
      assertArrayEquals(chainOracle(a, b, c, d), r.toFloatArray());
      assertNull(r.pending);
    }
  }

  @ParameterizedTest(name = "{0} elements")
  @ValueSource(ints = {3, 4096, 4100, 65_536, 300_001, 1_000_003})
  void sumAndMeanOfAPendingChainHaveTheBitsOfTheSumOfTheComputedTensor(int n) {
    float[] a = values(n, 4), b = values(n, 3), c = values(n, 2), d = values(n, 5);
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a), tb = Tensor.of(b), tc = Tensor.of(c), td = Tensor.of(d);
      Tensor fusedSum = chain(ta, tb, tc, td).sum();
      Tensor fusedMean = chain(ta, tb, tc, td).mean();
      Tensor computed = Tensor.of(chainOracle(a, b, c, d));   // never pending: the eager sum's input
      assertEquals(Float.floatToIntBits((float) computed.sum().item()), Float.floatToIntBits((float) fusedSum.item()));
      assertEquals(Float.floatToIntBits((float) computed.mean().item()), Float.floatToIntBits((float) fusedMean.item()));
    }
  }

  @ParameterizedTest(name = "{0} elements")
  @ValueSource(ints = {5, 4096, 100_003})
  void unaryOpsJoinTheChain(int n) {
    float[] a = values(n, 4), b = values(n, 3), c = values(n, 2), d = values(n, 5);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) expected[i] = Math.max(a[i] * b[i] + c[i], 0f) * d[i];
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a), tb = Tensor.of(b), tc = Tensor.of(c), td = Tensor.of(d);
      Tensor r = ta.mul(tb).add(tc).relu().mul(td);
      if (fusesEverything()) assertNotNull(r.pending);
      Tensor fusedSum = ta.mul(tb).add(tc).relu().mul(td).sum();
      assertArrayEquals(expected, r.toFloatArray());
      assertEquals(Float.floatToIntBits((float) Tensor.of(expected).sum().item()),
          Float.floatToIntBits((float) fusedSum.item()));
    }
  }

  @ParameterizedTest(name = "{0} elements")
  @ValueSource(ints = {9, 4096, 50_001})
  void unaryOpsWithParametersKeepThemInTheChain(int n) {
    float[] a = values(n, 6), b = values(n, 2);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      float x = Math.min(Math.max(a[i] - b[i], -0.75f), 1.25f);   // clamp(min, max)
      float y = x > 0 ? x : x * 0.125f;                           // leaky relu, slope 0.125
      expected[i] = (float) Math.sqrt(Math.abs(y)) * 3f;
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor r = dev.vectorgrad.nn.Functional.leakyRelu(Tensor.of(a).sub(Tensor.of(b)).clamp(-0.75, 1.25), 0.125)
          .abs().sqrt().mul(3);
      assertArrayEquals(expected, r.toFloatArray());
    }
  }

  /**
   * Rows of 64 and 48 (multiples of every vector length: the compiled loop, row by row; ranges
   * split over threads and sum blocks start inside a row of 48) and of 37 (the block interpreter).
   */
  @ParameterizedTest(name = "{0} x {1}")
  @org.junit.jupiter.params.provider.CsvSource({"3, 64", "1000, 64", "3, 48", "1500, 48", "5, 37", "3001, 37"})
  void aRowBroadcastOverTheRowsFuses(int rows, int inner) {
    int n = rows * inner;
    float[] x = values(n, 4), bias = values(inner, 2), scale = values(inner, 3);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) expected[i] = Math.max((x[i] + bias[i % inner]) * scale[i % inner], 0f) - x[i];
    try (TensorScope s = TensorScope.open()) {
      Tensor tx = Tensor.of(x, rows, inner);
      Tensor tb = Tensor.of(bias), ts = Tensor.of(scale, 1, inner);
      Tensor r = tx.add(tb).mul(ts).relu().sub(tx);
      if (fusesEverything()) assertNotNull(r.pending);
      Tensor fusedSum = tx.add(tb).mul(ts).relu().sub(tx).sum();
      assertArrayEquals(expected, r.toFloatArray());
      assertEquals(Float.floatToIntBits((float) Tensor.of(expected).sum().item()),
          Float.floatToIntBits((float) fusedSum.item()));
    }
  }

  /**
   * Two row operands of different lengths, (32) and (2, 32), over (rows, 2, 32): the compiled loop's
   * general form, whose columns wrap each at its own length.
   */
  @ParameterizedTest(name = "{0} rows")
  @org.junit.jupiter.params.provider.ValueSource(ints = {3, 700})
  void rowsOfDifferentLengthsFuseTogether(int rows) {
    int n = rows * 64;
    float[] x = values(n, 4), shortRow = values(32, 2), longRow = values(64, 3);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) expected[i] = (x[i] + shortRow[i % 32]) * longRow[i % 64];
    try (TensorScope s = TensorScope.open()) {
      Tensor r = Tensor.of(x, rows, 2, 32).add(Tensor.of(shortRow)).mul(Tensor.of(longRow, 2, 32));
      if (fusesEverything()) assertNotNull(r.pending);
      assertArrayEquals(expected, r.toFloatArray());
    }
  }

  /** Columns broadcast over rows, and slices whose rows are contiguous but not one another's neighbours. */
  @ParameterizedTest(name = "{0} x {1}")
  @org.junit.jupiter.params.provider.CsvSource({"3, 16", "40, 100", "1500, 40", "2, 5000"})
  void columnsAndSlicesAreReadRowByRow(int rows, int inner) {
    int n = rows * inner;
    float[] wide = values(rows * (inner + 7), 4), col = values(rows, 2), x = values(n, 3);
    float[] expected = new float[n];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < inner; c++) {
        float sliced = wide[r * (inner + 7) + 3 + c];   // wide[:, 3:3+inner]
        expected[r * inner + c] = (x[r * inner + c] - col[r]) * sliced + col[r];
      }
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor tw = Tensor.of(wide, rows, inner + 7).narrow(1, 3, inner);
      Tensor tc = Tensor.of(col, rows, 1), tx = Tensor.of(x, rows, inner);
      Tensor r = tx.sub(tc).mul(tw).add(tc);
      if (fusesEverything()) assertNotNull(r.pending, "a column and a slice fuse");
      Tensor fusedSum = tx.sub(tc).mul(tw).add(tc).sum();
      assertArrayEquals(expected, r.toFloatArray());
      assertEquals(Float.floatToIntBits((float) Tensor.of(expected).sum().item()),
          Float.floatToIntBits((float) fusedSum.item()));
    }
  }

  /** Rows shorter and longer than a sum block, and long enough to be split over the kernel threads. */
  @ParameterizedTest(name = "{0} x {1}")
  @org.junit.jupiter.params.provider.CsvSource({"3, 5000", "70, 64", "2, 70000", "9, 7"})
  void sumsOverTheLastDimReduceThePendingChainWithTheEagerBits(int rows, int inner) {
    int n = rows * inner;
    float[] a = values(n, 4), b = values(n, 3);
    float[] computed = new float[n];
    for (int i = 0; i < n; i++) computed[i] = a[i] * b[i] - a[i];
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a, rows, inner), tb = Tensor.of(b, rows, inner);
      Tensor pending = ta.mul(tb).sub(ta);
      if (fusesEverything()) assertNotNull(pending.pending);
      float[] sums = pending.sum(new int[] {-1}, false).toFloatArray();
      assertTrue(pending.pending != null || !fusesEverything(), "the sums did not compute the chain");
      float[] means = ta.mul(tb).sub(ta).mean(new int[] {1}, true).toFloatArray();
      Tensor eager = Tensor.of(computed, rows, inner);
      assertArrayEquals(eager.sum(new int[] {-1}, false).toFloatArray(), sums);
      assertArrayEquals(eager.mean(new int[] {1}, true).toFloatArray(), means);
    }
  }

  /**
   * Sums over leading dims (a bias gradient's {@code sum(0)}, a middle dim) reduce the pending chain
   * with the bits of the eager sum of the computed tensor: up to 256 rows added in float, more in
   * runs of 256 joined in double; rows shorter and longer than the evaluation blocks.
   */
  @ParameterizedTest(name = "{0} x {1} x {2}")
  @org.junit.jupiter.params.provider.CsvSource({"1, 7, 5", "1, 300, 64", "1, 1000, 3", "3, 257, 40", "1, 20, 9000",
      "2, 600, 5000"})
  void sumsOverLeadingDimsReduceThePendingChainWithTheEagerBits(int outer, int reduced, int inner) {
    int n = outer * reduced * inner;
    float[] a = values(n, 4), b = values(n, 3);
    float[] computed = new float[n];
    for (int i = 0; i < n; i++) computed[i] = Math.max(a[i] * b[i] - a[i], 0f);
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a, outer, reduced, inner), tb = Tensor.of(b, outer, reduced, inner);
      Tensor pending = ta.mul(tb).sub(ta).relu();
      float[] sums = pending.sum(new int[] {1}, false).toFloatArray();
      assertTrue(pending.pending != null || !fusesEverything(), "the sums did not compute the chain");
      float[] means = ta.mul(tb).sub(ta).relu().mean(new int[] {1}, true).toFloatArray();
      Tensor eager = Tensor.of(computed, outer, reduced, inner);
      assertArrayEquals(eager.sum(new int[] {1}, false).toFloatArray(), sums);
      assertArrayEquals(eager.mean(new int[] {1}, true).toFloatArray(), means);
    }
  }

  @Test
  void doublesAndBroadcastOneValuesFuseToo() {
    double[] a = {1.5, -2.25, 3e-3, 7, 11, -13};
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a, 2, 3);
      Tensor one = Tensor.of(new double[] {0.1}, 1, 1);
      Tensor r = ta.sub(one).mul(ta).add(2).div(one);
      if (fusesEverything()) assertNotNull(r.pending);
      double[] out = r.toDoubleArray();
      for (int i = 0; i < a.length; i++) assertEquals((((a[i] - 0.1) * a[i]) + 2) / 0.1, out[i], 0.0);
      assertArrayEquals(new long[] {2, 3}, r.shape());
    }
  }

  @Test
  void everyReaderComputesThePendingValue() {
    assumeTrue(fusesEverything());
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
      List<Runnable> readers = List.of(
          () -> pend(a).toString(),
          () -> pend(a).toFloatArray(),
          () -> pend(a).segment(),
          () -> pend(a).t(),                 // a view reads the storage directly
          () -> pend(a).view(3, 2),
          () -> pend(a).mm(Tensor.ones(3, 1)),
          () -> pend(a).cumsum(1),           // an op fusion does not take
          () -> pend(a).to(DType.FLOAT64),   // a conversion (sums reduce the chain pending)
          () -> pend(a).add_(1),             // an in-place op on the pending tensor itself
          () -> pend(a).select(0, 1).toFloatArray());
      for (Runnable read : readers) {
        read.run();
        assertNull(last.pending);
        assertArrayEquals(new float[] {3, 5, 7, 9, 11, 13}, firstValues(last));
      }
    }
  }

  private Tensor last;

  private Tensor pend(Tensor a) {
    last = a.mul(2).add(1);
    assertNotNull(last.pending);
    return last;
  }

  private static float[] firstValues(Tensor t) {
    // after an in-place add_(1) the values moved by one: read what the chain computed before it
    float[] v = t.toFloatArray();
    if (t.version() > 0) for (int i = 0; i < v.length; i++) v[i] -= 1;
    return v;
  }

  @Test
  void anInPlaceWriteToAnInputThroughAnyViewComputesThePendingResultsFirst() {
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
      Tensor r = a.mul(10);
      Tensor viaView = a.add(1);
      Tensor row = a.select(0, 1);   // a view of a's second row
      row.mul_(100.0);               // writes a's storage: r and viaView must keep the old values
      a.add_(1000.0);
      assertArrayEquals(new float[] {10, 20, 30, 40}, r.toFloatArray());
      assertArrayEquals(new float[] {2, 3, 4, 5}, viaView.toFloatArray());
      assertArrayEquals(new float[] {1001, 1002, 1300, 1400}, a.toFloatArray());
    }
  }

  @Test
  void memoryWrittenOutsideTheOpsIsNeverReadLater() {
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3});
      java.lang.foreign.MemorySegment raw = a.segment();   // the caller may write it at any time
      Tensor r = a.mul(2);
      assertNull(r.pending, "an exported tensor's readers compute at once");
      raw.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, 100f);
      assertArrayEquals(new float[] {2, 4, 6}, r.toFloatArray());
      float[] data = {1, 2, 3};
      try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
        java.lang.foreign.MemorySegment mem = arena.allocate(12);
        java.lang.foreign.MemorySegment.copy(data, 0, mem, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, 3);
        Tensor wrapped = Tensor.wrap(mem, DType.FLOAT32, 3);
        Tensor w = wrapped.add(1);
        assertNull(w.pending, "wrapped foreign memory is written outside the ops too");
        assertArrayEquals(new float[] {2, 3, 4}, w.toFloatArray());
      }
    }
  }

  @Test
  void closingAnInputComputesItsPendingReadersWhichStayReadable() {
    Tensor a = Tensor.of(new float[] {1, 2, 3});
    Tensor r = a.add(a).mul(3).keep();
    try (Tensor ignored = r) {
      a.close();
      assertNull(r.pending);
      assertArrayEquals(new float[] {6, 12, 18}, r.toFloatArray());
    }
  }

  @Test
  void pendingResultsAbandonedInAScopeAreNeverComputedAndLeakNothing() {
    Tensor a = Tensor.of(values(10_000, 1));
    List<Tensor> results = new ArrayList<>();
    // (global live bytes are no measure here: other tests' garbage is freed by the Cleaner meanwhile)
    try (TensorScope s = TensorScope.open()) {
      for (int i = 0; i < 50; i++) results.add(a.mul(2).add(a).sub(1));   // never read
      if (fusesEverything()) assertNotNull(a.storage.pendingReaders());
    }
    for (Tensor r : results) {
      assertTrue(r.isClosed(), "the scope released every result");
      assertNull(r.pending, "and forgot its expression without computing it");
    }
    assertNull(a.storage.pendingReaders(), "closing the pending results forgets them");
    a.close();
  }


  @Test
  void aPendingResultDroppedWithoutCloseIsCollectedWhileItsInputLivesOn() throws InterruptedException {
    assumeTrue(fusesEverything());
    Tensor a = Tensor.of(values(50_000, 1));
    long released = dev.vectorgrad.memory.Storage.releasedByGc();
    for (int i = 0; i < 10; i++) a.mul(2).add(1);   // outside any scope, never read, never closed
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (dev.vectorgrad.memory.Storage.releasedByGc() < released + 10 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(10);
    }
    assertTrue(dev.vectorgrad.memory.Storage.releasedByGc() >= released + 10,
        "the Cleaner released the dropped pending results");
    a.add_(1.0);   // a write to the input: the collected readers are skipped
    assertNull(a.storage.pendingReaders());
    a.close();
  }

  @Test
  void threadsReadingOnePendingTensorAtOnceAllSeeTheSameValues() throws Exception {
    int n = 200_000;
    float[] a = values(n, 3), b = values(n, 2);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) expected[i] = a[i] * b[i] + a[i];
    Tensor ta = Tensor.of(a), tb = Tensor.of(b);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 20; round++) {
        Tensor r = ta.mul(tb).add(ta);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<float[]>> reads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          reads.add(pool.submit(() -> {
            start.await();
            return r.toFloatArray();
          }));
        }
        start.countDown();
        for (Future<float[]> f : reads) assertArrayEquals(expected, f.get());
        r.close();
      }
    } finally {
      pool.shutdownNow();
      ta.close();
      tb.close();
    }
  }

  @Test
  void theGraphAndGradientsAreThoseOfEagerExecution() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad_(true);
      Tensor w = Tensor.of(new float[] {0.5f, -1, 2, 0.25f}, 2, 2).requiresGrad_(true);
      Tensor y = x.mul(w).add(x).sub(3).div(2);
      if (fusesEverything()) assertNotNull(y.pending);
      assertEquals("DivBackward0", y.gradFn().name());
      Tensor loss = y.mean();
      assertEquals("MeanBackward0", loss.gradFn().name());
      loss.backward();
      // d/dx = (w + 1) / 2 / 4, d/dw = x / 2 / 4
      assertArrayEquals(new float[] {0.1875f, 0f, 0.375f, 0.15625f}, x.grad().toFloatArray());
      assertArrayEquals(new float[] {0.125f, 0.25f, 0.375f, 0.5f}, w.grad().toFloatArray());
    }
  }

  @Test
  void theFoundingProgramGivesPyTorchsValuesWithItsChainPending() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensor.ones(300, 300);
      Tensor temp = Tensor.zeros(300, 300).requiresGrad_(true);
      Tensor y = x.add(temp).add(2).mean();
      y.backward();
      assertEquals(3.0, y.item());
      float[] g = temp.grad().toFloatArray();
      for (float v : g) assertEquals(1f / 90_000, v);
    }
  }

  @Test
  void aSavedInputModifiedInPlaceFailsBackwardAsInEagerMode() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensor.of(new float[] {1, 2, 3}).requiresGrad_(true);
      Tensor a = x.mul(2);            // not a leaf: may be modified in place
      Tensor y = a.mul(a).sum();      // MulBackward0 saves a
      a.add_(1.0);
      IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
      assertTrue(e.getMessage().startsWith("one of the variables needed for gradient computation has been "
          + "modified by an inplace operation"), e.getMessage());
    }
  }

  /**
   * Transposed, permuted, stepped and expanded operands, and rows shorter than 16, are read per
   * block into scratch: the chain stays one pass and pending, with the values and sum of eager
   * float arithmetic. Shapes cover tile edges (64), rows longer than a block, and one row.
   */
  @ParameterizedTest(name = "{0} x {1}")
  @org.junit.jupiter.params.provider.CsvSource({"3, 5", "64, 64", "100, 37", "1000, 300", "1, 5000", "5000, 3",
      "37, 4100"})
  void stridedOperandsAreReadPerBlockWithTheEagerBits(int rows, int cols) {
    int n = rows * cols;
    float[] x = values(n, 4), y = values(n, 3), wide = values(n * 3, 2), col = values(rows, 5), bias = values(cols, 1);
    float[] expected = new float[n];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float yt = y[c * rows + r];                   // y stored (cols, rows), read transposed
        float stepped = wide[r * 3 * cols + 3 * c + 1];   // wide[:, 1::3]
        float v = Math.max((x[r * cols + c] + yt) * stepped - col[r], 0f);
        expected[r * cols + c] = (float) Math.sqrt(Math.abs(v - bias[c])) * yt;
      }
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor tx = Tensor.of(x, rows, cols), ty = Tensor.of(y, cols, rows).t();
      Tensor tw = Tensor.of(wide, rows, 3 * cols).slice(1, 1, 3L * cols, 3);
      Tensor tc = Tensor.of(col, rows, 1).expand(rows, cols), tb = Tensor.of(bias);
      Tensor r = tx.add(ty).mul(tw).sub(tc).relu().sub(tb).abs().sqrt().mul(ty);
      if (fusesEverything()) assertNotNull(r.pending, "every operand is read per block");
      Tensor fusedSum = tx.add(ty).mul(tw).sub(tc).relu().sub(tb).abs().sqrt().mul(ty).sum();
      assertArrayEquals(expected, r.toFloatArray());
      assertEquals(Float.floatToIntBits((float) Tensor.of(expected).sum().item()),
          Float.floatToIntBits((float) fusedSum.item()));
    }
  }

  /** A permuted 3-d operand (transposed within each batch) and a unary op of a strided view. */
  @Test
  void permutedBatchesAndUnaryOpsOfViewsFuse() {
    int b = 3, m = 70, k = 90;
    float[] x = values(b * m * k, 4), y = values(b * k * m, 3);
    float[] expected = new float[b * m * k];
    for (int i = 0; i < b; i++) {
      for (int r = 0; r < m; r++) {
        for (int c = 0; c < k; c++) {
          float yt = y[(i * k + c) * m + r];   // y (b, k, m) permuted to (b, m, k)
          expected[(i * m + r) * k + c] = Math.max(yt, 0f) * x[(i * m + r) * k + c];
        }
      }
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor ty = Tensor.of(y, b, k, m).permute(0, 2, 1);
      Tensor r = ty.relu().mul(Tensor.of(x, b, m, k));
      if (fusesEverything()) assertNotNull(r.pending);
      assertArrayEquals(expected, r.toFloatArray());
    }
  }

  /**
   * Mixed dtypes follow PyTorch's promotion (the eager ops' result types) and convert per block as
   * the casts convert: float32 with float64, int64 and bool with floats and Python floats, integer
   * true division, a unary float op of an int64 tensor.
   */
  @Test
  void mixedDtypesConvertPerBlockAsTheCastsDo() {
    int n = 5000;
    float[] f = values(n, 8);
    double[] d = new double[n];
    long[] ints = new long[n];
    boolean[] mask = new boolean[n];
    for (int i = 0; i < n; i++) {
      d[i] = f[i] * 1.000001 + 1e-9 * i;
      ints[i] = (i * 7919L) % 2001 - 1000 + (i % 3 == 0 ? (1L << 40) + i : 0);   // some beyond float's 24 bits
      mask[i] = i % 5 < 2;
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor tf = Tensor.of(f, 50, 100), td = Tensor.of(d, 50, 100), ti = Tensor.of(ints, 50, 100);
      Tensor tm = Tensor.of(mask, 50, 100);
      Tensor wide = tf.mul(td).add(ti);                  // float64
      Tensor narrow = ti.mul(tf).add(tm).div(2.5);     // float32
      Tensor quotient = ti.div(3);                       // int64 / int: float32
      if (fusesEverything()) {
        assertNotNull(wide.pending);
        assertNotNull(narrow.pending);
        assertNotNull(quotient.pending);
      }
      Tensor root = ti.abs().sqrt();   // int64 abs stays int64 (reading ti computes its pending readers); sqrt: float32
      if (fusesEverything()) assertNotNull(root.pending);
      assertEquals(DType.FLOAT64, wide.dtype());
      assertEquals(DType.FLOAT32, narrow.dtype());
      assertEquals(DType.FLOAT32, quotient.dtype());
      double[] w = wide.toDoubleArray();
      float[] nr = narrow.toFloatArray(), q = quotient.toFloatArray(), rt = root.toFloatArray();
      for (int i = 0; i < n; i++) {
        assertEquals((double) f[i] * d[i] + (double) ints[i], w[i], 0.0, "wide " + i);
        assertEquals(((float) ints[i] * f[i] + (mask[i] ? 1f : 0f)) / 2.5f, nr[i], 0f, "narrow " + i);
        assertEquals((float) ints[i] / 3f, q[i], 0f, "quotient " + i);
        assertEquals((float) Math.sqrt((float) Math.abs(ints[i])), rt[i], 0f, "root " + i);
      }
    }
  }

  /**
   * neg, pow with the exponents PyTorch runs as unary kernels (2, 0.5, -1), maximum and minimum
   * join the chain with the eager values, sum and graph names.
   */
  @ParameterizedTest(name = "{0} elements")
  @ValueSource(ints = {5, 4096, 70_001})
  void negPowAndExtremaJoinTheChain(int n) {
    float[] a = values(n, 4), b = values(n, 3);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      float x = -(a[i] * b[i]);
      float y = x < b[i] ? b[i] : x;                          // maximum(x, b)
      float y2 = y * y;                                        // pow 2
      float z = (float) Math.sqrt(Math.abs(a[i]));            // pow 0.5
      expected[i] = 1f / (z < y2 ? z : y2);                    // minimum(y2, z), pow -1
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a).requiresGrad_(true), tb = Tensor.of(b);
      Tensor r = ta.mul(tb).neg().maximum(tb).pow(2).minimum(ta.abs().pow(0.5)).pow(-1);
      if (fusesEverything()) assertNotNull(r.pending);
      assertEquals("PowBackward0", r.gradFn().name());
      assertEquals("MinimumBackward0", r.gradFn().nextFunctions().get(0).name());
      Tensor neg = ta.mul(tb).neg();
      assertEquals("NegBackward0", neg.gradFn().name());
      Tensor fusedSum = ta.mul(tb).neg().maximum(tb).pow(2).minimum(ta.abs().pow(0.5)).pow(-1).sum();
      assertArrayEquals(expected, r.toFloatArray());
      assertEquals(Float.floatToIntBits((float) Tensor.of(expected).sum().item()),
          Float.floatToIntBits((float) fusedSum.item()));
    }
  }

  /**
   * {@code where} joins the chain: a pending branch is inlined, the bool condition (a comparison,
   * computed: it is not floating) and a broadcast branch are read per block; the chosen elements'
   * bits, the sum and the graph are the eager ones.
   */
  @ParameterizedTest(name = "{0} x {1}")
  @org.junit.jupiter.params.provider.CsvSource({"1, 5", "64, 64", "300, 333"})
  void whereSelectsBetweenPendingBranches(int rows, int cols) {
    int n = rows * cols;
    float[] a = values(n, 4), b = values(n, 3), row = values(cols, 2);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) expected[i] = (a[i] > 0 ? a[i] * b[i] : row[i % cols]) - b[i];
    try (TensorScope s = TensorScope.open()) {
      Tensor ta = Tensor.of(a, rows, cols).requiresGrad_(true), tb = Tensor.of(b, rows, cols);
      Tensor tr = Tensor.of(row);
      Tensor r = Tensor.where(ta.gt(0), ta.mul(tb), tr).sub(tb);
      if (fusesEverything()) assertNotNull(r.pending);
      assertEquals("WhereBackward0", r.gradFn().nextFunctions().get(0).name());
      Tensor fusedSum = Tensor.where(ta.gt(0), ta.mul(tb), tr).sub(tb).sum();
      assertArrayEquals(expected, r.toFloatArray());
      assertEquals(Float.floatToIntBits((float) Tensor.of(expected).sum().item()),
          Float.floatToIntBits((float) fusedSum.item()));
    }
  }

  /**
   * An op split over the kernel threads that reads a tensor with pending readers computes them in
   * its parts (Tensor.seg() inside the parallel body): their evaluation runs on the part's thread
   * instead of dispatching a nested job, which replaced the running job and waited forever.
   */
  @Test
  void aSplitOpReadingATensorWithPendingReadersComputesThemWithoutDeadlock() {
    int n = 200_000;
    float[] x = values(n, 4);
    try (TensorScope s = TensorScope.open()) {
      Tensor tx = Tensor.of(x);
      Tensor doubled = tx.mul(2).add(1);   // a pending reader of tx's storage (when fusing)
      boolean[] positive = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120),
          () -> tx.gt(0).toBooleanArray());   // the comparison kernel reads tx per part
      float[] d = doubled.toFloatArray();
      for (int i = 0; i < n; i++) {
        assertEquals(x[i] > 0, positive[i]);
        assertEquals(x[i] * 2f + 1f, d[i], 0f);
      }
    }
  }

  /** A pending operand of another shape or dtype is computed, then read as any computed operand. */
  @Test
  void aBroadcastOrConvertedPendingOperandIsComputedAndTheChainGoesOn() {
    assumeTrue(fusesEverything());
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
      Tensor column = Tensor.of(new float[] {10, 20}, 2, 1).mul(2);   // pending, (2, 1)
      Tensor wide = Tensor.of(new double[] {0.5, 0.25, 0.125, 1, 2, 4}, 2, 3);
      Tensor r = a.add(column).mul(wide);
      assertNull(column.pending, "computed to be broadcast");
      assertNotNull(r.pending);
      assertArrayEquals(new double[] {10.5, 5.5, 2.875, 44, 90, 184}, r.toDoubleArray(), 0.0);
    }
  }

  @Test
  void memoryWrittenOutsideTheOpsIsNeverAGatheredOperand() {
    assumeTrue(fusesEverything());
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
      Tensor exported = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
      exported.segment();
      Tensor r = a.add(exported.t());
      assertNull(r.pending, "its owner may write it without an op");
      assertArrayEquals(new float[] {2, 5, 8, 6, 9, 12}, r.toFloatArray());
    }
  }

  @Test
  void longChainsComputeALinkAndGoOn() {
    assumeTrue(fusesEverything());
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3});
      Tensor r = a;
      float[] expected = {1, 2, 3};
      for (int i = 0; i < 3 * Fusion.MAX_OPS; i++) {
        r = r.add(1).mul(1);
        for (int j = 0; j < 3; j++) expected[j] = (expected[j] + 1) * 1;
      }
      assertNotNull(r.pending);
      assertArrayEquals(expected, r.toFloatArray());
    }
  }
}
