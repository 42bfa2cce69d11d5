package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A column broadcast over rows ({@code x - x.max(-1, keepdim)}, a per-sample scale) and {@code where}
 * run as single kernel calls (ElementKernels.binaryColumn / select): they give exactly the values of
 * the elementwise definitions, computed here element by element in the same IEEE precision (one
 * rounding per op, so the expectation is exact), for every row length around the vector widths, in
 * both operand orders, fused or eager (CI runs this class both ways).
 */
class BroadcastKernelsTest {
  private static float[] values(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() - 0.45) * Math.pow(10, r.nextInt(5) - 2));
    return v;
  }

  @ParameterizedTest(name = "rows of {0}")
  @ValueSource(ints = {2, 3, 7, 8, 9, 15, 16, 17, 40})
  void aColumnCombinesWithEveryElementOfItsRow(int inner) {
    int rows = 1000;
    float[] m = values(rows * inner, inner), c = values(rows, 100 + inner);
    c[3] = 0f;   // a division by zero: inf and nan as IEEE says
    try (var scope = TensorScope.open()) {
      Tensor x = Tensor.of(m, rows, inner), col = Tensor.of(c, rows, 1);
      float[] sub = x.sub(col).toFloatArray(), rsub = col.sub(x).toFloatArray();
      float[] div = x.div(col).toFloatArray(), rdiv = col.div(x).toFloatArray();
      float[] add = x.add(col).toFloatArray(), mul = col.mul(x).toFloatArray();
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < inner; j++) {
          int i = r * inner + j;
          assertEquals(m[i] - c[r], sub[i], "sub at " + r + "," + j);
          assertEquals(c[r] - m[i], rsub[i], "reversed sub at " + r + "," + j);
          assertEquals(m[i] / c[r], div[i], "div at " + r + "," + j);
          assertEquals(c[r] / m[i], rdiv[i], "reversed div at " + r + "," + j);
          assertEquals(m[i] + c[r], add[i], "add at " + r + "," + j);
          assertEquals(c[r] * m[i], mul[i], "mul at " + r + "," + j);
        }
      }
    }
  }

  @Test
  void aColumnOfABatchOfMatricesIsOneValuePerRowOfEachMatrix() {
    int b = 3, n = 5, inner = 6;
    float[] m = values(b * n * inner, 1), c = values(b * n, 2);
    try (var scope = TensorScope.open()) {
      float[] got = Tensor.of(m, b, n, inner).sub(Tensor.of(c, b, n, 1)).toFloatArray();
      for (int i = 0; i < m.length; i++) assertEquals(m[i] - c[i / inner], got[i], "element " + i);
    }
  }

  @Test
  void theColumnsGradientIsTheSumOfItsRow() {
    try (var scope = TensorScope.open()) {
      Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 4, 3).requiresGrad_(true);
      Tensor col = Tensor.of(new float[] {1, 2, 4, 8}, 4, 1).requiresGrad_(true);
      x.mul(col).sum().backward();
      assertArrayEquals(new float[] {6, 15, 24, 33}, col.grad().toFloatArray());
      assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8}, x.grad().toFloatArray());
    }
  }

  @ParameterizedTest(name = "{0} elements")
  @ValueSource(ints = {1, 7, 8, 9, 33, 4099})
  void whereTakesEachElementFromTheOperandItsConditionPicks(int n) {
    float[] a = values(n, 5), b = values(n, 6), c = values(n, 7);
    try (var scope = TensorScope.open()) {
      Tensor cond = Tensor.of(c, n).gt(0);
      float[] got = Tensor.where(cond, Tensor.of(a, n), Tensor.of(b, n)).toFloatArray();
      for (int i = 0; i < n; i++) assertEquals(c[i] > 0 ? a[i] : b[i], got[i], "element " + i);
    }
  }

  @Test
  void whereBroadcastsAndPromotesItsOperands() {
    try (var scope = TensorScope.open()) {
      Tensor cond = Tensor.of(new boolean[] {true, false, true}, 3, 1);
      Tensor a = Tensor.of(new long[] {10, 20}, 1, 2);
      Tensor b = Tensor.of(new double[] {0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, 3, 2);
      Tensor w = Tensor.where(cond, a, b);
      assertEquals(DType.FLOAT64, w.dtype());
      assertArrayEquals(new long[] {3, 2}, w.shape());
      assertArrayEquals(new double[] {10, 20, 2.5, 3.5, 10, 20}, w.toDoubleArray());
      Tensor ints = Tensor.where(cond, Tensor.of(new long[] {1, 2}, 2), Tensor.of(new long[] {-1}, 1));
      assertArrayEquals(new long[] {1, 2, -1, -1, 1, 2}, ints.toLongArray());
    }
  }
}
