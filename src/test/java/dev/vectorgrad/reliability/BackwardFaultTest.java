package dev.vectorgrad.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.reliability.Programs.Program;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exceptions in the middle of a backward pass (a hook that throws at each node of the graph in
 * turn, a saved tensor that was closed): each leaf's gradient is either untouched or fully updated
 * (as PyTorch, whose accumulators run as soon as their gradient is complete), the pass's
 * temporaries are released, and the graph, which a failed pass does not free, can be backwarded
 * again.
 */
class BackwardFaultTest {

  @BeforeAll
  static void initialise() {
    Tensor.ones(1).close();   // class initialisation allocates the shared unit gradients: before any count
  }

  /** Every node reachable from {@code root}, in the order a stack walk meets them. */
  private static List<Node> nodes(Node root) {
    Map<Node, Boolean> seen = new IdentityHashMap<>();
    List<Node> out = new ArrayList<>();
    Deque<Node> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (seen.put(n, true) != null) continue;
      out.add(n);
      for (Node next : n.nextFunctions()) {
        if (next != null) stack.push(next);
      }
    }
    return out;
  }

  /** A hook that throws once, registered at each node of the graph in turn (leaf accumulators included). */
  @Test
  void aHookThrowingAtAnyNodeLeavesEachGradientWholeAndTheGraphRunsAgain() {
    int faults = 0;
    for (Program p : Programs.all(41)) {
      float[][] full;
      try (var scope = TensorScope.open()) {
        p.forward().backward();
        full = p.grads();
      }
      int nodeCount;
      try (var scope = TensorScope.open()) {
        nodeCount = nodes(p.forward().gradFn()).size();
      }
      for (int k = 0; k < nodeCount; k++) {
        p.clearGrads();
        try (var scope = TensorScope.open()) {
          Tensor loss = p.forward();
          Node target = nodes(loss.gradFn()).get(k);
          boolean[] thrown = {false};
          RuntimeException boom = new RuntimeException("hook failed at " + target.name());
          target.registerPreHook(g -> {
            if (!thrown[0]) {
              thrown[0] = true;
              throw boom;
            }
          });
          long live = MemoryStats.liveBytes();
          float[][] before = p.grads();
          var e = assertThrows(RuntimeException.class, loss::backward);
          assertSame(boom, e, "the hook's own exception reaches the caller");
          float[][] afterFault = p.grads();
          Programs.checkEachLeafAllOrNothing(before, full, afterFault, p.name() + " hook at " + target.name());
          long firstGrads = 0;
          for (Tensor leaf : p.leaves()) firstGrads += leaf.grad() == null ? 0 : blockBytes(leaf.numel() * 4);
          assertTrue(MemoryStats.liveBytes() <= live + firstGrads, "the pass's temporaries were released");
          loss.backward(null, true);   // the hook lets this one through
          for (int i = 0; i < full.length; i++) {
            assertArrayEquals(Programs.plus(afterFault[i], full[i]), p.grads()[i], p.name() + " leaf " + i);
          }
          faults++;
        }
      }
      p.close();
    }
    Stress.report("hooks that threw in backward: %d (one at every node of %d programs), all survived", faults, Programs.COUNT);
  }

  @Test
  void aClosedSavedTensorStopsThePassWithLeavesWholeAndAFreshGraphSucceeds() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor w1 = Tensor.of(new float[] {0.5f, -1, 2, 0.25f, 1, -0.5f}, 3, 2).requiresGrad_(true);
    Tensor w2 = Tensor.of(new float[] {1, 2}).requiresGrad_(true);
    long live = MemoryStats.liveBytes();
    try (var scope = TensorScope.open()) {
      Tensor s = x.matmul(w1).sigmoid();              // SigmoidBackward0 saves s
      Tensor loss = s.sum().add(w2.mul(w2).sum());    // w2's accumulator runs before SigmoidBackward0
      s.close();
      var e = assertThrows(IllegalStateException.class, loss::backward);
      assertTrue(e.getMessage().contains("a tensor saved for backward was closed"), e.getMessage());
      assertNull(w1.grad(), "w1's accumulator never ran: untouched");
      assertArrayEquals(new float[] {2, 4}, w2.grad().toFloatArray(), "w2's ran first: fully updated, as PyTorch");
    }
    assertTrue(MemoryStats.liveBytes() <= live + 64, "only w2's new gradient stays");
    try (var scope = TensorScope.open()) {
      Tensor loss = x.matmul(w1).sigmoid().sum().add(w2.mul(w2).sum());
      loss.backward(null, true);
    }
    assertArrayEquals(new float[] {4, 8}, w2.grad().toFloatArray());
    assertEquals(6, w1.grad().toFloatArray().length);
    x.close();
    w1.close();
    w2.close();
  }

  /**
   * A failed pass that did not retain the graph frees nothing, so the next pass runs; a pass that
   * succeeded without retaining it frees the saved tensors as PyTorch, and a third one fails with
   * PyTorch's message.
   */
  @Test
  void onlyASuccessfulPassFreesTheGraph() {
    Tensor w = Tensor.of(new float[] {1, 2, 3}).requiresGrad_(true);
    try (var scope = TensorScope.open()) {
      Tensor h = w.mul(w);
      Tensor loss = h.exp().sum();
      boolean[] thrown = {false};
      h.gradFn().registerPreHook(g -> {
        if (!thrown[0]) {
          thrown[0] = true;
          throw new IllegalStateException("once");
        }
      });
      assertThrows(IllegalStateException.class, loss::backward);
      assertNull(w.grad());
      loss.backward();
      float[] once = w.grad().toFloatArray();
      assertEquals((float) (2 * Math.exp(1)), once[0], 1e-6f);
      var e = assertThrows(IllegalStateException.class, loss::backward);
      assertEquals(Node.BACKWARD_TWICE_MESSAGE, e.getMessage());
    }
    w.close();
  }

  private static long blockBytes(long bytes) {
    return dev.vectorgrad.memory.NativeAllocator.blockBytes(dev.vectorgrad.memory.NativeAllocator.sizeClassOf(bytes));
  }
}
