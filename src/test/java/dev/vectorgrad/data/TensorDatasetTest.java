package dev.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** TensorDataset as torch.utils.data.TensorDataset, and random_split's length rule. */
class TensorDatasetTest {
  /** x[i] = [3i, 3i+1, 3i+2], y[i] = 10 i. */
  static TensorDataset rows(int n) {
    float[] x = new float[n * 3];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) x[3 * i + j] = 3 * i + j;
      y[i] = 10L * i;
    }
    return new TensorDataset(Tensor.of(x, n, 3), Tensor.of(y));
  }

  @Test
  void getReturnsRowViewsOfEveryTensor() {
    try (TensorDataset ds = rows(5)) {
      assertEquals(5, ds.size());
      List<Tensor> s = ds.get(3);
      assertEquals(2, s.size());
      assertArrayEquals(new long[] {3}, s.get(0).shape());
      assertArrayEquals(new float[] {9, 10, 11}, s.get(0).toFloatArray());
      assertArrayEquals(new long[0], s.get(1).shape());
      assertEquals(30L, s.get(1).toLongArray()[0]);
      assertEquals(DType.INT64, s.get(1).dtype());
      assertThrows(IndexOutOfBoundsException.class, () -> ds.get(5));
      assertThrows(IndexOutOfBoundsException.class, () -> ds.get(-1));
      assertEquals("TensorDataset(size=5, tensors=[[5, 3] float32, [5] int64])", ds.toString());
    }
  }

  @Test
  void tensorsMustShareDimZero() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new TensorDataset(Tensor.zeros(4, 2), Tensor.zeros(3)));
    assertEquals("Size mismatch between tensors", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TensorDataset());
    assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.scalar(1)));
  }

  @Test
  void getBatchIsIndexSelectOfEachTensor() {
    try (TensorDataset ds = rows(6)) {
      List<Tensor> b = ds.getBatch(new long[] {4, 0, 4, 2});
      assertArrayEquals(new long[] {4, 3}, b.get(0).shape());
      assertArrayEquals(new float[] {12, 13, 14, 0, 1, 2, 12, 13, 14, 6, 7, 8}, b.get(0).toFloatArray());
      assertArrayEquals(new long[] {40, 0, 40, 20}, b.get(1).toLongArray());
      assertThrows(IndexOutOfBoundsException.class, () -> ds.getBatch(new long[] {6}));
      b.forEach(Tensor::close);
    }
  }

  /** The default getBatch of a Dataset (stack of get()) gives what TensorDataset's indexSelect gives. */
  @Test
  void defaultCollateStacksSamples() {
    try (TensorDataset ds = rows(6)) {
      Dataset plain = new Dataset() {
        @Override
        public int size() {
          return ds.size();
        }

        @Override
        public List<Tensor> get(int index) {
          return ds.get(index);
        }
      };
      long[] idx = {5, 1, 3};
      List<Tensor> a = plain.getBatch(idx);
      List<Tensor> b = ds.getBatch(idx);
      assertArrayEquals(b.get(0).shape(), a.get(0).shape());
      assertArrayEquals(b.get(0).toFloatArray(), a.get(0).toFloatArray());
      assertArrayEquals(b.get(1).toLongArray(), a.get(1).toLongArray());
      assertTrue(ds.tensor(0).toFloatArray().length == 18, "the data set's own tensors stay open");
    }
  }

  /** PyTorch 1.13's random_split(range(1797), [0.8, 0.2]): floor(1437.6)=1437, floor(359.4)=359, remainder 1 to the first. */
  @Test
  void randomSplitFractionsFollowPyTorchsLengthRule() {
    float[] x = new float[1797];
    for (int i = 0; i < x.length; i++) x[i] = i;
    try (TensorDataset ds = new TensorDataset(Tensor.of(x))) {
      List<TensorDataset> parts = ds.randomSplit(new Generator(0), 0.8, 0.2);
      assertEquals(1438, parts.get(0).size());
      assertEquals(359, parts.get(1).size());
      Set<Float> seen = new HashSet<>();
      for (TensorDataset p : parts) {
        for (float v : p.tensor(0).toFloatArray()) assertTrue(seen.add(v), "sample " + v + " in two parts");
      }
      assertEquals(1797, seen.size());
      // [0.3, 0.3, 0.4] of 10: 3, 3, 4; of 11: 3+1, 3, 4 (remainder 1 to part 0)
      try (TensorDataset ten = new TensorDataset(Tensor.zeros(11))) {
        int[] sizes = ten.randomSplit(new Generator(1), 0.3, 0.3, 0.4).stream().mapToInt(TensorDataset::size).toArray();
        assertArrayEquals(new int[] {4, 3, 4}, sizes);
      }
      parts.forEach(TensorDataset::close);
    }
  }

  @Test
  void randomSplitIsSeededAndKeepsRowsTogether() {
    try (TensorDataset ds = rows(20)) {
      List<TensorDataset> a = ds.randomSplit(new Generator(7), 15, 5);
      List<TensorDataset> b = ds.randomSplit(new Generator(7), 15, 5);
      List<TensorDataset> c = ds.randomSplit(new Generator(8), 15, 5);
      assertArrayEquals(a.get(1).tensor(1).toLongArray(), b.get(1).tensor(1).toLongArray());
      assertNotEquals(Arrays.toString(a.get(0).tensor(1).toLongArray()), Arrays.toString(c.get(0).tensor(1).toLongArray()));
      for (TensorDataset part : a) {
        float[] x = part.tensor(0).toFloatArray();
        long[] y = part.tensor(1).toLongArray();
        for (int i = 0; i < y.length; i++) {
          long row = y[i] / 10;
          assertArrayEquals(new float[] {3 * row, 3 * row + 1, 3 * row + 2}, Arrays.copyOfRange(x, 3 * i, 3 * i + 3));
        }
      }
      var e = assertThrows(IllegalArgumentException.class, () -> ds.randomSplit(new Generator(0), 10, 5));
      assertEquals("Sum of input lengths does not equal the length of the input dataset!", e.getMessage());
      var f = assertThrows(IllegalArgumentException.class, () -> ds.randomSplit(new Generator(0), 1.5, -0.5));
      assertEquals("Fraction at index 0 is not between 0 and 1", f.getMessage());
      List<TensorDataset> all = new ArrayList<>(a);
      all.addAll(b);
      all.addAll(c);
      all.forEach(TensorDataset::close);
    }
  }
}
