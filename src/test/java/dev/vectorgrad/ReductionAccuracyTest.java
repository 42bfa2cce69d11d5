package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.kernels.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Float32 reductions stay accurate at sizes where one running float would not: the blocked vector
 * sum keeps the mean of 16M values within 1e-6 relative of the float64 result (a naive float loop
 * drifts by about 1e-3 here).
 */
class ReductionAccuracyTest {
  private static final int N = 4096 * 4096;

  @Test
  void float32MeanOf16MValuesIsWithinOnePartPerMillionOfFloat64() {
    float[] values = new float[N];
    SplittableRandom random = new SplittableRandom(42);
    double exact = 0;
    for (int i = 0; i < N; i++) {
      values[i] = (float) random.nextDouble(0.0, 1.0);
      exact += values[i];
    }
    exact /= N;
    try (var scope = TensorScope.open()) {
      Tensor f32 = Tensor.of(values, 4096, 4096);
      double mean = f32.mean().item();
      assertEquals(exact, mean, 1e-6 * exact, "float32 mean");
      double mean64 = f32.to(DType.FLOAT64).mean().item();
      assertEquals(exact, mean64, 1e-12 * exact, "float64 mean");
    }
  }

  @Test
  void float32SumOverADimOfManyRowsStaysAccurate() {
    int rows = 1 << 20;
    try (var scope = TensorScope.open()) {
      Tensor t = Tensor.full(0.1, rows, 4);
      float[] sums = t.sum(new int[] {0}, false).toFloatArray();
      double expected = rows * (double) 0.1f;
      for (float s : sums) assertEquals(expected, s, 1e-3 * expected, "column sums of a million rows");
    }
  }

  @Test
  void singleAndMultiThreadedMeansAgree() {
    int saved = Parallel.threads();
    try (var scope = TensorScope.open()) {
      Tensor t = Tensor.full(0.3, 3000, 1000);
      Parallel.setThreads(1);
      double one = t.mean().item();
      Parallel.setThreads(2);
      double two = t.mean().item();
      assertEquals(one, two, Math.ulp((float) one) * 2);
      assertTrue(Math.abs(one - 0.3) < 1e-6);
    } finally {
      Parallel.setThreads(saved);
    }
  }
}
