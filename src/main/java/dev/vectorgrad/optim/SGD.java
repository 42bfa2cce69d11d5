package dev.vectorgrad.optim;

import dev.vectorgrad.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay.
 * PyTorch: {@code torch.optim.SGD} (1.13, {@code foreach=False}).
 *
 * <p>Options (PyTorch's names and defaults; set them with the fluent setters right after
 * construction, or per group with {@link #addParamGroup}): {@code lr} (required),
 * {@code momentum} = 0, {@code dampening} = 0, {@code weight_decay} = 0, {@code nesterov} = false,
 * {@code maximize} = false.
 *
 * <pre>{@code
 * var opt = new SGD(model.parameters(), 0.1).momentum(0.9).nesterov(true).weightDecay(5e-4);
 * }</pre>
 *
 * <p>Each parameter is updated by one fused kernel pass ({@code OptimKernels.sgd})
 * with PyTorch's operations in PyTorch's order: {@code d_p = grad (+ weight_decay * param)},
 * {@code buf = momentum * buf + (1 - dampening) * d_p} (a copy of {@code d_p} at the first step),
 * {@code d_p = nesterov ? d_p + momentum * buf : buf}, {@code param -= lr * d_p}. The state of a
 * parameter is {@code "momentum_buffer"} (null without momentum, as in PyTorch).
 */
public final class SGD extends Optimizer {

  /**
   * SGD over {@code params} with learning rate {@code lr}. PyTorch: {@code SGD(params, lr)}.
   *
   * @throws IllegalArgumentException for a negative lr ({@code "Invalid learning rate: -1.0"})
   */
  public SGD(Iterable<Tensor> params, double lr) {
    super(params, defaults(lr));
  }

  private static Map<String, Object> defaults(double lr) {
    if (lr < 0) throw new IllegalArgumentException("Invalid learning rate: " + Py.repr(lr));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", lr);
    d.put("momentum", 0.0);
    d.put("dampening", 0.0);
    d.put("weight_decay", 0.0);
    d.put("nesterov", false);
    d.put("maximize", false);
    return d;
  }

  /** Momentum factor (default 0). PyTorch: {@code momentum}. */
  public SGD momentum(double momentum) {
    if (momentum < 0) throw new IllegalArgumentException("Invalid momentum value: " + Py.repr(momentum));
    setOption("momentum", momentum);
    return this;
  }

  /** Dampening of the momentum (default 0). PyTorch: {@code dampening}. */
  public SGD dampening(double dampening) {
    setOption("dampening", dampening);
    return this;
  }

  /** L2 penalty added to the gradient (default 0). PyTorch: {@code weight_decay}. */
  public SGD weightDecay(double weightDecay) {
    if (weightDecay < 0) throw new IllegalArgumentException("Invalid weight_decay value: " + Py.repr(weightDecay));
    setOption("weight_decay", weightDecay);
    return this;
  }

  /**
   * Nesterov momentum (default false); needs a positive momentum and zero dampening, checked at
   * {@link #step()} with PyTorch's message. PyTorch: {@code nesterov}.
   */
  public SGD nesterov(boolean nesterov) {
    setOption("nesterov", nesterov);
    return this;
  }

  /** Maximizes the objective instead of minimizing it (default false). PyTorch: {@code maximize}. */
  public SGD maximize(boolean maximize) {
    setOption("maximize", maximize);
    return this;
  }

  /** The per-parameter state: PyTorch's {@code {'momentum_buffer': buf or None}}. */
  static final class State extends ParamState {
    Tensor momentumBuffer;

    @Override
    public Map<String, Object> toStateDict() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("momentum_buffer", copyOut(momentumBuffer));
      return m;
    }

    @Override
    public void close() {
      if (momentumBuffer != null) momentumBuffer.close();
      momentumBuffer = null;
    }
  }

  /**
   * One SGD step over every parameter with a gradient. PyTorch: {@code step()}.
   *
   * @throws IllegalArgumentException when a group asks for Nesterov momentum without momentum or
   *     with dampening (PyTorch's message), or for a parameter that is not float32/float64
   */
  @Override
  public void step() {
    List<ParamGroup> groups = groups();
    for (int gi = 0; gi < groups.size(); gi++) {   // index loops: no iterators per step
      ParamGroup group = groups.get(gi);
      double lr = group.lr();
      double momentum = group.getDouble("momentum");
      double dampening = group.getDouble("dampening");
      double weightDecay = group.getDouble("weight_decay");
      boolean nesterov = group.getBoolean("nesterov");
      boolean maximize = group.getBoolean("maximize");
      if (nesterov && (momentum <= 0 || dampening != 0)) {
        throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
      }
      List<Tensor> params = group.params();
      for (int pi = 0; pi < params.size(); pi++) {
        Tensor p = params.get(pi);
        Tensor grad = p.grad();
        if (grad == null) continue;
        var kernels = Fused.kernels(p, "SGD");
        State st = (State) state(p);
        if (st == null) {
          st = new State();
          setState(p, st);
        }
        boolean first = false;
        if (momentum != 0 && st.momentumBuffer == null) {
          st.momentumBuffer = newStateTensor(p);
          first = true;
        }
        Tensor buf = momentum != 0 ? st.momentumBuffer : null;
        Tensor pw = Fused.readable(p);
        Tensor gw = Fused.readable(grad);
        try {
          kernels.sgd(Fused.seg(pw), Fused.off(pw), Fused.seg(gw), Fused.off(gw), Fused.seg(buf), Fused.off(buf),
              p.numel(), lr, momentum, dampening, weightDecay, nesterov, maximize, first);
        } finally {
          Fused.finishRead(grad, gw);
        }
        Fused.wrote(buf);
        Fused.finishWrite(p, pw);
      }
    }
  }

  @Override
  protected ParamState stateFromDict(Tensor param, Map<String, Object> entries) {
    State s = new State();
    s.momentumBuffer = optionalStateTensor(param, entries, "momentum_buffer");
    return s;
  }
}
