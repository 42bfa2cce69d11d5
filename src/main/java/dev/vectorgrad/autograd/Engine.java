package dev.vectorgrad.autograd;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.internal.Internals;
import dev.vectorgrad.memory.ThreadContext;
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
    Node[] ran = new Node[16];
    int ranCount;
    /**
     * Shared nodes of this pass. Most graphs reach a handful of leaves, so a linear scan over two
     * arrays (nothing to hash, nothing to clear) wins; past {@link #LINEAR_LIMIT} leaves an
     * identity map indexes them so large models stay linear in their size.
     */
    static final int LINEAR_LIMIT = 32;
    Node[] sharedNodes = new Node[8];
    /** Reused from pass to pass (reset when taken): a pass reaching a few leaves allocates no state for them. */
    SharedState[] sharedStates = new SharedState[8];
    /** The gradients one node's derivative writes ({@link Node#applyTo}), delivered and cleared before the next node runs. */
    Tensor[] grads = new Tensor[4];
    int sharedCount;
    java.util.IdentityHashMap<Node, SharedState> sharedIndex;
    /** The nodes still to visit while counting dependencies (a stack). */
    Node[] stack = new Node[16];
    int stackSize;
    /**
     * The nodes whose inputs are all in, latest sequence number first: a binary heap that makes the
     * same moves as {@code java.util.PriorityQueue} (so equal numbers, the leaves' accumulators,
     * run in the same order), on an array kept from pass to pass.
     */
    Node[] ready = new Node[16];
    int readySize;

    /** The heap's order: negative when {@code a} runs before {@code b}. */
    private static int compare(Node a, Node b) {
      return Long.compare(b.sequenceNr(), a.sequenceNr());
    }

    void offer(Node x) {
      int k = readySize;
      if (k == ready.length) ready = java.util.Arrays.copyOf(ready, k * 2);
      Node[] es = ready;
      readySize = k + 1;
      while (k > 0) {   // PriorityQueue.siftUpUsingComparator
        int parent = (k - 1) >>> 1;
        Node e = es[parent];
        if (compare(x, e) >= 0) break;
        es[k] = e;
        k = parent;
      }
      es[k] = x;
    }

    Node poll() {
      Node[] es = ready;
      Node result = es[0];
      int n = --readySize;
      Node x = es[n];
      es[n] = null;
      if (n > 0) {   // PriorityQueue.siftDownUsingComparator
        int k = 0, half = n >>> 1;
        while (k < half) {
          int child = (k << 1) + 1;
          Node c = es[child];
          int right = child + 1;
          if (right < n && compare(c, es[right]) > 0) c = es[child = right];
          if (compare(x, c) <= 0) break;
          es[k] = c;
          k = child;
        }
        es[k] = x;
      }
      return result;
    }

    void push(Node node) {
      if (stackSize == stack.length) stack = java.util.Arrays.copyOf(stack, stackSize * 2);
      stack[stackSize++] = node;
    }

    Node pop() {
      Node node = stack[--stackSize];
      stack[stackSize] = null;
      return node;
    }

    void ran(Node node) {
      if (ranCount == ran.length) ran = java.util.Arrays.copyOf(ran, ranCount * 2);
      ran[ranCount++] = node;
    }

    /** Marks the node visited and resets its state; false if it was visited already. */
    boolean firstVisit(Node node) {
      if (node.shared()) {
        if (sharedState(node) != null) return false;
        if (sharedCount == sharedNodes.length) {
          sharedNodes = java.util.Arrays.copyOf(sharedNodes, sharedCount * 2);
          sharedStates = java.util.Arrays.copyOf(sharedStates, sharedCount * 2);
        }
        SharedState state = sharedStates[sharedCount];
        if (state == null) {
          state = new SharedState();
        } else {
          state.pendingInputs = 0;
          state.gradBuffer = null;
        }
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
      if (node.shared()) sharedState(node).pendingInputs++;
      else node.pendingInputs++;
    }

    /** One incoming edge delivered {@code g} (maybe null); true when the node has all its inputs. */
    boolean deliver(Node node, Tensor g) {
      if (node.shared()) {
        SharedState s = sharedState(node);
        if (g != null) s.gradBuffer = s.gradBuffer == null ? g : s.gradBuffer.add(g);
        return --s.pendingInputs == 0;
      }
      if (g != null) node.gradBuffer = node.gradBuffer == null ? g : node.gradBuffer.add(g);
      return --node.pendingInputs == 0;
    }

    Tensor takeGrad(Node node) {
      Tensor g;
      if (node.shared()) {
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
      for (int i = 0; i < sharedCount; i++) sharedStates[i].gradBuffer = null;   // states stay for the next pass
      if (sharedCount > LINEAR_LIMIT) java.util.Arrays.fill(sharedStates, LINEAR_LIMIT, sharedCount, null);
      sharedCount = 0;
      java.util.Arrays.fill(grads, null);
      sharedIndex = null;
      java.util.Arrays.fill(stack, 0, stackSize, null);
      stackSize = 0;
      java.util.Arrays.fill(ready, 0, readySize, null);
      readySize = 0;
      java.util.Arrays.fill(ran, 0, ranCount, null);
      ranCount = 0;
      // a huge graph's arrays are not kept for the thread's lifetime
      if (ran.length > 4096) ran = new Node[16];
      if (stack.length > 4096) stack = new Node[16];
      if (ready.length > 4096) ready = new Node[16];
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
    ThreadContext context = ThreadContext.current();
    Pass pass = (Pass) context.backwardPass;
    if (pass == null) context.backwardPass = pass = new Pass();
    if (pass.running) pass = new Pass();   // backward called from inside a backward pass (a hook)
    pass.running = true;
    pass.epoch = EPOCH.incrementAndGet();
    TensorScope scope = Internals.tensors().openPassScope();   // grad mode off until it closes
    try {
      countDependencies(root, pass);
      pass.addPending(root);
      pass.deliver(root, outputGrad == null
          ? Tensor.ones(output.dtype(), output.shape())
          : outputGrad.to(output.dtype()));
      pass.offer(root);
      while (pass.readySize > 0) {
        Node node = pass.poll();
        Tensor grad = pass.takeGrad(node);
        int arity = node.arity();
        if (arity > pass.grads.length) pass.grads = new Tensor[Math.max(arity, 2 * pass.grads.length)];
        Tensor[] inputGrads = pass.grads;
        if (grad != null) {
          grad = node.runPreHooks(grad);   // tensor hooks may replace the gradient (Tensor.registerHook)
          node.applyTo(grad, inputGrads);
        }
        if (!retainGraph) pass.ran(node);
        for (int i = 0; i < arity; i++) {
          Node target = node.next(i);
          Tensor g = inputGrads[i];
          inputGrads[i] = null;
          if (target != null && pass.deliver(target, g)) pass.offer(target);
        }
      }
      // Every derivative ran: only now may saved tensors go, so a failed pass leaves the graph whole.
      for (int i = 0; i < pass.ranCount; i++) pass.ran[i].release();
    } finally {
      try {
        Internals.tensors().closePassScope(scope);
      } finally {
        pass.clear();
      }
    }
  }

  /** Sets the pending-input count of every node reachable from {@code root} to its number of incoming edges. */
  private static void countDependencies(Node root, Pass pass) {
    pass.firstVisit(root);
    pass.push(root);
    while (pass.stackSize > 0) {
      Node node = pass.pop();
      for (int i = 0, n = node.arity(); i < n; i++) {
        Node target = node.next(i);
        if (target == null) continue;
        if (pass.firstVisit(target)) pass.push(target);
        pass.addPending(target);
      }
    }
  }
}
