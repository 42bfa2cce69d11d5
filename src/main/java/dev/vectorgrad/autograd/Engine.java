package dev.vectorgrad.autograd;

import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import java.util.ArrayDeque;
import java.util.Comparator;
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

  /**
   * Backpropagates from {@code output}, whose node is {@code root}.
   *
   * @param outputGrad gradient of {@code output} (same shape), or null for ones
   * @param retainGraph keep saved tensors so the graph can be backwarded again
   */
  public static void run(Node root, Tensor outputGrad, Tensor output, boolean retainGraph) {
    try (var noGrad = GradMode.noGrad(); var scope = TensorScope.open()) {
      countDependencies(root);
      root.gradBuffer = outputGrad == null
          ? Tensor.ones(output.dtype(), output.shape())
          : outputGrad.to(output.dtype());
      PriorityQueue<Node> ready = new PriorityQueue<>(LATEST_FIRST);
      ready.add(root);
      while (!ready.isEmpty()) {
        Node node = ready.poll();
        Tensor grad = node.gradBuffer;
        node.gradBuffer = null;
        Tensor[] inputGrads = null;
        if (grad != null) {
          node.runPreHooks(grad);
          inputGrads = node.apply(grad);
        }
        if (!retainGraph) node.release();
        for (int i = 0; i < node.next.length; i++) {
          Node target = node.next[i];
          if (target == null) continue;
          Tensor g = inputGrads == null ? null : inputGrads[i];
          if (g != null) {
            target.gradBuffer = target.gradBuffer == null ? g : target.gradBuffer.add(g);
          }
          if (--target.pendingInputs == 0) ready.add(target);
        }
      }
    }
  }

  /** Sets {@code pendingInputs} of every node reachable from {@code root} to its number of incoming edges. */
  private static void countDependencies(Node root) {
    int epoch = EPOCH.incrementAndGet();
    ArrayDeque<Node> stack = new ArrayDeque<>();
    visit(root, epoch);
    stack.push(root);
    while (!stack.isEmpty()) {
      for (Node target : stack.pop().next) {
        if (target == null) continue;
        if (target.visitEpoch != epoch) {
          visit(target, epoch);
          stack.push(target);
        }
        target.pendingInputs++;
      }
    }
  }

  private static void visit(Node node, int epoch) {
    node.visitEpoch = epoch;
    node.pendingInputs = 0;
    node.gradBuffer = null;   // a pass that failed earlier may have left a partial sum behind
  }
}
