package dev.vectorgrad.optim;

import dev.vectorgrad.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-parameter state of {@link Adam} and {@link AdamW}, and their shared step: PyTorch's
 * {@code {'step': tensor(float32), 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq' (amsgrad)}}.
 */
final class AdamState extends Optimizer.ParamState {
  /** PyTorch keeps the step count in a float32 tensor ({@code torch.tensor(0.)}; {@code step_t += 1}). */
  float step;
  Tensor expAvg;
  Tensor expAvgSq;
  Tensor maxExpAvgSq;

  @Override
  public Map<String, Object> toStateDict() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", Tensor.scalar(step));
    m.put("exp_avg", Optimizer.copyOut(expAvg));
    m.put("exp_avg_sq", Optimizer.copyOut(expAvgSq));
    if (maxExpAvgSq != null) m.put("max_exp_avg_sq", Optimizer.copyOut(maxExpAvgSq));
    return m;
  }

  @Override
  public void close() {
    if (expAvg != null) expAvg.close();
    if (expAvgSq != null) expAvgSq.close();
    if (maxExpAvgSq != null) maxExpAvgSq.close();
    expAvg = expAvgSq = maxExpAvgSq = null;
  }

  static AdamState fromDict(Tensor param, Map<String, Object> entries) {
    AdamState s = new AdamState();
    try {
      Object step = entries.get("step");
      if (step instanceof Tensor t) {
        s.step = (float) t.item();
      } else if (step instanceof Number n) {
        s.step = n.floatValue();
      } else {
        throw new IllegalArgumentException("state entry 'step' is missing or not a number: " + step);
      }
      s.expAvg = Optimizer.stateTensorFromDict(param, "exp_avg", entries.get("exp_avg"));
      s.expAvgSq = Optimizer.stateTensorFromDict(param, "exp_avg_sq", entries.get("exp_avg_sq"));
      s.maxExpAvgSq = Optimizer.optionalStateTensor(param, entries, "max_exp_avg_sq");
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** Validates Adam's options as PyTorch's constructor does. */
  static void checkLr(double lr) {
    if (!(lr >= 0)) throw new IllegalArgumentException("Invalid learning rate: " + Py.repr(lr));
  }

  static void checkEps(double eps) {
    if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + Py.repr(eps));
  }

  static void checkBetas(double beta1, double beta2) {
    if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Invalid beta parameter at index 0: " + Py.repr(beta1));
    if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Invalid beta parameter at index 1: " + Py.repr(beta2));
  }

  static void checkWeightDecay(double wd) {
    if (!(wd >= 0)) throw new IllegalArgumentException("Invalid weight_decay value: " + Py.repr(wd));
  }

  static Map<String, Object> defaults(double lr, double weightDecay) {
    checkLr(lr);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", lr);
    d.put("betas", List.of(0.9, 0.999));
    d.put("eps", 1e-8);
    d.put("weight_decay", weightDecay);
    d.put("amsgrad", false);
    d.put("maximize", false);
    return d;
  }

  /**
   * One step of Adam ({@code decoupled} false: {@code _single_tensor_adam}) or AdamW
   * ({@code _single_tensor_adamw}) over every parameter with a gradient.
   */
  static void step(Optimizer opt, boolean decoupled) {
    String name = decoupled ? "AdamW" : "Adam";
    List<ParamGroup> groups = opt.groups();
    for (int gi = 0; gi < groups.size(); gi++) {   // index loops: no iterators per step
      ParamGroup group = groups.get(gi);
      double lr = group.lr();
      double beta1 = group.getDouble("betas", 0);
      double beta2 = group.getDouble("betas", 1);
      double eps = group.getDouble("eps");
      double weightDecay = group.getDouble("weight_decay");
      boolean amsgrad = group.getBoolean("amsgrad");
      boolean maximize = group.getBoolean("maximize");
      List<Tensor> params = group.params();
      for (int pi = 0; pi < params.size(); pi++) {
        Tensor p = params.get(pi);
        Tensor grad = p.grad();
        if (grad == null) continue;
        var kernels = Fused.kernels(p, name);
        AdamState st = (AdamState) opt.state(p);
        if (st == null) {
          st = new AdamState();
          opt.setState(p, st);
          st.expAvg = Optimizer.newStateTensor(p);
          st.expAvgSq = Optimizer.newStateTensor(p);
          if (amsgrad) st.maxExpAvgSq = Optimizer.newStateTensor(p);
        }
        if (amsgrad && st.maxExpAvgSq == null) {
          st.maxExpAvgSq = Optimizer.newStateTensor(p);   // amsgrad switched on later (PyTorch: KeyError)
        }
        st.step += 1f;                                   // step_t += 1 (float32)
        double step = st.step;                           // step_t.item()
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        Tensor mx = amsgrad ? st.maxExpAvgSq : null;
        Tensor pw = Fused.readable(p);
        Tensor gw = Fused.readable(grad);
        try {
          kernels.adam(Fused.seg(pw), Fused.off(pw), Fused.seg(gw), Fused.off(gw),
              Fused.seg(st.expAvg), Fused.off(st.expAvg), Fused.seg(st.expAvgSq), Fused.off(st.expAvgSq),
              Fused.seg(mx), Fused.off(mx), p.numel(),
              beta1, beta2, eps, decoupled ? 0 : weightDecay, decoupled ? 1 - lr * weightDecay : 1,
              stepSize, biasCorrection2Sqrt, amsgrad, maximize);
        } finally {
          Fused.finishRead(grad, gw);
        }
        Fused.wrote(st.expAvg);
        Fused.wrote(st.expAvgSq);
        Fused.wrote(mx);
        Fused.finishWrite(p, pw);
      }
    }
  }
}
