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
 * {@code grad}. Unless the graph is retained, the nodes drop their saved tensors once the pass
 * has succeeded.
 *
 * <p>Everything the pass allocates lives in a {@link TensorScope} opened for it, so intermediate
 * gradients are released when the pass ends; gradients that must outlive it (a leaf's
 * {@code grad}, a retained gradient) are copied out by their owners. The pass runs with grad mode
 * off. The queues are reused per thread, so a small backward pass allocates almost nothing.
 *
 * <p>Failures: a pass that throws (a hook that throws, a saved tensor that was closed or modified,
 * an {@link dev.vectorgrad.OutOfMemoryException} from the memory limit, any derivative's error)
 * leaves each leaf's {@code grad} fully updated if its accumulator ran before the failure and
 * untouched otherwise, exactly as PyTorch (whose goldens pin it); no leaf is ever half-updated. Its
 * temporaries are released with its scope, so live bytes are back where they were (plus first
 * gradients of leaves that were updated). Unlike PyTorch, which frees each node's saved tensors as
 * soon as it ran, nodes drop them only when the whole pass has succeeded: after a failure the graph
 * is intact and can be backwarded again.
 */
public final class Engine {
  private static final AtomicInteger EPOCH = new AtomicInteger();
  private static final Comparator<Node> LATEST_FIRST =
      (a, b) -> Long.compare(b.sequenceNr(), a.sequenceNr());
  private static final ThreadLocal<Pass> PASSES = ThreadLocal.withInitial(Pass::new);

  private Engine() {}

  /** Pending inputs and summed gradient of a node that other threads' passes may reach too. */
  private static final class SharedState {
    int pendingInputs;
    Tensor gradBuffer;
  }

  /**
   * The bookkeeping of one backward pass: interior nodes carry theirs in their own fields (one graph
   * is backwarded by one thread at a time), shared nodes (leaf accumulators) in the pass's own table.
   */
  private static final class Pass {
    int epoch;
    boolean running;
    /** Nodes that ran, released (saved tensors dropped) only when the pass succeeds without retaining the graph. */
    final java.util.ArrayList<Node> ran = new java.util.ArrayList<>();
    /**
     * Shared nodes of this pass. Most graphs reach a handful of leaves, so a linear scan over two
     * arrays (nothing to hash, nothing to clear) wins; past {@link #LINEAR_LIMIT} leaves an
     * identity map indexes them so large models stay linear in their size.
     */
    static final int LINEAR_LIMIT = 32;
    Node[] sharedNodes = new Node[8];
    SharedState[] sharedStates = new SharedState[8];
    int sharedCount;
    java.util.IdentityHashMap<Node, SharedState> sharedIndex;
    final ArrayDeque<Node> stack = new ArrayDeque<>();
    final PriorityQueue<Node> ready = new PriorityQueue<>(LATEST_FIRST);

    /** Marks the node visited and resets its state; false if it was visited already. */
    boolean firstVisit(Node node) {
      if (node.sharedAcrossGraphs()) {
        if (sharedState(node) != null) return false;
        if (sharedCount == sharedNodes.length) {
          sharedNodes = java.util.Arrays.copyOf(sharedNodes, sharedCount * 2);
          sharedStates = java.util.Arrays.copyOf(sharedStates, sharedCount * 2);
        }
        SharedState state = new SharedState();
        sharedNodes[sharedCount] = node;
        sharedStates[sharedCount++] = state;
        if (sharedIndex != null) {
          sharedIndex.put(node, state);
        } else if (sharedCount > LINEAR_LIMIT) {
          sharedIndex = new java.util.IdentityHashMap<>();
          for (int i = 0; i < sharedCount; i++) sharedIndex.put(sharedNodes[i], sharedStates[i]);
        }
        return true;
      }
      if (node.visitEpoch == epoch) return false;
      node.visitEpoch = epoch;
      node.pendingInputs = 0;
      node.gradBuffer = null;   // a pass that failed earlier may have left a partial sum behind
      return true;
    }

    /** The state of a shared node in this pass, or null if not visited yet. */
    SharedState sharedState(Node node) {
      if (sharedIndex != null) return sharedIndex.get(node);
      for (int i = 0; i < sharedCount; i++) {
        if (sharedNodes[i] == node) return sharedStates[i];
      }
      return null;
    }

    void addPending(Node node) {
      if (node.sharedAcrossGraphs()) sharedState(node).pendingInputs++;
      else node.pendingInputs++;
    }

    /** One incoming edge delivered {@code g} (maybe null); true when the node has all its inputs. */
    boolean deliver(Node node, Tensor g) {
      if (node.sharedAcrossGraphs()) {
        SharedState s = sharedState(node);
        if (g != null) s.gradBuffer = s.gradBuffer == null ? g : s.gradBuffer.add(g);
        return --s.pendingInputs == 0;
      }
      if (g != null) node.gradBuffer = node.gradBuffer == null ? g : node.gradBuffer.add(g);
      return --node.pendingInputs == 0;
    }

    Tensor takeGrad(Node node) {
      Tensor g;
      if (node.sharedAcrossGraphs()) {
        SharedState s = sharedState(node);
        g = s.gradBuffer;
        s.gradBuffer = null;
      } else {
        g = node.gradBuffer;
        node.gradBuffer = null;
      }
      return g;
    }

    void clear() {
      java.util.Arrays.fill(sharedNodes, 0, sharedCount, null);
      java.util.Arrays.fill(sharedStates, 0, sharedCount, null);
      sharedCount = 0;
      sharedIndex = null;
      stack.clear();
      ready.clear();
      if (ran.size() > 4096) {
        ran.clear();
        ran.trimToSize();   // a huge graph's list is not kept for the thread's lifetime
      }
      ran.clear();
      running = false;
    }
  }

  /**
   * Backpropagates from {@code output}, whose node is {@code root}.
   *
   * @param outputGrad gradient of {@code output} (same shape), or null for ones
   * @param retainGraph keep saved tensors so the graph can be backwarded again
   */
  public static void run(Node root, Tensor outputGrad, Tensor output, boolean retainGraph) {
    Pass pass = PASSES.get();
    if (pass.running) pass = new Pass();   // backward called from inside a backward pass (a hook)
    pass.running = true;
    pass.epoch = EPOCH.incrementAndGet();
    try (var noGrad = GradMode.noGrad(); var scope = TensorScope.open()) {
      countDependencies(root, pass);
      pass.addPending(root);
      pass.deliver(root, outputGrad == null
          ? Tensor.ones(output.dtype(), output.shape())
          : outputGrad.to(output.dtype()));
      PriorityQueue<Node> ready = pass.ready;
      ready.add(root);
      while (!ready.isEmpty()) {
        Node node = ready.poll();
        Tensor grad = pass.takeGrad(node);
        Tensor[] inputGrads = null;
        if (grad != null) {
          node.runPreHooks(grad);
          inputGrads = node.apply(grad);
        }
        if (!retainGraph) pass.ran.add(node);
        for (int i = 0; i < node.next.length; i++) {
          Node target = node.next[i];
          if (target != null && pass.deliver(target, inputGrads == null ? null : inputGrads[i])) {
            ready.add(target);
          }
        }
      }
      // Every derivative ran: only now may saved tensors go, so a failed pass leaves the graph whole.
      for (int i = 0; i < pass.ran.size(); i++) pass.ran.get(i).release();
    } finally {
      pass.clear();
    }
  }

  /** Sets the pending-input count of every node reachable from {@code root} to its number of incoming edges. */
  private static void countDependencies(Node root, Pass pass) {
    ArrayDeque<Node> stack = pass.stack;
    pass.firstVisit(root);
    stack.push(root);
    while (!stack.isEmpty()) {
      for (Node target : stack.pop().next) {
        if (target == null) continue;
        if (pass.firstVisit(target)) stack.push(target);
        pass.addPending(target);
      }
    }
  }
}
