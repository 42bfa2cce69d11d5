package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.autograd.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's Variable semantics, one rule per test. Expected gradients are exact arithmetic (every
 * value here is a small dyadic rational, so float results are exact).
 */
class AutogradSemanticsTest {

  @Nested
  class RequiresGradAndLeaves {
    @Test
    void newTensorsDoNotRequireGradAndAreLeaves() {
      Tensor t = Tensor.ones(3);
      assertFalse(t.requiresGrad());
      assertTrue(t.isLeaf());
      assertNull(t.gradFn());
      assertNull(t.grad());
    }

    @Test
    void resultRequiresGradIffAnInputDoes() {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      Tensor c = Tensor.ones(2);
      assertTrue(w.add(c).requiresGrad());
      assertTrue(c.mul(w).requiresGrad());
      assertFalse(c.add(c).requiresGrad());
      assertFalse(w.add(c).isLeaf());
      assertEquals("AddBackward0", w.add(c).gradFn().name());
    }

    @Test
    void requiresGradFalseOnANonLeafFailsWithPyTorchsMessage() {
      Tensor y = Tensor.ones(2).requiresGrad_(true).mul(2);
      var e = assertThrows(IllegalStateException.class, () -> y.requiresGrad_(false));
      assertTrue(e.getMessage().startsWith("you can only change requires_grad flags of leaf variables."));
      assertSame(y, y.requiresGrad_(true), "requiring grad on a non-leaf is allowed and a no-op");
    }

    @Test
    void gradFnEdgesLeadToInputNodesAndLeafAccumulators() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor b = Tensor.ones(2);
      Node mul = a.mul(b).gradFn();
      assertEquals("MulBackward0", mul.name());
      assertEquals("AccumulateGrad", mul.nextFunctions().get(0).name());
      assertNull(mul.nextFunctions().get(1), "b needs no gradient, so it has no edge");
      Node sum = a.mul(b).sum().gradFn();
      assertEquals("MulBackward0", sum.nextFunctions().get(0).name());
      assertTrue(sum.sequenceNr() > sum.nextFunctions().get(0).sequenceNr(), "later ops get larger sequence numbers");
    }
  }

  @Nested
  class GradModes {
    @Test
    void noGradRecordsNothingAndRestoresTheMode() {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      try (var guard = GradMode.noGrad()) {
        assertFalse(GradMode.isEnabled());
        Tensor y = w.mul(2);
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        try (var inner = GradMode.enableGrad()) {
          assertTrue(w.mul(2).requiresGrad());
        }
        assertFalse(GradMode.isEnabled());
      }
      assertTrue(GradMode.isEnabled());
      assertTrue(w.mul(2).requiresGrad());
    }

    @Test
    void gradModeIsPerThread() throws Exception {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      try (var guard = GradMode.noGrad()) {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
          assertTrue(other.submit(() -> w.mul(2).requiresGrad()).get(), "the other thread still records");
        } finally {
          other.shutdown();
        }
        assertFalse(w.mul(2).requiresGrad());
      }
    }

    @Test
    void inPlaceOnALeafThatRequiresGradIsAllowedOnlyWithoutGrad() {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      var e = assertThrows(IllegalStateException.class, w::zero_);
      assertEquals("a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
      try (var guard = GradMode.noGrad()) {
        w.fill_(3);
      }
      assertArrayEquals(new float[] {3, 3}, w.toFloatArray());
    }
  }

  @Nested
  class Backward {
    @Test
    void brodcastGradientsAreSummedBackToTheLeafShape() {
      Tensor row = Tensor.ones(3).requiresGrad_(true);         // broadcast over 2 rows
      Tensor col = Tensor.ones(2, 1).requiresGrad_(true);      // broadcast over 3 columns
      row.add(col).sum().backward();
      assertArrayEquals(new long[] {3}, row.grad().shape());
      assertArrayEquals(new float[] {2, 2, 2}, row.grad().toFloatArray());
      assertArrayEquals(new long[] {2, 1}, col.grad().shape());
      assertArrayEquals(new float[] {3, 3}, col.grad().toFloatArray());
    }

    @Test
    void gradientsKeepTheLeafDtypeUnderPromotion() {
      Tensor f = Tensor.ones(2).requiresGrad_(true);
      Tensor d = Tensor.ones(DType.FLOAT64, 2).requiresGrad_(true);
      Tensor y = f.mul(d);
      assertEquals(DType.FLOAT64, y.dtype());
      y.sum().backward();
      assertEquals(DType.FLOAT32, f.grad().dtype());
      assertEquals(DType.FLOAT64, d.grad().dtype());
    }

    @Test
    void nonScalarOutputNeedsAnExplicitGradient() {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      Tensor y = w.mul(3);
      var e = assertThrows(IllegalStateException.class, y::backward);
      assertEquals("grad can be implicitly created only for scalar outputs", e.getMessage());
      y.backward(Tensor.of(new float[] {1, 2}));
      assertArrayEquals(new float[] {3, 6}, w.grad().toFloatArray());
    }

    @Test
    void gradientOfTheWrongShapeIsRejected() {
      Tensor y = Tensor.ones(2).requiresGrad_(true).mul(3);
      var e = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3)));
      assertEquals("Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of "
          + "torch.Size([2]).", e.getMessage());
    }

    @Test
    void backwardOnALeafAccumulatesIntoItself() {
      Tensor w = Tensor.zeros(2).requiresGrad_(true);
      w.backward(Tensor.of(new float[] {1, 2}));
      assertArrayEquals(new float[] {1, 2}, w.grad().toFloatArray());
    }

    @Test
    void aFreedGraphThatSavedTensorsCannotBeBackwardedTwice() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor y = a.mul(Tensor.full(3, 2)).sum();
      y.backward();
      var e = assertThrows(IllegalStateException.class, y::backward);
      assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"));
    }

    @Test
    void retainGraphAllowsASecondBackwardThatAccumulates() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor y = a.mul(Tensor.full(3, 2)).sum();
      y.backward(null, true);
      y.backward();
      assertArrayEquals(new float[] {6, 6}, a.grad().toFloatArray());
    }

    @Test
    void graphsThatSaveNothingCanBeBackwardedAgainAsInPyTorch() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor y = a.add(2).mean();
      y.backward();
      y.backward();
      assertArrayEquals(new float[] {1, 1}, a.grad().toFloatArray());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
      Tensor a = Tensor.of(new float[] {1, 2, 3}).requiresGrad_(true);
      a.mul(a).add(a).sum().backward();                    // d/da (a^2 + a) = 2a + 1
      assertArrayEquals(new float[] {3, 5, 7}, a.grad().toFloatArray());
    }

    @Test
    void retainGradKeepsANonLeafsGradient() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor h = a.mul(2);
      Tensor h2 = a.mul(2);
      h.retainGrad();
      h.mul(3).sum().backward();
      h2.mul(3).sum().backward();
      assertArrayEquals(new float[] {3, 3}, h.grad().toFloatArray());
      assertNull(h2.grad(), "a non-leaf without retainGrad() keeps no gradient");
    }

    @Test
    void aChainOfAMillionOpsBackwardsWithoutDeepRecursion() {
      Tensor w = Tensor.scalar(0).requiresGrad_(true);
      try (var scope = TensorScope.open()) {
        Tensor t = w;
        for (int i = 0; i < 1_000_000; i++) t = t.add(1);
        t.backward();
      }
      assertEquals(1.0, w.grad().item());
    }
  }

  @Nested
  class ViewsAndVersions {
    @Test
    void detachSharesDataAndVersionButLeavesTheGraph() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor y = a.mul(2);
      Tensor d = y.detach();
      assertFalse(d.requiresGrad());
      assertTrue(d.isLeaf());
      d.zero_();
      assertArrayEquals(new float[] {0, 0}, y.toFloatArray());
      assertEquals(1, y.version(), "detach() shares the version counter");
    }

    @Test
    void dataSharesValuesButNotTheVersionCounter() {
      Tensor a = Tensor.ones(2);
      Tensor d = a.data();
      d.fill_(4);
      assertArrayEquals(new float[] {4, 4}, a.toFloatArray());
      assertEquals(0, a.version());
      assertEquals(1, d.version());
    }

    @Test
    void modifyingASavedTensorInPlaceBreaksBackwardWithPyTorchsMessage() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor b = Tensor.ones(2);
      Tensor c = a.mul(b);
      b.zero_();
      var e = assertThrows(IllegalStateException.class, () -> c.sum().backward());
      assertTrue(e.getMessage().startsWith("one of the variables needed for gradient computation has been modified "
          + "by an inplace operation: [torch.FloatTensor [2]] is at version 1; expected version 0 instead."), e.getMessage());
    }

    @Test
    void inPlaceAddOnAGraphTensorRebasesItsHistory() {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor b = a.mul(2);
      b.add_(a);                                            // b = 2a + a
      assertEquals("AddBackward0", b.gradFn().name());
      b.sum().backward();
      assertArrayEquals(new float[] {3, 3}, a.grad().toFloatArray());
    }

    @Test
    void inPlaceAddOfAGradTensorMakesAPlainTensorPartOfTheGraph() {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      Tensor acc = Tensor.zeros(2);
      acc.add_(w);
      assertFalse(acc.isLeaf());
      acc.mul(5).sum().backward();
      assertArrayEquals(new float[] {5, 5}, w.grad().toFloatArray());
    }

    @Test
    void zeroingAGraphTensorCutsTheGradientOfItsOldValue() {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      Tensor y = w.mul(3);
      y.zero_();
      assertEquals("ZeroBackward0", y.gradFn().name());
      y.sum().backward();
      assertArrayEquals(new float[] {0, 0}, w.grad().toFloatArray());
    }

    @Test
    void inPlaceAddRejectsAnOtherThatWouldGrowTheTensor() {
      var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2).add_(Tensor.ones(2, 2)));
      assertEquals("output with shape [2] doesn't match the broadcast shape [2, 2]", e.getMessage());
    }
  }

  @Nested
  class OutVariants {
    @Test
    void addWritesIntoAPreallocatedOutput() {
      Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
      Tensor out = Tensor.zeros(2, 2);
      assertSame(out, a.add(Tensor.of(new float[] {10, 20}), out));
      assertArrayEquals(new float[] {11, 22, 13, 24}, out.toFloatArray());
      assertEquals(1, out.version());
    }

    @Test
    void outVariantsRefuseInputsThatRequireGradAsPyTorchDoes() {
      Tensor w = Tensor.ones(2).requiresGrad_(true);
      var e = assertThrows(IllegalStateException.class, () -> w.mul(w, Tensor.zeros(2)));
      assertEquals("mul(): functions with out=... arguments don't support automatic differentiation, but one of the "
          + "arguments requires grad.", e.getMessage());
    }

    @Test
    void outVariantsDoNotResize() {
      assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2).add(Tensor.ones(2), Tensor.zeros(3)));
    }
  }

  @Nested
  class Threads {
    @Test
    void concurrentBackwardPassesAccumulateSafelyIntoASharedLeaf() throws Exception {
      Tensor w = Tensor.zeros(4).requiresGrad_(true);
      int threads = 4, steps = 500;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          done.add(pool.submit((Callable<Void>) () -> {
            for (int i = 0; i < steps; i++) {
              try (var scope = TensorScope.open()) {
                w.mul(2).sum().backward();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : done) f.get();
      } finally {
        pool.shutdown();
      }
      float expected = 2f * threads * steps;
      assertArrayEquals(new float[] {expected, expected, expected, expected}, w.grad().toFloatArray());
      assertNotNull(w.grad());
    }
  }
}
