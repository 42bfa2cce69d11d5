package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vectorgrad.autograd.Node;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The small-tensor fast paths of issue 10 (per-op overhead) keep PyTorch's behaviour: shared
 * strides arrays, nodes without edge arrays, reused scope arrays and backward-pass state, lazily
 * made tensor side state.
 */
class PerOpOverheadTest {

  @Test
  void freshResultsHaveRowMajorStridesWhateverTheirShape() {
    try (var scope = TensorScope.open()) {
      long[][] shapes = {{}, {5}, {2, 2}, {3, 256}, {3, 257}, {2, 3, 4}};
      for (long[] shape : shapes) {
        Tensor t = Tensor.ones(shape).add(1);
        long[] expected = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
          expected[i] = s;
          s *= shape[i];
        }
        assertArrayEquals(expected, t.stride(), java.util.Arrays.toString(shape));
        // stride() hands out a copy: writing it must not reach other tensors sharing the strides
        long[] copy = t.stride();
        if (copy.length > 0) copy[0] = 99;
        assertArrayEquals(expected, Tensor.ones(shape).stride());
      }
    }
  }

  @Test
  void nodesWithManyEdgesBackwardIntoEveryInput() {
    try (var scope = TensorScope.open()) {
      List<Tensor> parts = new ArrayList<>();
      for (int i = 0; i < 200; i++) parts.add(Tensor.full(i, 2).requiresGrad_(true));
      Tensor cat = Tensor.cat(0, parts);
      Node fn = cat.gradFn();
      assertEquals(200, fn.nextFunctions().size());
      assertEquals("AccumulateGrad", fn.nextFunctions().get(199).name());
      cat.mul(cat).sum().backward();
      for (int i = 0; i < 200; i++) {
        assertArrayEquals(new float[] {2f * i, 2f * i}, parts.get(i).grad().toFloatArray(), "part " + i);
      }
    }
  }

  @Test
  void oneAndTwoEdgeNodesListTheirEdgesAsPyTorch() {
    try (var scope = TensorScope.open()) {
      Tensor a = Tensor.ones(2).requiresGrad_(true);
      Tensor b = Tensor.ones(2);
      Node add = a.add(b).gradFn();
      assertEquals(2, add.nextFunctions().size());
      assertEquals("AccumulateGrad", add.nextFunctions().get(0).name());
      assertNull(add.nextFunctions().get(1));
      Node scalar = a.mul(3).gradFn();
      assertEquals(1, scalar.nextFunctions().size());
      assertSame(add.nextFunctions().get(0), scalar.nextFunctions().get(0), "one accumulator per leaf");
    }
  }

  @Test
  void backwardFromAHookInsideBackwardUsesItsOwnPass() {
    try (var scope = TensorScope.open()) {
      Tensor a = Tensor.ones(2, 2).requiresGrad_(true);
      Tensor b = Tensor.ones(2, 2).requiresGrad_(true);
      Tensor mid = a.mul(2);
      float[][] inner = new float[1][];
      mid.gradFn().registerPreHook(g -> {
        try (var grad = GradMode.enableGrad()) {   // hooks run with grad mode off, as in PyTorch
          Tensor z = b.mul(b).sum();
          z.backward();
          inner[0] = b.grad().toFloatArray();
        }
      });
      mid.sum().backward();
      assertArrayEquals(new float[] {2, 2, 2, 2}, a.grad().toFloatArray());
      assertArrayEquals(new float[] {2, 2, 2, 2}, inner[0]);
      // the passes' reused state is clean for the next one
      a.mul(3).sum().backward();
      assertArrayEquals(new float[] {5, 5, 5, 5}, a.grad().toFloatArray());
    }
  }

  @Test
  void scopesOpenedAfterClosedOnesStartEmpty() {
    Tensor kept;
    try (var outer = TensorScope.open()) {
      try (var inner = TensorScope.open()) {
        for (int i = 0; i < 20; i++) Tensor.ones(2);   // grows the inner array past its first size
        kept = Tensor.ones(3).keep();
        assertEquals(20, inner.ownedTensors());
      }
      try (var again = TensorScope.open()) {
        assertEquals(0, again.ownedTensors());
        Tensor.ones(2);
        assertEquals(1, again.ownedTensors());
      }
      assertEquals(1, outer.ownedTensors());
      assertTrue(!kept.isClosed());
    }
    assertTrue(kept.isClosed(), "the outer scope owned the kept tensor");
  }

  @Test
  void viewStateStaysOffPlainResults() {
    try (var scope = TensorScope.open()) {
      Tensor a = Tensor.ones(2, 2).requiresGrad_(true);
      Tensor r = a.add(1);
      assertNull(r.rare, "a plain op result has no side state");
      Tensor v = r.view(4);
      assertNotSame(null, v.rare);
      assertSame(r, v.viewBase());
      assertSame(r, v.view(2, 2).viewBase(), "views of views point at the root");
    }
  }

  /**
   * The founding 2x2 step with the full engine allocates a bounded number of heap bytes (624 on
   * HotSpot with compressed pointers when this was written; 1,256 before issue 10's work). Only
   * where fusion leaves 2x2 ops eager, and only on a JVM that counts a thread's allocations.
   */
  @Test
  void theFoundingStepAllocatesFewHeapBytes() throws ReflectiveOperationException {
    assumeTrue(Fusion.MIN_ELEMENTS > 4 || !Fusion.ENABLED, "2x2 ops fuse in this run");
    // java.management by reflection: tests compile inside the module, which does not read it
    Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    Class<?> hotspot;
    try {
      hotspot = Class.forName("com.sun.management.ThreadMXBean");
    } catch (ClassNotFoundException e) {
      hotspot = null;
    }
    assumeTrue(hotspot != null && hotspot.isInstance(bean), "a JVM that counts each thread's allocations");
    assumeTrue((Boolean) hotspot.getMethod("isThreadAllocatedMemoryEnabled").invoke(bean));
    Method allocated = hotspot.getMethod("getThreadAllocatedBytes", long.class);
    long tid = Thread.currentThread().threadId();
    try (Tensor x = Tensor.ones(2, 2); Tensor temp = Tensor.zeros(2, 2).requiresGrad_(true)) {
      double sum = 0;
      long best = Long.MAX_VALUE;
      for (int round = 0; round < 20; round++) {
        int n = 20_000;
        long before = (Long) allocated.invoke(bean, tid);
        for (int i = 0; i < n; i++) {
          try (var step = TensorScope.open()) {
            Tensor y = x.add(temp).add(2).mean();
            y.backward();
            temp.grad().zero_();
            sum += y.item();
          }
        }
        best = Math.min(best, ((Long) allocated.invoke(bean, tid) - before) / n);
      }
      assertEquals(20 * 20_000 * 3.0, sum);
      assertArrayEquals(new float[] {0, 0, 0, 0}, temp.grad().toFloatArray());
      assertTrue(best <= 900, "heap bytes per founding step: " + best);
    }
  }
}
