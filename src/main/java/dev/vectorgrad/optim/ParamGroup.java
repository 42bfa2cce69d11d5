package dev.vectorgrad.optim;

import dev.vectorgrad.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parameter group of an {@link Optimizer}: its parameters and its own options. PyTorch: an
 * entry of {@code optimizer.param_groups} (a dict with {@code 'params'} and one entry per option).
 *
 * <p>Options are keyed by PyTorch's names ({@code "lr"}, {@code "momentum"}, {@code "betas"},
 * {@code "weight_decay"}, ...), and read by the optimizer at every {@code step()}, so a change
 * (by a scheduler, or by hand as {@code group['lr'] = 0.01} in PyTorch) takes effect at the next
 * step. Values are {@code Double} for Python floats, {@code Boolean}, {@code Integer}/{@code Long}
 * for Python ints, {@code List<Double>} for tuples such as {@code betas}; schedulers add their own
 * entries ({@code "initial_lr"}, OneCycleLR's {@code "max_lr"}, ...), as in PyTorch.
 */
public final class ParamGroup {
  private final List<Tensor> params;
  private final LinkedHashMap<String, Object> options;

  ParamGroup(List<Tensor> params, Map<String, Object> options) {
    this.params = List.copyOf(params);
    this.options = new LinkedHashMap<>(options);
  }

  /** The group's parameters, in order (unmodifiable). PyTorch: {@code group['params']}. */
  public List<Tensor> params() {
    return params;
  }

  /** The learning rate. PyTorch: {@code group['lr']}. */
  public double lr() {
    return getDouble("lr");
  }

  /** Sets the learning rate used from the next {@code step()} on. PyTorch: {@code group['lr'] = lr}. */
  public void setLr(double lr) {
    options.put("lr", lr);
  }

  /** Whether the group has an option. PyTorch: {@code key in group}. */
  public boolean has(String key) {
    return options.containsKey(key);
  }

  /**
   * An option's value, or null when absent. PyTorch: {@code group[key]}.
   */
  public Object get(String key) {
    return options.get(key);
  }

  /**
   * A numeric option as a double.
   *
   * @throws IllegalArgumentException when absent or not a number
   */
  public double getDouble(String key) {
    Object v = options.get(key);
    if (v instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException(v == null ? "parameter group has no option '" + key + "'"
        : "option '" + key + "' is not a number: " + v);
  }

  /**
   * A boolean option.
   *
   * @throws IllegalArgumentException when absent or not a Boolean
   */
  public boolean getBoolean(String key) {
    Object v = options.get(key);
    if (v instanceof Boolean b) return b;
    throw new IllegalArgumentException(v == null ? "parameter group has no option '" + key + "'"
        : "option '" + key + "' is not a boolean: " + v);
  }

  /**
   * The {@code index}-th number of a tuple option such as {@code "betas"}.
   *
   * @throws IllegalArgumentException when absent or not a list of numbers
   */
  public double getDouble(String key, int index) {
    Object v = options.get(key);
    if (v instanceof List<?> list && index < list.size() && list.get(index) instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException(v == null ? "parameter group has no option '" + key + "'"
        : "option '" + key + "' has no number at index " + index + ": " + v);
  }

  /**
   * Sets an option (read at the next {@code step()}). PyTorch: {@code group[key] = value}.
   *
   * @throws IllegalArgumentException for {@code "params"} (the parameters of a group are fixed)
   */
  public void set(String key, Object value) {
    if (key.equals("params")) throw new IllegalArgumentException("the parameters of a group cannot be replaced");
    options.put(key, value);
  }

  /** The options, without {@code "params"}, in insertion order (an unmodifiable view). */
  public Map<String, Object> options() {
    return Collections.unmodifiableMap(options);
  }

  /** Replaces all options (loadStateDict). */
  void replaceOptions(Map<String, Object> newOptions) {
    options.clear();
    options.putAll(newOptions);
  }

  @Override
  public String toString() {
    return "ParamGroup(" + params.size() + " params, " + options + ")";
  }
}
