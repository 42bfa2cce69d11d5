package dev.vectorgrad.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base class of the learning rate schedulers: each {@link #step()} advances the epoch counter and
 * writes the new learning rate of every parameter group into the optimizer. PyTorch:
 * {@code torch.optim.lr_scheduler._LRScheduler} (1.13).
 *
 * <p>Construction performs PyTorch's initial step (epoch 0), which may already change the
 * learning rate (LinearLR's start factor). As in PyTorch, {@link #step()} uses the recursive
 * ("chainable") form of each schedule, computed from the groups' current learning rates with
 * PyTorch's operations in PyTorch's order (in double, as Python floats), so the sequences are
 * PyTorch's to the last bit up to {@code Math.cos}/{@code Math.pow} against the C library's; the
 * deprecated {@link #step(int)} with an explicit epoch uses the closed form where PyTorch has one.
 * Call it after {@code optimizer.step()}, as in PyTorch (PyTorch's order warnings are not issued).
 */
public abstract class LRScheduler {
  /** The optimizer whose groups' learning rates this scheduler sets. */
  protected final Optimizer optimizer;
  /** Each group's {@code initial_lr}. PyTorch: {@code base_lrs}. */
  protected final double[] baseLrs;
  /** PyTorch: {@code last_epoch} (-1 before the initial step). */
  protected int lastEpoch;
  /** PyTorch: {@code _step_count} (steps taken, the initial one included). */
  protected int stepCount;
  private double[] lastLr;

  /**
   * Attaches the scheduler to {@code optimizer}. With {@code lastEpoch == -1} each group's
   * {@code initial_lr} is set to its {@code lr} unless present; otherwise every group must have an
   * {@code initial_lr} (resuming), as in PyTorch. Subclasses set their fields and then call
   * {@link #initialStep()} at the end of their constructor.
   *
   * @throws IllegalArgumentException when resuming without {@code initial_lr} (PyTorch's KeyError text)
   */
  protected LRScheduler(Optimizer optimizer, int lastEpoch) {
    this.optimizer = optimizer;
    List<ParamGroup> groups = optimizer.paramGroups();
    if (lastEpoch == -1) {
      for (ParamGroup g : groups) {
        if (!g.has("initial_lr")) g.set("initial_lr", g.lr());
      }
    } else {
      for (int i = 0; i < groups.size(); i++) {
        if (!groups.get(i).has("initial_lr")) {
          throw new IllegalArgumentException("param 'initial_lr' is not specified in param_groups[" + i
              + "] when resuming an optimizer");
        }
      }
    }
    baseLrs = new double[groups.size()];
    for (int i = 0; i < baseLrs.length; i++) baseLrs[i] = groups.get(i).getDouble("initial_lr");
    this.lastEpoch = lastEpoch;
  }

  /** PyTorch's {@code _initial_step()}: the step to epoch {@code lastEpoch + 1} made by the constructor. */
  protected final void initialStep() {
    stepCount = 0;
    step();
  }

  /**
   * The learning rates for epoch {@link #lastEpoch} (already advanced) in the chainable form,
   * from the groups' current values. PyTorch: {@code get_lr()}.
   */
  protected abstract double[] computeLr();

  /**
   * The closed form for epoch {@link #lastEpoch}, or null where PyTorch has none (then
   * {@link #step(int)} uses {@link #computeLr()}). PyTorch: {@code _get_closed_form_lr()}.
   */
  protected double[] closedFormLr() {
    return null;
  }

  /** Advances one epoch and sets the groups' learning rates. PyTorch: {@code scheduler.step()}. */
  public void step() {
    stepCount++;
    lastEpoch++;
    apply(computeLr());
  }

  /**
   * Jumps to {@code epoch} and sets the learning rates with the closed form (deprecated in PyTorch
   * as here: prefer {@link #step()}). PyTorch: {@code scheduler.step(epoch)}.
   *
   * @deprecated as PyTorch's {@code step(epoch)}.
   */
  @Deprecated
  public void step(int epoch) {
    stepCount++;
    lastEpoch = epoch;
    double[] closed = closedFormLr();
    apply(closed != null ? closed : computeLr());
  }

  private void apply(double[] values) {
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < groups.size() && i < values.length; i++) groups.get(i).setLr(values[i]);
    lastLr = new double[groups.size()];
    for (int i = 0; i < lastLr.length; i++) lastLr[i] = groups.get(i).lr();
  }

  /** The learning rates set by the last step, one per group. PyTorch: {@code get_last_lr()}. */
  public List<Double> getLastLr() {
    List<Double> out = new ArrayList<>(lastLr.length);
    for (double v : lastLr) out.add(v);
    return Collections.unmodifiableList(out);
  }

  /** The index of the last epoch ({@code 0} after construction). PyTorch: {@code last_epoch}. */
  public int lastEpoch() {
    return lastEpoch;
  }

  /** Each group's initial learning rate. PyTorch: {@code base_lrs}. */
  public List<Double> baseLrs() {
    return doubles(baseLrs);
  }

  /** The optimizer this scheduler drives. PyTorch: {@code optimizer}. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /**
   * The scheduler's state: PyTorch's {@code state_dict()} (every attribute but the optimizer),
   * keyed by PyTorch's attribute names: {@code base_lrs}, {@code last_epoch}, {@code verbose},
   * {@code _step_count}, {@code _get_lr_called_within_step}, {@code _last_lr}, then the
   * subclass's own ({@code step_size}, {@code gamma}, ...). Numbers are {@code Integer} for
   * Python ints and {@code Double} for floats, lists are {@code List<Double>}.
   */
  public Map<String, Object> stateDict() {
    Map<String, Object> m = new LinkedHashMap<>();
    putOwnState(m);
    m.put("base_lrs", doubles(baseLrs));
    m.put("last_epoch", lastEpoch);
    m.put("verbose", false);
    m.put("_step_count", stepCount);
    m.put("_get_lr_called_within_step", false);
    m.put("_last_lr", lastLr == null ? null : doubles(lastLr));
    return Collections.unmodifiableMap(m);
  }

  /**
   * Restores a state made by {@link #stateDict()} (PyTorch: {@code load_state_dict}, which
   * updates the attributes it names). Keys it does not know are rejected.
   *
   * @throws IllegalArgumentException for an unknown key or a value of the wrong kind
   */
  public void loadStateDict(Map<String, Object> state) {
    for (var e : state.entrySet()) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (key) {
        case "base_lrs" -> {
          double[] b = toDoubles(key, v);
          if (b.length != baseLrs.length) throw new IllegalArgumentException("base_lrs has " + b.length + " values for " + baseLrs.length + " groups");
          System.arraycopy(b, 0, baseLrs, 0, b.length);
        }
        case "last_epoch" -> lastEpoch = toInt(key, v);
        case "_step_count" -> stepCount = toInt(key, v);
        case "_last_lr" -> lastLr = v == null ? null : toDoubles(key, v);
        case "verbose", "_get_lr_called_within_step" -> { }
        default -> {
          if (!loadOwnState(key, v)) throw new IllegalArgumentException("unknown scheduler state entry '" + key + "'");
        }
      }
    }
  }

  /** Puts the subclass's own attributes (PyTorch's names) into a state dict. */
  protected abstract void putOwnState(Map<String, Object> state);

  /** Restores one of the subclass's own attributes; false when the key is not one of them. */
  protected abstract boolean loadOwnState(String key, Object value);

  // ------------------------------------------------------------------ helpers

  static List<Double> doubles(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) out.add(v);
    return Collections.unmodifiableList(out);
  }

  static double[] toDoubles(String key, Object v) {
    if (v instanceof List<?> list) {
      double[] out = new double[list.size()];
      for (int i = 0; i < out.length; i++) out[i] = toDouble(key, list.get(i));
      return out;
    }
    if (v instanceof double[] a) return a.clone();
    throw new IllegalArgumentException("scheduler state entry '" + key + "' is not a list of numbers: " + v);
  }

  static double toDouble(String key, Object v) {
    if (v instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException("scheduler state entry '" + key + "' is not a number: " + v);
  }

  static int toInt(String key, Object v) {
    if (v instanceof Number n && n.doubleValue() == n.intValue()) return n.intValue();
    throw new IllegalArgumentException("scheduler state entry '" + key + "' is not an int: " + v);
  }

  /** The current learning rates of the optimizer's groups (PyTorch's {@code group['lr']} list). */
  double[] groupLrs() {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] out = new double[groups.size()];
    for (int i = 0; i < out.length; i++) out[i] = groups.get(i).lr();
    return out;
  }
}
