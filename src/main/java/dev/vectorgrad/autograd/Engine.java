package dev.vectorgrad.autograd;

import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reverse-mode execution of a recorded graph. PyTorch equivalent: {@code torch/csrc/autograd/engine.cpp}.
 *
 * <p>Two passes, both iterative so that a chain of a million ops needs no deep stack: first count,
 * for every node reachable from the root, how many edges lead into it; then run nodes whose inputs
 * are all in, the one with the larger sequence number first, summing the gradients that arrive at
 * a node before it runs. Leaves are reached through their accumulator node, which adds into
 * {@code grad}. Unless the graph is retained, each node drops its saved tensors after it ran.
 *
 * <p>Everything the pass allocates lives in a {@link TensorScope} opened for it, so intermediate
 * gradients are released when the pass ends; gradients that must outlive it (a leaf's
 * {@code grad}, a retained gradient) are copied out by their owners. The pass runs with grad mode
 * off.
 */
public final class Engine {
  private static final AtomicInteger EPOCH = new AtomicInteger();
  private static final Comparator<Node> LATEST_FIRST =
      (a, b) -> Long.compare(b.sequenceNr(), a.sequenceNr());

  private Engine() {}

  /** What one pass knows about one node: edges still to come in, and the gradient summed so far. */
  static final class PassState {
    int pendingInputs;
    Tensor gradBuffer;
  }

  /** The bookkeeping of one backward pass. */
  private static final class Pass {
    final int epoch = EPOCH.incrementAndGet();
    /** State of nodes other threads' passes may reach too; interior nodes carry theirs. */
    final IdentityHashMap<Node, PassState> shared = new IdentityHashMap<>(4);

    /** The node's state, created (and reset) on the first visit; null if already visited. */
    PassState firstVisit(Node node) {
      PassState s;
      if (node.sharedAcrossGraphs()) {
        if (shared.containsKey(node)) return null;
        s = new PassState();
        shared.put(node, s);
      } else {
        if (node.visitEpoch == epoch) return null;
        node.visitEpoch = epoch;
        s = node.pass;
        s.pendingInputs = 0;
        s.gradBuffer = null;   // a pass that failed earlier may have left a partial sum behind
      }
      return s;
    }

    PassState of(Node node) {
      return node.sharedAcrossGraphs() ? shared.get(node) : node.pass;
    }
  }

  /**
   * Backpropagates from {@code output}, whose node is {@code root}.
   *
   * @param outputGrad gradient of {@code output} (same shape), or null for ones
   * @param retainGraph keep saved tensors so the graph can be backwarded again
   */
  public static void run(Node root, Tensor outputGrad, Tensor output, boolean retainGraph) {
    try (var noGrad = GradMode.noGrad(); var scope = TensorScope.open()) {
      Pass pass = new Pass();
      countDependencies(root, pass);
      pass.of(root).gradBuffer = outputGrad == null
          ? Tensor.ones(output.dtype(), output.shape())
          : outputGrad.to(output.dtype());
      PriorityQueue<Node> ready = new PriorityQueue<>(LATEST_FIRST);
      ready.add(root);
      while (!ready.isEmpty()) {
        Node node = ready.poll();
        PassState state = pass.of(node);
        Tensor grad = state.gradBuffer;
        state.gradBuffer = null;
        Tensor[] inputGrads = null;
        if (grad != null) {
          node.runPreHooks(grad);
          inputGrads = node.apply(grad);
        }
        if (!retainGraph) node.release();
        for (int i = 0; i < node.next.length; i++) {
          Node target = node.next[i];
          if (target == null) continue;
          PassState t = pass.of(target);
          Tensor g = inputGrads == null ? null : inputGrads[i];
          if (g != null) {
            t.gradBuffer = t.gradBuffer == null ? g : t.gradBuffer.add(g);
          }
          if (--t.pendingInputs == 0) ready.add(target);
        }
      }
    }
  }

  /** Sets the pending-input count of every node reachable from {@code root} to its number of incoming edges. */
  private static void countDependencies(Node root, Pass pass) {
    ArrayDeque<Node> stack = new ArrayDeque<>();
    pass.firstVisit(root);
    stack.push(root);
    while (!stack.isEmpty()) {
      for (Node target : stack.pop().next) {
        if (target == null) continue;
        if (pass.firstVisit(target) != null) stack.push(target);
        pass.of(target).pendingInputs++;
      }
    }
  }
}
