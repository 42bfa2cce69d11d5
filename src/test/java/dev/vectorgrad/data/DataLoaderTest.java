package dev.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.Generator;
import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** DataLoader as torch.utils.data.DataLoader (batch_size, shuffle with a generator, drop_last). */
class DataLoaderTest {
  private static List<long[]> epoch(DataLoader loader) {
    List<long[]> out = new ArrayList<>();
    for (Batch b : loader) {
      try (b) {
        out.add(b.get(1).toLongArray());
      }
    }
    return out;
  }

  @Test
  void inOrderBatchesWithAndWithoutDropLast() {
    try (TensorDataset ds = TensorDatasetTest.rows(10)) {
      DataLoader keep = new DataLoader(ds, 4);
      assertEquals(3, keep.size()); // len(DataLoader(range(10), batch_size=4)) == 3
      List<long[]> e = epoch(keep);
      assertEquals(3, e.size());
      assertArrayEquals(new long[] {0, 10, 20, 30}, e.get(0));
      assertArrayEquals(new long[] {40, 50, 60, 70}, e.get(1));
      assertArrayEquals(new long[] {80, 90}, e.get(2));

      DataLoader drop = new DataLoader(ds, 4, false, null, true);
      assertEquals(2, drop.size()); // drop_last=True: 10 // 4
      assertEquals(2, epoch(drop).size());
      assertEquals(1, new DataLoader(ds, 10, false, null, true).size());
      assertEquals(0, new DataLoader(ds, 11, false, null, true).size());
      assertEquals(1, new DataLoader(ds, 11).size());
      assertFalse(new DataLoader(ds, 11, false, null, true).iterator().hasNext());
    }
  }

  @Test
  void batchesHoldTheRowsOfTheirIndices() {
    try (TensorDataset ds = TensorDatasetTest.rows(9)) {
      for (Batch b : new DataLoader(ds, 4, true, new Generator(3), false)) {
        try (b) {
          long[] idx = b.indices();
          assertEquals(idx.length, b.batchSize());
          assertEquals(2, b.size());
          assertArrayEquals(new long[] {idx.length, 3}, b.get(0).shape());
          float[] x = b.get(0).toFloatArray();
          long[] y = b.get(1).toLongArray();
          for (int i = 0; i < idx.length; i++) {
            assertEquals(10 * idx[i], y[i]);
            assertEquals(3f * idx[i], x[3 * i]);
          }
        }
      }
    }
  }

  @Test
  void shuffleVisitsEverySampleOncePerEpochAndIsSeeded() {
    try (TensorDataset ds = TensorDatasetTest.rows(50)) {
      DataLoader a = new DataLoader(ds, 8, true, new Generator(42), false);
      DataLoader b = new DataLoader(ds, 8, true, new Generator(42), false);
      String firstA = null;
      for (int epoch = 0; epoch < 3; epoch++) {
        List<long[]> ea = epoch(a);
        List<long[]> eb = epoch(b);
        assertEquals(7, ea.size());
        long[] all = ea.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] expected = new long[50];
        Arrays.setAll(expected, i -> 10L * i);
        assertArrayEquals(expected, all, "every sample exactly once per epoch");
        String sa = ea.stream().map(Arrays::toString).toList().toString();
        assertEquals(sa, eb.stream().map(Arrays::toString).toList().toString(), "same seed, same order");
        if (firstA == null) {
          firstA = sa;
          assertNotEquals(Arrays.toString(expected), Arrays.toString(ea.stream().flatMapToLong(Arrays::stream).toArray()),
              "shuffled, not in order");
        } else {
          assertNotEquals(firstA, sa, "a new permutation each epoch");
        }
      }
      // drop_last with shuffling drops the tail of the permutation: 6 full batches of 8
      DataLoader drop = new DataLoader(ds, 8, true, new Generator(1), true);
      List<long[]> e = epoch(drop);
      assertEquals(6, e.size());
      for (long[] batch : e) assertEquals(8, batch.length);
    }
  }

  @Test
  void batchesBelongToTheCallersScopeAndBatchCloseReleasesThem() {
    try (TensorDataset ds = TensorDatasetTest.rows(12)) {
      DataLoader loader = new DataLoader(ds, 5, true, new Generator(0), false);
      Batch kept;
      try (var scope = TensorScope.open()) {
        Iterator<Batch> it = loader.iterator();
        kept = it.next();
        assertTrue(scope.ownedTensors() >= 2);
      }
      assertTrue(kept.get(0).isClosed(), "closed with the scope that was open when next() ran");
      assertTrue(kept.get(1).isClosed());
      Batch b = loader.iterator().next();
      assertFalse(b.get(0).isClosed());
      b.close();
      assertTrue(b.get(0).isClosed() && b.get(1).isClosed());
      b.close(); // idempotent
      assertFalse(ds.tensor(0).isClosed(), "the data set's tensors are untouched");
      Iterator<Batch> it = new DataLoader(ds, 12).iterator();
      it.next().close();
      assertThrows(NoSuchElementException.class, it::next);
    }
  }

  @Test
  void manyEpochsKeepLiveBytesFlat() {
    try (TensorDataset ds = TensorDatasetTest.rows(1000)) {
      DataLoader loader = new DataLoader(ds, 32, true, new Generator(5), false);
      for (Batch b : loader) b.close(); // warm the allocator's caches
      long before = MemoryStats.liveBytes();
      long allocationsBefore = MemoryStats.allocations();
      for (int epoch = 0; epoch < 20; epoch++) {
        for (Batch batch : loader) {
          try (batch; var step = TensorScope.open()) {
            batch.get(0).mul(2.0).sum();
          }
        }
      }
      assertTrue(MemoryStats.allocations() > allocationsBefore);
      assertTrue(MemoryStats.liveBytes() - before < 64 * 1024,
          "live bytes grew by " + (MemoryStats.liveBytes() - before));
    }
  }

  @Test
  void badArguments() {
    try (TensorDataset ds = TensorDatasetTest.rows(3)) {
      var e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(ds, 0));
      assertEquals("batch_size should be a positive integer value, but got batch_size=0", e.getMessage());
      assertThrows(NullPointerException.class, () -> new DataLoader(null, 2));
      assertEquals("DataLoader(batch_size=2, shuffle=false, drop_last=false, batches=2)", new DataLoader(ds, 2).toString());
    }
  }
}
