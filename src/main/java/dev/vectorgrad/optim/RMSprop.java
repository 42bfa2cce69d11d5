package dev.vectorgrad.optim;

import dev.vectorgrad.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop (Hinton), optionally centered and with momentum. PyTorch: {@code torch.optim.RMSprop}
 * (1.13, {@code foreach=False}: {@code _single_tensor_rmsprop}).
 *
 * <p>Options (PyTorch's names and defaults; set them with the fluent setters right after
 * construction, or per group with {@link #addParamGroup}): {@code lr} (required here),
 * {@code alpha} = 0.99, {@code eps} = 1e-8, {@code weight_decay} = 0, {@code momentum} = 0,
 * {@code centered} = false, {@code maximize} = false.
 *
 * <pre>{@code
 * var opt = new RMSprop(model.parameters(), 1e-2).alpha(0.9).momentum(0.5).centered(true);
 * }</pre>
 *
 * <p>Each parameter is updated by one fused kernel pass ({@code OptimKernels.rmsprop}) with
 * PyTorch's operations in PyTorch's order: {@code g = grad (+ weight_decay * param)},
 * {@code square_avg = alpha * square_avg + (1 - alpha) * g * g}, centered:
 * {@code grad_avg = alpha * grad_avg + (1 - alpha) * g}, {@code avg = sqrt(square_avg - grad_avg^2) + eps}
 * (else {@code sqrt(square_avg) + eps}); with momentum {@code buf = momentum * buf + g / avg},
 * {@code param -= lr * buf}, else {@code param -= lr * g / avg}. The state of a parameter is
 * PyTorch's {@code step} (an int), {@code square_avg}, {@code momentum_buffer} (momentum &gt; 0)
 * and {@code grad_avg} (centered), created at the parameter's first step.
 */
public final class RMSprop extends Optimizer {

  /**
   * RMSprop over {@code params} with learning rate {@code lr}. PyTorch: {@code RMSprop(params, lr=lr)}.
   *
   * @throws IllegalArgumentException for a negative lr ({@code "Invalid learning rate: -1.0"})
   */
  public RMSprop(Iterable<Tensor> params, double lr) {
    super(params, defaults(lr));
  }

  private static Map<String, Object> defaults(double lr) {
    if (!(lr >= 0)) throw new IllegalArgumentException("Invalid learning rate: " + Py.repr(lr));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", lr);
    d.put("momentum", 0.0);
    d.put("alpha", 0.99);
    d.put("eps", 1e-8);
    d.put("centered", false);
    d.put("weight_decay", 0.0);
    d.put("maximize", false);
    return d;
  }

  /** Smoothing constant of the running average of the squared gradient (default 0.99). PyTorch: {@code alpha}. */
  public RMSprop alpha(double alpha) {
    if (!(alpha >= 0)) throw new IllegalArgumentException("Invalid alpha value: " + Py.repr(alpha));
    setOption("alpha", alpha);
    return this;
  }

  /** Term added to the denominator (default 1e-8). PyTorch: {@code eps}. */
  public RMSprop eps(double eps) {
    if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + Py.repr(eps));
    setOption("eps", eps);
    return this;
  }

  /** L2 penalty added to the gradient (default 0). PyTorch: {@code weight_decay}. */
  public RMSprop weightDecay(double weightDecay) {
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("Invalid weight_decay value: " + Py.repr(weightDecay));
    setOption("weight_decay", weightDecay);
    return this;
  }

  /** Momentum factor (default 0). PyTorch: {@code momentum}. */
  public RMSprop momentum(double momentum) {
    if (!(momentum >= 0)) throw new IllegalArgumentException("Invalid momentum value: " + Py.repr(momentum));
    setOption("momentum", momentum);
    return this;
  }

  /** Normalizes by an estimate of the gradient's variance (default false). PyTorch: {@code centered}. */
  public RMSprop centered(boolean centered) {
    setOption("centered", centered);
    return this;
  }

  /** Maximizes the objective instead of minimizing it (default false). PyTorch: {@code maximize}. */
  public RMSprop maximize(boolean maximize) {
    setOption("maximize", maximize);
    return this;
  }

  /** PyTorch's {@code {'step': int, 'square_avg', 'momentum_buffer' (momentum > 0), 'grad_avg' (centered)}}. */
  static final class State extends ParamState {
    long step;
    Tensor squareAvg;
    Tensor momentumBuffer;
    Tensor gradAvg;

    @Override
    public Map<String, Object> toStateDict() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", step);
      m.put("square_avg", copyOut(squareAvg));
      if (momentumBuffer != null) m.put("momentum_buffer", copyOut(momentumBuffer));
      if (gradAvg != null) m.put("grad_avg", copyOut(gradAvg));
      return m;
    }

    @Override
    public void close() {
      if (squareAvg != null) squareAvg.close();
      if (momentumBuffer != null) momentumBuffer.close();
      if (gradAvg != null) gradAvg.close();
      squareAvg = momentumBuffer = gradAvg = null;
    }
  }

  /**
   * One RMSprop step over every parameter with a gradient. PyTorch: {@code step()}.
   *
   * @throws IllegalArgumentException for a parameter that is not float32/float64
   */
  @Override
  public void step() {
    List<ParamGroup> groups = groups();
    for (int gi = 0; gi < groups.size(); gi++) {   // index loops: no iterators per step
      ParamGroup group = groups.get(gi);
      double lr = group.lr();
      double alpha = group.getDouble("alpha");
      double eps = group.getDouble("eps");
      double weightDecay = group.getDouble("weight_decay");
      double momentum = group.getDouble("momentum");
      boolean centered = group.getBoolean("centered");
      boolean maximize = group.getBoolean("maximize");
      List<Tensor> params = group.params();
      for (int pi = 0; pi < params.size(); pi++) {
        Tensor p = params.get(pi);
        Tensor grad = p.grad();
        if (grad == null) continue;
        var kernels = Fused.kernels(p, "RMSprop");
        State st = (State) state(p);
        if (st == null) {
          st = new State();
          setState(p, st);
          st.squareAvg = newStateTensor(p);
        }
        // PyTorch creates these at the first step only (a KeyError if switched on later): here lazily.
        if (momentum > 0 && st.momentumBuffer == null) st.momentumBuffer = newStateTensor(p);
        if (centered && st.gradAvg == null) st.gradAvg = newStateTensor(p);
        st.step += 1;
        Tensor ga = centered ? st.gradAvg : null;
        Tensor buf = momentum > 0 ? st.momentumBuffer : null;
        Tensor pw = Fused.readable(p);
        Tensor gw = Fused.readable(grad);
        try {
          kernels.rmsprop(Fused.seg(pw), Fused.off(pw), Fused.seg(gw), Fused.off(gw),
              Fused.seg(st.squareAvg), Fused.off(st.squareAvg), Fused.seg(ga), Fused.off(ga),
              Fused.seg(buf), Fused.off(buf), p.numel(),
              lr, alpha, eps, weightDecay, momentum, centered, maximize);
        } finally {
          Fused.finishRead(grad, gw);
        }
        Fused.wrote(st.squareAvg);
        Fused.wrote(ga);
        Fused.wrote(buf);
        Fused.finishWrite(p, pw);
      }
    }
  }

  @Override
  protected ParamState stateFromDict(Tensor param, Map<String, Object> entries) {
    State s = new State();
    try {
      if (!(entries.get("step") instanceof Number n)) {
        throw new IllegalArgumentException("state entry 'step' is missing or not a number: " + entries.get("step"));
      }
      s.step = n.longValue();
      s.squareAvg = stateTensorFromDict(param, "square_avg", entries.get("square_avg"));
      s.momentumBuffer = optionalStateTensor(param, entries, "momentum_buffer");
      s.gradAvg = optionalStateTensor(param, entries, "grad_avg");
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }
}
