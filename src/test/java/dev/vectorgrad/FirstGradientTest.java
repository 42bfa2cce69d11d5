package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vectorgrad.testsupport.ScopePerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A leaf's first gradient: as PyTorch's AccumulateGrad, the accumulator may take over a gradient
 * that the backward pass made and nothing else holds instead of copying it. Whatever it takes, each
 * leaf's {@code grad} is its own memory: changing one in place, or accumulating a second backward
 * into it, never changes another leaf's gradient, the caller's gradOutput or a tensor a hook returns.
 */
@ExtendWith(ScopePerTest.class)
class FirstGradientTest {
  private static Tensor leaf(float... values) {
    return Tensor.of(values, values.length).requiresGrad_(true);
  }

  @Test
  void theFirstGradientIsTakenNotCopied() {
    Tensor x = leaf(1, 2, 3, 4), c = Tensor.of(new float[] {5, 6, 7, 8}, 4);
    long first = allocationsOfBackward(x, c);
    long accumulating = allocationsOfBackward(x, c);   // adds in place into the existing grad
    assertEquals(accumulating, first, "a first gradient costs no allocation beyond the pass's own");
    assertArrayEquals(new float[] {10, 12, 14, 16}, x.grad().toFloatArray());
  }

  private static long allocationsOfBackward(Tensor x, Tensor c) {
    try (var scope = TensorScope.open()) {
      Tensor loss = x.mul(c).sum();
      long before = MemoryStats.allocations();
      loss.backward();
      return MemoryStats.allocations() - before;
    }
  }

  @Test
  void aWeightUsedTransposedTakesItsGradientToo() {
    // x @ w.t(), as Linear: MmBackward0 makes w.t()'s gradient as a view of a product it made, and
    // TBackward0 a view of that: every holder of the product's memory belongs to the pass
    Tensor w = Tensor.randn(5, 3).requiresGrad_(true), x = Tensor.randn(4, 3);
    long first = allocationsOf(() -> x.mm(w.t()).sum().backward());
    long accumulating = allocationsOf(() -> x.mm(w.t()).sum().backward());
    assertEquals(accumulating, first, "a first gradient costs no allocation beyond the pass's own");
    Tensor once = x.sum(new int[] {0}, true).expand(5, 3);
    assertArrayEquals(once.mul(2.0).toFloatArray(), w.grad().toFloatArray(), 1e-5f);
    assertArrayEquals(new long[] {3, 1}, w.grad().stride());
  }

  private static long allocationsOf(Runnable backward) {
    try (var scope = TensorScope.open()) {
      long before = MemoryStats.allocations();
      backward.run();
      return MemoryStats.allocations() - before;
    }
  }

  @Test
  void oneGradientDeliveredToTwoLeavesGivesEachItsOwnMemory() {
    // MulBackward0 makes the gradient of the sum; AddBackward0 hands that same tensor to both leaves
    Tensor x = leaf(1, 2, 3), y = leaf(4, 5, 6);
    Tensor g = Tensor.of(new float[] {0.5f, 1.5f, 2.5f}, 3);
    x.add(y).mul(g).sum().backward();
    x.grad().add_(100.0);
    assertArrayEquals(new float[] {100.5f, 101.5f, 102.5f}, x.grad().toFloatArray());
    assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, y.grad().toFloatArray());
    // the caller's gradOutput handed to both leaves
    x.add(y).backward(g);
    assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, g.toFloatArray(), "the caller's gradOutput");
    assertArrayEquals(new float[] {101f, 103f, 105f}, x.grad().toFloatArray());
    assertArrayEquals(new float[] {1f, 3f, 5f}, y.grad().toFloatArray());
    y.setGrad(null);
    x.setGrad(null);
    x.add(y).backward(g);
    x.grad().add_(1.0);
    assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, y.grad().toFloatArray());
    assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, g.toFloatArray(), "the caller's gradOutput");
  }

  @Test
  void theSameLeafTwiceGetsTheSum() {
    Tensor x = leaf(1, 2);
    x.add(x).sum().backward();
    assertArrayEquals(new float[] {2f, 2f}, x.grad().toFloatArray());
    x.mul(x).sum().backward();
    assertArrayEquals(new float[] {4f, 6f}, x.grad().toFloatArray());
  }

  @Test
  void aTensorFromOutsideThePassIsCopied() {
    Tensor x = leaf(1, 2, 3);
    Tensor kept = Tensor.of(new float[] {7, 8, 9}, 3);
    x.registerHook(g -> kept);
    x.mul(2.0).sum().backward();
    assertArrayEquals(new float[] {7, 8, 9}, x.grad().toFloatArray());
    x.grad().mul_(2.0);
    assertArrayEquals(new float[] {7, 8, 9}, kept.toFloatArray(), "the hook's tensor is not the leaf's grad");
    x.mul(2.0).sum().backward();
    assertArrayEquals(new float[] {21, 24, 27}, x.grad().toFloatArray());
    assertArrayEquals(new float[] {7, 8, 9}, kept.toFloatArray());
  }

  @Test
  void aLeafRootKeepsTheCallersGradient() {
    Tensor x = leaf(1, 2);
    Tensor g = Tensor.of(new float[] {3, 4}, 2);
    x.backward(g);
    x.grad().zero_();
    assertArrayEquals(new float[] {3, 4}, g.toFloatArray());
  }

  @Test
  void aGradientThatIsAViewIsCopiedIntoALeafOfItsOwnShape() {
    // ExpandBackward0 sums, SelectBackward0 scatters: gradients of other shapes and views end as copies
    Tensor x = leaf(1, 2, 3);
    x.expand(4, 3).select(0, 1).mul(3.0).sum().backward();
    assertArrayEquals(new float[] {3, 3, 3}, x.grad().toFloatArray());
    assertEquals(0, x.grad().storageOffset());
    assertArrayEquals(new long[] {3}, x.grad().shape());
  }

  @Test
  void takenGradientsOutliveTheStepsScopeAndAreReleasedWithTheirLeaf() {
    Tensor w = Tensor.randn(8, 4).requiresGrad_(true);
    Tensor x = Tensor.randn(5, 8);
    long before = MemoryStats.liveBytes();
    for (int step = 0; step < 3; step++) {
      w.setGrad(null);
      try (var scope = TensorScope.open()) {
        x.mm(w).relu().sum().backward();
      }
      assertEquals(before + 8 * 4 * 4, MemoryStats.liveBytes(), "only w's gradient outlives the step");
      w.grad().toFloatArray();   // readable after its scope closed
    }
    try (Tensor again = x.mm(w).relu().sum()) {
      Tensor first = w.grad().clone();
      again.backward();
      Tensor doubled = first.mul(2.0);
      assertArrayEquals(doubled.toFloatArray(), w.grad().toFloatArray(), 0f);
    }
  }
}
