package dev.vectorgrad.optim;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.internal.Internals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Base class of all optimizers. PyTorch: {@code torch.optim.Optimizer}.
 *
 * <p>An optimizer holds parameter groups ({@link ParamGroup}: parameters with their own options,
 * PyTorch's {@code param_groups}), the options' defaults (PyTorch's {@code defaults}) and a
 * state per parameter (PyTorch's {@code state}: momentum buffers, moments, step counts), created
 * lazily at the first {@link #step()} that sees the parameter's gradient. A parameter whose
 * {@link Tensor#grad()} is null is skipped by {@code step()}, as in PyTorch.
 *
 * <p>Memory: the state tensors belong to no {@link dev.vectorgrad.TensorScope}, so an optimizer
 * stepped inside {@code try (var scope = TensorScope.open()) { ... }} keeps its state across steps;
 * the built-in optimizers allocate nothing after the first step (each update is one fused kernel
 * call per parameter, see {@code dev.vectorgrad.kernels.OptimKernels}). {@link #close()} releases
 * the state at once (otherwise the garbage collector's safety net does).
 *
 * <pre>{@code
 * var opt = new Adam(model.parameters(), 1e-3).weightDecay(1e-4);
 * for (...) {
 *   try (var scope = TensorScope.open()) {
 *     opt.zeroGrad();
 *     Tensor loss = Functional.crossEntropy(model.forward(x), y);
 *     loss.backward();
 *     opt.step();
 *   }
 * }
 * }</pre>
 */
public abstract class Optimizer implements AutoCloseable {
  private final LinkedHashMap<String, Object> defaults;
  private final List<ParamGroup> paramGroups = new ArrayList<>();
  private final IdentityHashMap<Tensor, ParamState> state = new IdentityHashMap<>();

  /**
   * The state an optimizer keeps for one parameter. PyTorch: a value of {@code optimizer.state}
   * (a dict). The tensors it holds are unscoped (see {@link #newStateTensor(Tensor)}).
   */
  public abstract static class ParamState implements AutoCloseable {
    /** Protected: subclasses of {@link Optimizer} define their own state. */
    protected ParamState() {}

    /**
     * The entries of PyTorch's state dict for this parameter, keyed by PyTorch's names; tensors
     * are COPIES owned by the caller (the current scope, if one is open).
     */
    public abstract Map<String, Object> toStateDict();

    /** Releases the state's tensors. */
    @Override
    public abstract void close();
  }

  /**
   * An optimizer's state dict: PyTorch's {@code {'state': ..., 'param_groups': ...}}.
   * {@code state} maps a parameter's index (its position over all groups, in order) to its
   * entries ({@code "momentum_buffer"}, {@code "exp_avg"}, {@code "step"}, ...: tensors are
   * copies, owned by whoever asked for the dict); {@code paramGroups} holds each group's options
   * and, under {@code "params"}, the list of its parameters' indices. Closing the dict closes its
   * tensors.
   */
  public record StateDict(Map<Integer, Map<String, Object>> state, List<Map<String, Object>> paramGroups)
      implements AutoCloseable {
    /** Makes unmodifiable copies of the maps (the tensors are shared, not copied). */
    public StateDict {
      Map<Integer, Map<String, Object>> s = new LinkedHashMap<>();
      state.forEach((k, v) -> s.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
      state = Collections.unmodifiableMap(s);
      List<Map<String, Object>> g = new ArrayList<>();
      for (Map<String, Object> group : paramGroups) g.add(Collections.unmodifiableMap(new LinkedHashMap<>(group)));
      paramGroups = Collections.unmodifiableList(g);
    }

    /** Closes the tensors of {@link #state()}. */
    @Override
    public void close() {
      for (Map<String, Object> entries : state.values()) {
        for (Object v : entries.values()) {
          if (v instanceof Tensor t) t.close();
        }
      }
    }
  }

  /**
   * Creates the optimizer with one parameter group holding {@code params} and the given defaults.
   *
   * @throws IllegalArgumentException for an empty parameter list or a non-leaf tensor, with
   *     PyTorch's messages
   */
  protected Optimizer(Iterable<Tensor> params, Map<String, Object> defaults) {
    this.defaults = new LinkedHashMap<>(defaults);
    List<Tensor> list = new ArrayList<>();
    for (Tensor p : params) list.add(p);
    if (list.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
    addGroup(list, Map.of());
  }

  /** Performs one optimization step over every parameter that has a gradient. PyTorch: {@code step()}. */
  public abstract void step();

  /** Sets every parameter's gradient to null (PyTorch 2.x's default). PyTorch: {@code zero_grad()}. */
  public void zeroGrad() {
    zeroGrad(true);
  }

  /**
   * Clears the gradients: to null with {@code setToNone}, else fills them with zeros in place.
   * PyTorch: {@code zero_grad(set_to_none)}.
   */
  public void zeroGrad(boolean setToNone) {
    for (int gi = 0; gi < paramGroups.size(); gi++) {
      List<Tensor> params = paramGroups.get(gi).params();
      for (int i = 0; i < params.size(); i++) {
        Tensor p = params.get(i);
        Tensor g = p.grad();
        if (g == null) continue;
        if (setToNone) {
          p.setGrad(null);
        } else {
          try (GradMode.Guard guard = GradMode.noGrad()) {
            g.zero_();
          }
        }
      }
    }
  }

  /** The parameter groups (unmodifiable list; the groups' options can be set). PyTorch: {@code param_groups}. */
  public List<ParamGroup> paramGroups() {
    return Collections.unmodifiableList(paramGroups);
  }

  /** The groups themselves, for the steps: no wrapper or iterator objects per step. */
  final List<ParamGroup> groups() {
    return paramGroups;
  }

  /** The default options of new groups (unmodifiable). PyTorch: {@code defaults}. */
  public Map<String, Object> defaults() {
    return Collections.unmodifiableMap(defaults);
  }

  /**
   * Adds a group of parameters with options of their own; options it does not name take the
   * optimizer's defaults. PyTorch: {@code add_param_group({'params': params, **options})}.
   *
   * @throws IllegalArgumentException for an empty group, a non-leaf tensor, or a parameter that is
   *     already in a group, with PyTorch's messages
   */
  public void addParamGroup(Iterable<Tensor> params, Map<String, Object> options) {
    addGroup(params, options);
  }

  private void addGroup(Iterable<Tensor> params, Map<String, Object> options) {
    List<Tensor> list = new ArrayList<>();
    for (Tensor p : params) {
      if (p == null) throw new IllegalArgumentException("optimizer can only optimize Tensors, but one of the params is null");
      if (!p.isLeaf()) throw new IllegalArgumentException("can't optimize a non-leaf Tensor");
      list.add(p);
    }
    if (list.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
    if (options.containsKey("params")) throw new IllegalArgumentException("pass the parameters as the first argument, not as an option");
    for (ParamGroup g : paramGroups) {
      for (Tensor q : g.params()) {
        for (Tensor p : list) {
          if (p == q) throw new IllegalArgumentException("some parameters appear in more than one parameter group");
        }
      }
    }
    Map<String, Object> merged = new LinkedHashMap<>(options);
    for (var e : defaults.entrySet()) merged.putIfAbsent(e.getKey(), e.getValue());
    paramGroups.add(new ParamGroup(list, merged));
  }

  /**
   * Sets a default option and the option of every existing group: what the fluent setters of the
   * optimizers ({@code momentum(0.9)}, {@code betas(0.9, 0.99)}, ...) call. Meant for configuring
   * an optimizer right after construction; groups added later take it as their default.
   */
  protected void setOption(String key, Object value) {
    defaults.put(key, value);
    for (ParamGroup g : paramGroups) g.set(key, value);
  }

  /** The state of {@code param}, or null before its first step. PyTorch: {@code state[param]}. */
  protected ParamState state(Tensor param) {
    return state.get(param);
  }

  /** Sets the state of {@code param} (closing the previous one). */
  protected void setState(Tensor param, ParamState s) {
    ParamState old = state.put(param, s);
    if (old != null && old != s) old.close();
  }

  /** The number of parameters that have state (that took part in a step). PyTorch: {@code len(optimizer.state)}. */
  public int stateSize() {
    return state.size();
  }

  /**
   * Rebuilds a parameter's state from its state-dict entries (as {@link ParamState#toStateDict()}
   * wrote them): tensors are copied into new unscoped tensors of the parameter's dtype (except a
   * {@code "step"}, kept as it is, as PyTorch's {@code load_state_dict} does).
   */
  protected abstract ParamState stateFromDict(Tensor param, Map<String, Object> entries);

  /**
   * The optimizer's state dict: parameters are named by their index over all groups, as PyTorch's
   * {@code state_dict()}. The tensors in it are copies that belong to the caller (the open scope,
   * if any); {@link #loadStateDict(StateDict)} of the result restores this optimizer's state exactly.
   */
  public StateDict stateDict() {
    IdentityHashMap<Tensor, Integer> index = new IdentityHashMap<>();
    List<Map<String, Object>> groups = new ArrayList<>();
    int start = 0;
    for (ParamGroup g : paramGroups) {
      Map<String, Object> packed = new LinkedHashMap<>(g.options());
      List<Integer> ids = new ArrayList<>();
      List<Tensor> ps = g.params();
      for (int i = 0; i < ps.size(); i++) index.putIfAbsent(ps.get(i), start + i);
      for (Tensor p : ps) ids.add(index.get(p));
      packed.put("params", List.copyOf(ids));
      start += ps.size();
      groups.add(packed);
    }
    TreeMap<Integer, Map<String, Object>> packedState = new TreeMap<>();
    for (var e : state.entrySet()) {
      Integer i = index.get(e.getKey());
      if (i != null) packedState.put(i, e.getValue().toStateDict());
    }
    return new StateDict(packedState, groups);
  }

  /**
   * Loads a state dict made by {@link #stateDict()} (of this optimizer or another of the same
   * kind over parameters of the same shapes): copies its state tensors (cast to each parameter's
   * dtype, except {@code "step"}) and replaces the groups' options. PyTorch: {@code load_state_dict}.
   *
   * @throws IllegalArgumentException when the number of groups or of parameters in a group
   *     differs, with PyTorch's messages, or a state tensor's shape is not its parameter's
   */
  public void loadStateDict(StateDict stateDict) {
    List<Map<String, Object>> saved = stateDict.paramGroups();
    if (saved.size() != paramGroups.size()) {
      throw new IllegalArgumentException("loaded state dict has a different number of parameter groups");
    }
    Map<Integer, Tensor> idMap = new LinkedHashMap<>();
    for (int gi = 0; gi < saved.size(); gi++) {
      List<?> ids = savedParams(saved.get(gi));
      List<Tensor> ps = paramGroups.get(gi).params();
      if (ids.size() != ps.size()) {
        throw new IllegalArgumentException(
            "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
      for (int i = 0; i < ids.size(); i++) idMap.put(((Number) ids.get(i)).intValue(), ps.get(i));
    }
    IdentityHashMap<Tensor, ParamState> fresh = new IdentityHashMap<>();
    try {
      for (var e : stateDict.state().entrySet()) {
        Tensor p = idMap.get(e.getKey());
        if (p != null) fresh.put(p, stateFromDict(p, e.getValue()));
      }
    } catch (RuntimeException ex) {
      for (ParamState s : fresh.values()) s.close();
      throw ex;
    }
    close();
    state.putAll(fresh);
    for (int gi = 0; gi < saved.size(); gi++) {
      Map<String, Object> options = new LinkedHashMap<>(saved.get(gi));
      options.remove("params");
      paramGroups.get(gi).replaceOptions(options);
    }
  }

  private static List<?> savedParams(Map<String, Object> group) {
    if (group.get("params") instanceof List<?> ids) return ids;
    throw new IllegalArgumentException("a saved parameter group has no 'params' list");
  }

  /** Releases the state of every parameter (momentum buffers, moments) now; the next step starts afresh. */
  @Override
  public void close() {
    for (ParamState s : state.values()) s.close();
    state.clear();
  }

  // ------------------------------------------------------------------ helpers for subclasses

  /** A new zero tensor with {@code param}'s dtype and shape that belongs to no scope (optimizer state). */
  protected static Tensor newStateTensor(Tensor param) {
    return Internals.tensors().unscoped(Tensor.zeros(param.dtype(), param.shape()));
  }

  /**
   * An unscoped copy of a state-dict tensor for {@code param}: cast to the parameter's dtype when
   * floating point, as PyTorch's {@code load_state_dict} casts.
   *
   * @throws IllegalArgumentException when {@code value} is not a tensor of the parameter's shape
   */
  protected static Tensor stateTensorFromDict(Tensor param, String key, Object value) {
    if (!(value instanceof Tensor t)) {
      throw new IllegalArgumentException("state entry '" + key + "' is not a tensor: " + value);
    }
    if (!java.util.Arrays.equals(t.shape(), param.shape())) {
      throw new IllegalArgumentException("state entry '" + key + "' has shape " + java.util.Arrays.toString(t.shape())
          + " but its parameter has shape " + java.util.Arrays.toString(param.shape()));
    }
    try (GradMode.Guard guard = GradMode.noGrad()) {
      DType d = param.dtype();
      Tensor copy = t.dtype() == d ? t.clone() : t.to(d);   // fresh, contiguous, no history under no_grad
      return Internals.tensors().unscoped(copy);
    }
  }

  /** An unscoped copy of an optional state-dict tensor, or null when the entry is absent or None. */
  protected static Tensor optionalStateTensor(Tensor param, Map<String, Object> entries, String key) {
    Object v = entries.get(key);
    return v == null ? null : stateTensorFromDict(param, key, v);
  }

  /** A state-dict tensor's copy owned by the caller (for {@link ParamState#toStateDict()}), or null. */
  protected static Tensor copyOut(Tensor t) {
    if (t == null) return null;
    try (GradMode.Guard guard = GradMode.noGrad()) {
      return t.clone();
    }
  }
}
