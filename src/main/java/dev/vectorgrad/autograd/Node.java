package dev.vectorgrad.autograd;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.memory.ThreadContext;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One recorded operation in the backward graph. PyTorch equivalent: {@code torch.autograd.graph.Node}
 * (a tensor's {@code grad_fn}).
 *
 * <p>A node knows its name ({@code MulBackward0}), a sequence number (ops recorded later on a
 * thread get larger numbers; the engine runs ready nodes with the larger number first, as PyTorch
 * does), one edge per input of its op (the input's own node, an accumulator for a leaf, or
 * {@code null} when that input needs no gradient), what it saved in forward, and its derivative:
 * {@link #apply} maps the gradient of the op's output to the gradients of its inputs. The forward
 * kernel and this derivative are written side by side, one class per op.
 *
 * <p>Thread safety: a node is built by one thread and immutable afterwards, except for the
 * engine's bookkeeping while a backward pass runs through it: one graph must not be backwarded by
 * two threads at the same time. Graphs that only share leaves may run concurrently: a leaf's
 * accumulator ({@link #sharedAcrossGraphs()}) keeps no per-pass state on itself.
 */
public abstract class Node {
  private final long sequenceNr;
  /**
   * The edges: up to two in fields ({@link #edge0}, {@link #edge1}), so that the common nodes carry
   * no array; more in {@link #edges}, which then holds all of them.
   */
  private final Node edge0, edge1;
  private final Node[] edges;
  /**
   * The edge count when at most two (bits 0-1; past two it is {@code edges.length}) and
   * {@link #sharedAcrossGraphs()} (bit 2, asked once at construction: the engine checks it at every
   * step), in one byte so that the common nodes stay within 64 or 72 bytes.
   */
  private final byte bits;
  private static final int SHARED = 4;
  /** Copy-on-write, so that a pass runs the hooks registered when the node started, whatever they register meanwhile. */
  private volatile UnaryOperator<Tensor>[] preHooks;
  private boolean released;

  // Engine bookkeeping for the backward pass in progress; shared nodes keep theirs in the pass.
  int visitEpoch;
  int pendingInputs;
  Tensor gradBuffer;

  /**
   * A node with the given edges. PyTorch: the {@code Node} constructor.
   *
   * @param next one edge per op input; {@code null} where that input needs no gradient */
  protected Node(Node... next) {
    this(nextSequenceNr(), next);
  }

  /**
   * A node with one edge (no array is made). PyTorch: the {@code Node} constructor.
   *
   * @param next the edge to the op's input; {@code null} when it needs no gradient
   */
  protected Node(Node next) {
    this.sequenceNr = nextSequenceNr();
    this.edge0 = next;
    this.edge1 = null;
    this.edges = null;
    this.bits = (byte) (1 | (sharedAcrossGraphs() ? SHARED : 0));
  }

  /**
   * A node with two edges (no array is made). PyTorch: the {@code Node} constructor.
   *
   * @param first the edge to the op's first input, or {@code null}
   * @param second the edge to the op's second input, or {@code null}
   */
  protected Node(Node first, Node second) {
    this.sequenceNr = nextSequenceNr();
    this.edge0 = first;
    this.edge1 = second;
    this.edges = null;
    this.bits = (byte) (2 | (sharedAcrossGraphs() ? SHARED : 0));
  }

  /** For nodes that run first whenever ready, like PyTorch's {@code AccumulateGrad}. */
  protected Node(long sequenceNr, Node... next) {
    this.sequenceNr = sequenceNr;
    int arity = Math.min(next.length, 2);   // past two: edges.length
    this.edge0 = next.length > 0 ? next[0] : null;
    this.edge1 = next.length > 1 ? next[1] : null;
    this.edges = next.length > 2 ? next : null;
    this.bits = (byte) (arity | (sharedAcrossGraphs() ? SHARED : 0));
  }

  /** The number of edges (the op's inputs). */
  final int arity() {
    Node[] e = edges;
    return e != null ? e.length : bits & 3;
  }

  /** {@link #sharedAcrossGraphs()}, as answered at construction. */
  final boolean shared() {
    return (bits & SHARED) != 0;
  }

  /** Edge {@code i} ({@code 0 <= i < arity()}). */
  final Node next(int i) {
    Node[] e = edges;
    if (e != null) return e[i];
    if (i >= (bits & 3)) throw new ArrayIndexOutOfBoundsException(i);
    return i == 0 ? edge0 : edge1;
  }

  private static long nextSequenceNr() {
    return ThreadContext.current().sequenceNr++;
  }

  /** PyTorch's class name of this node, e.g. {@code AddBackward0}. */
  public abstract String name();

  /**
   * The name PyTorch's C++ side gives this node in error messages: {@link #name()}, except for
   * nodes that are not generated from derivatives.yaml ({@code torch::autograd::CopySlices}).
   */
  public String qualifiedName() {
    return name();
  }

  /** Position in recording order on the recording thread. */
  public final long sequenceNr() {
    return sequenceNr;
  }

  /** The nodes gradients flow to, one per op input ({@code null} entries included), as {@code next_functions}. */
  public final List<Node> nextFunctions() {
    Node[] all = new Node[arity()];
    for (int i = 0; i < all.length; i++) all[i] = next(i);
    return Collections.unmodifiableList(Arrays.asList(all));
  }

  /**
   * The derivative: gradients of the op's inputs given the gradient of its output, each with its
   * input's shape and dtype, or {@code null} where {@link #needsInputGrad(int)} is false.
   */
  protected abstract Tensor[] apply(Tensor gradOutput);

  /**
   * The derivative as the engine calls it: the gradients of the op's inputs written into
   * {@code grads[0 .. arity)} (entries it leaves alone stay {@code null}). By default the result of
   * {@link #apply}; the nodes of the hottest ops override it so that a backward pass makes no array
   * per node.
   */
  protected void applyTo(Tensor gradOutput, Tensor[] grads) {
    Tensor[] r = apply(gradOutput);
    System.arraycopy(r, 0, grads, 0, r.length);
  }

  /**
   * Runs another node's derivative: for nodes that wrap one, as PyTorch's {@code CopySlices} wraps
   * the node of an in-place op applied through a view.
   */
  protected static Tensor[] applyWrapped(Node wrapped, Tensor gradOutput) {
    return wrapped.apply(gradOutput);
  }

  /** The edges of another node, for nodes that wrap one. */
  protected static Node edge(Node node, int i) {
    return node.next(i);
  }

  /** Frees another node's saved state, for nodes that wrap one. */
  protected static void releaseWrapped(Node node) {
    node.release();
  }

  /** The number of inputs of another node's op. */
  protected static int inputCount(Node node) {
    return node.arity();
  }

  /** Whether input {@code i} needs a gradient (its edge is not {@code null}). */
  protected final boolean needsInputGrad(int i) {
    return next(i) != null;
  }

  /**
   * Whether graphs recorded by different threads may reach this node, so that concurrent backward
   * passes must keep their bookkeeping for it apart (true for a leaf's accumulator). Asked once, by
   * the constructor: the answer must not depend on the subclass's own fields.
   */
  protected boolean sharedAcrossGraphs() {
    return false;
  }

  /** Drops what was saved for backward; called once the graph has been backwarded without retaining it. */
  protected void releaseSaved() {}

  /** Whether this node's saved state was freed by a backward pass that did not retain the graph. */
  public final boolean isReleased() {
    return released;
  }

  final void release() {
    if (!released) {
      released = true;
      releaseSaved();
    }
  }

  /**
   * Runs {@code hook} with the gradient of this node's output each time backward reaches it, before
   * the node runs, without changing it (PyTorch: {@code register_prehook} with a hook returning
   * {@code None}); {@link Tensor#retainGrad()} is built on this.
   */
  public final void registerPreHook(Consumer<Tensor> hook) {
    registerReplacingPreHook(g -> {
      hook.accept(g);
      return null;
    });
  }

  /**
   * Runs {@code hook} with the gradient of this node's output each time backward reaches it, before
   * the node runs; a non-null result replaces the gradient for the hooks registered after it and for
   * the node itself. It must have the gradient's shape and dtype and must not modify its argument in
   * place. Hooks run in registration order. PyTorch: {@code Node.register_prehook} (one output);
   * {@link Tensor#registerHook} is built on this, as {@code Tensor.register_hook} is in PyTorch 1.13.
   */
  @SuppressWarnings("unchecked")
  public final synchronized void registerReplacingPreHook(UnaryOperator<Tensor> hook) {
    java.util.Objects.requireNonNull(hook, "hook");
    UnaryOperator<Tensor>[] old = preHooks;
    UnaryOperator<Tensor>[] hooks = old == null ? new UnaryOperator[1] : Arrays.copyOf(old, old.length + 1);
    hooks[hooks.length - 1] = hook;
    preHooks = hooks;
  }

  /** Runs the pre-hooks in order, each on the previous one's result; returns the gradient the node then takes. */
  final Tensor runPreHooks(Tensor grad) {
    UnaryOperator<Tensor>[] hooks = preHooks;
    if (hooks != null) {
      for (UnaryOperator<Tensor> h : hooks) {
        Tensor replaced = h.apply(grad);
        if (replaced != null) grad = replaced;
      }
    }
    return grad;
  }

  @Override
  public String toString() {
    return "<" + name() + ">";
  }

  /** PyTorch's message when a freed graph is backwarded again. */
  public static final String BACKWARD_TWICE_MESSAGE =
      "Trying to backward through the graph a second time (or directly access saved tensors after "
          + "they have already been freed). Saved intermediate values of the graph are freed when you "
          + "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
          + "through the graph a second time or if you need to access saved tensors after calling backward.";

  /** Throws PyTorch's error if this node's saved values were freed; for nodes that save scalars. */
  protected final void checkNotReleased() {
    if (released) throw new IllegalStateException(BACKWARD_TWICE_MESSAGE);
  }
}
