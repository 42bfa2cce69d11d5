package dev.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The bundled digits: what scikit-learn's load_digits() gives (counts and sums printed by
 * convert_digits.py from numpy's parse of digits.csv.gz), and, where python3-sklearn is installed,
 * every value against the original CSV read by {@link Csv}.
 */
class DigitsTest {
  static final Path SKLEARN_CSV = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");

  @Test
  void shapesDtypesAndStatisticsOfLoadDigits() {
    try (TensorDataset d = Digits.load()) {
      assertEquals(Digits.SIZE, d.size());
      Tensor images = d.tensor(0);
      Tensor labels = d.tensor(1);
      assertEquals(DType.FLOAT32, images.dtype());
      assertArrayEquals(new long[] {1797, 8, 8}, images.shape());
      assertEquals(DType.INT64, labels.dtype());
      assertArrayEquals(new long[] {1797}, labels.shape());
      long[] counts = new long[10];
      for (long l : labels.toLongArray()) counts[(int) l]++;
      // np.bincount(load_digits().target)
      assertArrayEquals(new long[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts);
      double sum = 0;
      for (float v : images.toFloatArray()) sum += v;
      assertEquals(561718, sum); // load_digits().data.sum()
      // load_digits().data[0] and target[:10]
      assertArrayEquals(new float[] {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0}, java.util.Arrays.copyOf(images.toFloatArray(), 16));
      assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, java.util.Arrays.copyOf(labels.toLongArray(), 10));
    }
  }

  @Test
  void equalsScikitLearnsCsvValueForValue() throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(SKLEARN_CSV), "python3-sklearn is not installed");
    Csv csv = Csv.read(SKLEARN_CSV, false);
    try (TensorDataset d = Digits.load();
        Tensor x = csv.columns(Csv.range(0, 64), DType.FLOAT32);
        Tensor y = csv.column(64, DType.INT64)) {
      assertArrayEquals(x.toFloatArray(), d.tensor(0).toFloatArray());
      assertArrayEquals(y.toLongArray(), d.tensor(1).toLongArray());
    }
  }
}
