package dev.vectorgrad.nn;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.internal.Internals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of every layer and model: a tree of modules holding parameters and buffers.
 * PyTorch equivalent: {@code torch.nn.Module}.
 *
 * <p>A subclass registers what it owns in its constructor, in the order PyTorch's attribute
 * assignments would, and computes its output in {@link #forward(Tensor)}:
 *
 * <pre>{@code
 * class TwoLayer extends Module {
 *   private final Linear fc1 = registerModule("fc1", new Linear(784, 256));
 *   private final Linear fc2 = registerModule("fc2", new Linear(256, 10));
 *   private final Tensor scale = registerParameter("scale", Tensor.ones(10));
 *
 *   public Tensor forward(Tensor x) {
 *     return fc2.forward(fc1.forward(x).relu()).mul(getParameter("scale"));
 *   }
 * }
 * }</pre>
 *
 * <p>Names and order follow PyTorch: {@link #namedParameters()} walks this module's own
 * parameters in registration order, then each child's (pre-order), with dotted names such as
 * {@code fc1.weight} or {@code 0.bias}, each tensor once; {@link #stateDict()} lists parameters
 * then persistent buffers of each module, children after their parent.
 *
 * <p>Memory: parameters and buffers are handed to no {@link dev.vectorgrad.TensorScope} when
 * registered, so they outlive every training step's scope (their gradients belong to them). They
 * are released when closed or, as a safety net, when the module becomes unreachable.
 *
 * <p>Unlike PyTorch, a Java module cannot change a tensor's dtype in place: {@link #to(DType)}
 * registers converted tensors and closes the old ones. Code that kept references to parameters
 * (an optimizer, a field) must fetch them again afterwards ({@link #parameters()},
 * {@link #getParameter(String)}); built-in modules read theirs from the registry on every call.
 */
public abstract class Module {
  private final Map<String, Tensor> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Set<String> nonPersistentBuffers = new HashSet<>();
  private final Map<String, Module> modules = new LinkedHashMap<>();
  private boolean training = true;

  /** A module in training mode with nothing registered. PyTorch: {@code Module.__init__}. */
  protected Module() {}

  /**
   * The module's computation. PyTorch: {@code forward} (what calling the module runs).
   *
   * @param input the input tensor
   * @return the output tensor
   */
  public abstract Tensor forward(Tensor input);

  // ------------------------------------------------------------------------------------------ registration

  /**
   * Registers {@code param} (or null: a declared but absent parameter, as PyTorch's
   * {@code register_parameter(name, None)} for {@code bias=False}) under {@code name}, replacing a
   * parameter of that name. The tensor becomes a parameter: it requires grad and belongs to no
   * scope. Returns it. PyTorch: {@code register_parameter(name, nn.Parameter(t))}.
   *
   * @throws IllegalArgumentException for an empty or dotted name, a name taken by a buffer or
   *     submodule, or a tensor that is not a leaf (PyTorch's messages)
   */
  protected final Tensor registerParameter(String name, Tensor param) {
    checkName(name, "parameter", false);
    if (buffers.containsKey(name) || modules.containsKey(name)) {
      throw new IllegalArgumentException("attribute '" + name + "' already exists");
    }
    if (param != null) {
      if (!param.isLeaf()) {
        throw new IllegalArgumentException("Cannot assign non-leaf Tensor to parameter '" + name + "'. Model "
            + "parameters must be created explicitly. To express '" + name + "' as a function of another "
            + "Tensor, compute the value in the forward() method.");
      }
      param.requiresGrad_(true);
      Internals.tensors().unscoped(param);
    }
    parameters.put(name, param);
    return param;
  }

  /**
   * Registers a persistent buffer (state that is not a parameter, saved in the state dict, such
   * as BatchNorm's running mean); null declares an absent one. The tensor belongs to no scope.
   * Returns it. PyTorch: {@code register_buffer(name, tensor)}.
   *
   * @throws IllegalArgumentException for an empty or dotted name, or one taken by a parameter or submodule
   */
  protected final Tensor registerBuffer(String name, Tensor buffer) {
    return registerBuffer(name, buffer, true);
  }

  /**
   * Registers a buffer; a non-persistent one is left out of the state dict.
   * PyTorch: {@code register_buffer(name, tensor, persistent)}.
   *
   * @throws IllegalArgumentException for an empty or dotted name, or one taken by a parameter or submodule
   */
  protected final Tensor registerBuffer(String name, Tensor buffer, boolean persistent) {
    checkName(name, "buffer", false);
    if (parameters.containsKey(name) || modules.containsKey(name)) {
      throw new IllegalArgumentException("attribute '" + name + "' already exists");
    }
    if (buffer != null) Internals.tensors().unscoped(buffer);
    buffers.put(name, buffer);
    if (persistent) nonPersistentBuffers.remove(name);
    else nonPersistentBuffers.add(name);
    return buffer;
  }

  /**
   * Registers a submodule (null declares an absent one) under {@code name}; returns it.
   * PyTorch: {@code add_module(name, module)} / {@code register_module}.
   *
   * @throws IllegalArgumentException for an empty or dotted name, or one taken by a parameter or buffer
   */
  protected final <M extends Module> M registerModule(String name, M module) {
    checkName(name, "module", true);
    if (parameters.containsKey(name) || buffers.containsKey(name)) {
      throw new IllegalArgumentException("attribute '" + name + "' already exists");
    }
    modules.put(name, module);
    return module;
  }

  private static void checkName(String name, String kind, boolean showName) {
    if (name == null) throw new IllegalArgumentException(kind + " name should be a string. Got null");
    if (name.contains(".")) {
      throw new IllegalArgumentException(kind + " name can't contain \".\"" + (showName ? ", got: " + name : ""));
    }
    if (name.isEmpty()) throw new IllegalArgumentException(kind + " name can't be empty string \"\"");
  }

  // ------------------------------------------------------------------------------------------ lookup

  /**
   * The parameter at a dotted path ({@code "weight"}, {@code "0.bias"}). PyTorch: {@code get_parameter(target)}.
   *
   * @throws IllegalArgumentException when there is no such parameter (PyTorch's message)
   */
  public final Tensor getParameter(String target) {
    int dot = target.lastIndexOf('.');
    Module owner = dot < 0 ? this : getSubmodule(target.substring(0, dot));
    String name = dot < 0 ? target : target.substring(dot + 1);
    if (!owner.parameters.containsKey(name)) {
      throw new IllegalArgumentException(owner.getName() + " has no attribute `" + name + "`");
    }
    return owner.parameters.get(name);
  }

  /**
   * The buffer at a dotted path ({@code "running_mean"}, {@code "1.running_var"}). PyTorch: {@code get_buffer(target)}.
   *
   * @throws IllegalArgumentException when there is no such buffer (PyTorch's message)
   */
  public final Tensor getBuffer(String target) {
    int dot = target.lastIndexOf('.');
    Module owner = dot < 0 ? this : getSubmodule(target.substring(0, dot));
    String name = dot < 0 ? target : target.substring(dot + 1);
    if (!owner.buffers.containsKey(name)) {
      throw new IllegalArgumentException(owner.getName() + " has no attribute `" + name + "`");
    }
    return owner.buffers.get(name);
  }

  /**
   * The submodule at a dotted path ({@code "0"}, {@code "encoder.fc1"}); the empty string is this
   * module. PyTorch: {@code get_submodule(target)}.
   *
   * @throws IllegalArgumentException when there is no such submodule (PyTorch's message)
   */
  public final Module getSubmodule(String target) {
    if (target.isEmpty()) return this;
    Module m = this;
    for (String item : target.split("\\.", -1)) {
      if (!m.modules.containsKey(item)) {
        throw new IllegalArgumentException(m.getName() + " has no attribute `" + item + "`");
      }
      m = m.modules.get(item);
      if (m == null) throw new IllegalArgumentException("`" + item + "` is not an nn.Module");
    }
    return m;
  }

  // ------------------------------------------------------------------------------------------ traversal

  /**
   * This module and every submodule, pre-order, each once, keyed by dotted path ({@code ""} for
   * this one). PyTorch: {@code named_modules()}.
   */
  public final Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    collectModules(out, Collections.newSetFromMap(new IdentityHashMap<>()), "");
    return out;
  }

  private void collectModules(Map<String, Module> out, Set<Module> seen, String prefix) {
    if (!seen.add(this)) return;
    out.put(prefix, this);
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      if (e.getValue() == null) continue;
      e.getValue().collectModules(out, seen, prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey());
    }
  }

  /** This module and every submodule, pre-order, each once. PyTorch: {@code modules()}. */
  public final List<Module> modules() {
    return new ArrayList<>(namedModules().values());
  }

  /** The direct submodules by name, in registration order, each once. PyTorch: {@code named_children()}. */
  public final Map<String, Module> namedChildren() {
    Map<String, Module> out = new LinkedHashMap<>();
    Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      if (e.getValue() != null && seen.add(e.getValue())) out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The direct submodules in registration order, each once. PyTorch: {@code children()}. */
  public final List<Module> children() {
    return new ArrayList<>(namedChildren().values());
  }

  /**
   * Every parameter of this module and its submodules, each tensor once (a shared parameter
   * under its first name), with PyTorch's dotted names and order. PyTorch: {@code named_parameters()}.
   */
  public final Map<String, Tensor> namedParameters() {
    return namedMembers(true);
  }

  /** The tensors of {@link #namedParameters()}, in order. PyTorch: {@code list(parameters())}. */
  public final List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** Every buffer (persistent or not) of this module and its submodules, each once. PyTorch: {@code named_buffers()}. */
  public final Map<String, Tensor> namedBuffers() {
    return namedMembers(false);
  }

  /** The tensors of {@link #namedBuffers()}, in order. PyTorch: {@code list(buffers())}. */
  public final List<Tensor> buffers() {
    return new ArrayList<>(namedBuffers().values());
  }

  private Map<String, Tensor> namedMembers(boolean params) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Module> m : namedModules().entrySet()) {
      Module module = m.getValue();
      for (Map.Entry<String, Tensor> e : (params ? module.parameters : module.buffers).entrySet()) {
        Tensor t = e.getValue();
        if (t == null || !seen.add(t)) continue;
        out.put(m.getKey().isEmpty() ? e.getKey() : m.getKey() + "." + e.getKey(), t);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ modes, grads

  /**
   * Sets training mode (true) or evaluation mode (false) on this module and every submodule
   * (Dropout and BatchNorm behave differently); returns this. PyTorch: {@code train(mode)}.
   */
  public Module train(boolean mode) {
    training = mode;
    for (Module m : modules.values()) {
      if (m != null) m.train(mode);
    }
    return this;
  }

  /** Training mode, recursively; returns this. PyTorch: {@code train()}. */
  public final Module train() {
    return train(true);
  }

  /** Evaluation mode, recursively; returns this. PyTorch: {@code eval()}. */
  public final Module eval() {
    return train(false);
  }

  /** Whether this module is in training mode. PyTorch: {@code training}. */
  public final boolean isTraining() {
    return training;
  }

  /** Clears every parameter's gradient (sets it to null, PyTorch 2.x's default). PyTorch: {@code zero_grad()}. */
  public void zeroGrad() {
    zeroGrad(true);
  }

  /**
   * Clears every parameter's gradient: to null when {@code setToNone}, else by filling it with
   * zeros in place. PyTorch: {@code zero_grad(set_to_none)}.
   */
  public void zeroGrad(boolean setToNone) {
    for (Tensor p : parameters()) {
      Tensor g = p.grad();
      if (g == null) continue;
      if (setToNone) {
        p.setGrad(null);
      } else {
        try (var guard = GradMode.noGrad()) {
          g.zero_();
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------ state dict

  /**
   * The module's state: every parameter then every persistent buffer of this module, then each
   * submodule's, under dotted names (shared tensors under each of their names), as detached views
   * sharing the module's memory. PyTorch: {@code state_dict()}.
   */
  public final Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    saveToStateDict(out, "");
    return out;
  }

  private void saveToStateDict(Map<String, Tensor> out, String prefix) {
    for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
      if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue().detach());
    }
    for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
      if (e.getValue() != null && !nonPersistentBuffers.contains(e.getKey())) {
        out.put(prefix + e.getKey(), e.getValue().detach());
      }
    }
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      if (e.getValue() != null) e.getValue().saveToStateDict(out, prefix + e.getKey() + ".");
    }
  }

  /** The keys {@link #loadStateDict(Map, boolean)} did not match. PyTorch: {@code _IncompatibleKeys}. */
  public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys) {}

  /**
   * Copies {@code stateDict}'s tensors into this module's parameters and buffers (in place, under
   * no_grad, converting dtypes), requiring the keys to match {@link #stateDict()}'s exactly.
   * PyTorch: {@code load_state_dict(state_dict)} (strict).
   *
   * @throws IllegalArgumentException listing missing keys, unexpected keys and size mismatches,
   *     with PyTorch's text ({@code Error(s) in loading state_dict for Linear: ...})
   */
  public final void loadStateDict(Map<String, Tensor> stateDict) {
    loadStateDict(stateDict, true);
  }

  /**
   * {@link #loadStateDict(Map)}; when not {@code strict}, missing and unexpected keys are returned
   * instead of raised (size mismatches still raise). Iterates {@code stateDict} in its own order,
   * as PyTorch iterates a dict; a Java map carries no {@code _metadata}, so it loads as a plain
   * Python dict does (BatchNorm then fills a missing {@code num_batches_tracked} with 0).
   * PyTorch: {@code load_state_dict(state_dict, strict)}.
   */
  public final IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    load(new LinkedHashMap<>(stateDict), "", strict, missing, unexpected, errors);
    if (strict) {
      if (!unexpected.isEmpty()) errors.addFirst("Unexpected key(s) in state_dict: " + quoted(unexpected) + ". ");
      if (!missing.isEmpty()) errors.addFirst("Missing key(s) in state_dict: " + quoted(missing) + ". ");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Error(s) in loading state_dict for " + getName() + ":\n\t"
          + String.join("\n\t", errors));
    }
    return new IncompatibleKeys(List.copyOf(missing), List.copyOf(unexpected));
  }

  private static String quoted(List<String> keys) {
    StringBuilder sb = new StringBuilder();
    for (String k : keys) {
      if (!sb.isEmpty()) sb.append(", ");
      sb.append('"').append(k).append('"');
    }
    return sb.toString();
  }

  private void load(Map<String, Tensor> local, String prefix, boolean strict, List<String> missing,
                    List<String> unexpected, List<String> errors) {
    loadFromStateDict(local, prefix, true, missing, unexpected, errors);   // PyTorch passes strict=True here too
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      Module child = e.getValue();
      if (child == null) continue;
      String childPrefix = prefix + e.getKey() + ".";
      Map<String, Tensor> childDict = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> s : local.entrySet()) {
        if (s.getKey().startsWith(childPrefix)) childDict.put(s.getKey(), s.getValue());
      }
      child.load(childDict, childPrefix, strict, missing, unexpected, errors);
    }
  }

  /**
   * Loads this module's own parameters and persistent buffers from the keys {@code prefix + name}
   * of {@code stateDict} (which it may add to: subclasses override this to upgrade old formats,
   * then call it), recording missing and unexpected keys and error messages as PyTorch's
   * {@code _load_from_state_dict}.
   */
  protected void loadFromStateDict(Map<String, Tensor> stateDict, String prefix, boolean strict,
                                   List<String> missingKeys, List<String> unexpectedKeys, List<String> errorMsgs) {
    Map<String, Tensor> local = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
      if (e.getValue() != null) local.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
      if (e.getValue() != null && !nonPersistentBuffers.contains(e.getKey())) local.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Tensor> e : local.entrySet()) {
      String key = prefix + e.getKey();
      Tensor param = e.getValue();
      if (stateDict.containsKey(key)) {
        Tensor input = stateDict.get(key);
        if (input == null) {
          errorMsgs.add("While copying the parameter named \"" + key + "\", expected torch.Tensor or "
              + "Tensor-like object from checkpoint but received <class 'NoneType'>");
          continue;
        }
        Tensor view = null;
        if (param.dim() == 0 && input.dim() == 1) input = view = input.select(0, 0);
        try {
          if (!Arrays.equals(input.shape(), param.shape())) {
            errorMsgs.add("size mismatch for " + key + ": copying a param with shape " + Repr.torchSize(input.shape())
                + " from checkpoint, the shape in current model is " + Repr.torchSize(param.shape()) + ".");
            continue;
          }
          try (var guard = GradMode.noGrad()) {
            param.copy_(input);
          } catch (RuntimeException ex) {
            errorMsgs.add("While copying the parameter named \"" + key + "\", whose dimensions in the model are "
                + Repr.torchSize(param.shape()) + " and whose dimensions in the checkpoint are "
                + Repr.torchSize(input.shape()) + ", an exception occurred : ('" + ex.getMessage() + "',).");
          }
        } finally {
          if (view != null) view.close();
        }
      } else if (strict) {
        missingKeys.add(key);
      }
    }
    if (strict) {
      for (String key : stateDict.keySet()) {
        if (!key.startsWith(prefix)) continue;
        String inputName = key.substring(prefix.length());
        int dot = inputName.indexOf('.');
        if (dot >= 0) inputName = inputName.substring(0, dot);
        if (!modules.containsKey(inputName) && !local.containsKey(inputName)) unexpectedKeys.add(key);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ dtype

  /**
   * Converts every floating point parameter and buffer (and parameter gradient) of this module and
   * its submodules to {@code dtype}; integer buffers such as {@code num_batches_tracked} keep
   * theirs. Converted tensors replace the old ones, which are closed (a tensor shared by several
   * modules stays shared). Returns this. PyTorch: {@code to(dtype)}.
   *
   * @throws IllegalArgumentException for a non-floating-point dtype (PyTorch's message)
   */
  public Module to(DType dtype) {
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("nn.Module.to only accepts floating point or complex dtypes, but got "
          + "desired dtype=" + dtype.torchName());
    }
    Map<Tensor, Tensor> converted = new IdentityHashMap<>();
    for (Module m : modules()) {
      m.convert(m.parameters, dtype, converted, true);
      m.convert(m.buffers, dtype, converted, false);
    }
    for (Map.Entry<Tensor, Tensor> e : converted.entrySet()) {
      if (e.getKey() != e.getValue()) e.getKey().close();
    }
    return this;
  }

  private void convert(Map<String, Tensor> members, DType dtype, Map<Tensor, Tensor> converted, boolean params) {
    for (Map.Entry<String, Tensor> e : members.entrySet()) {
      Tensor t = e.getValue();
      if (t == null) continue;
      Tensor done = converted.get(t);
      if (done == null) {
        done = t;
        if (t.dtype().isFloatingPoint() && t.dtype() != dtype) {
          try (var guard = GradMode.noGrad()) {
            done = Internals.tensors().unscoped(t.to(dtype));
            if (params || t.requiresGrad()) done.requiresGrad_(true);
            Tensor g = t.grad();
            if (g != null) done.setGrad(g.to(dtype));
          }
        }
        converted.put(t, done);
      }
      e.setValue(done);
    }
  }

  // ------------------------------------------------------------------------------------------ repr

  /** The class name shown by {@link #toString()}. PyTorch: {@code _get_name()}. */
  protected String getName() {
    String n = getClass().getSimpleName();
    if (n.isEmpty()) {
      n = getClass().getName();
      n = n.substring(n.lastIndexOf('.') + 1);
    }
    return n;
  }

  /** The module's own settings shown inside its repr, e.g. {@code in_features=2, out_features=3, bias=True}. PyTorch: {@code extra_repr()}. */
  protected String extraRepr() {
    return "";
  }

  /**
   * PyTorch's module repr: {@code Linear(in_features=784, out_features=256, bias=True)}, and for
   * a module with children one line per child, indented: {@code Sequential(\n  (0): ...\n)}.
   * PyTorch: {@code repr(module)}.
   */
  @Override
  public String toString() {
    String extra = extraRepr();
    List<String> extraLines = extra.isEmpty() ? List.of() : Arrays.asList(extra.split("\n", -1));
    List<String> childLines = new ArrayList<>();
    for (Map.Entry<String, Module> e : modules.entrySet()) {
      String s = e.getValue() == null ? "None" : e.getValue().toString();
      childLines.add("(" + e.getKey() + "): " + Repr.addIndent(s, 2));
    }
    StringBuilder sb = new StringBuilder(getName()).append('(');
    if (!extraLines.isEmpty() || !childLines.isEmpty()) {
      if (extraLines.size() == 1 && childLines.isEmpty()) {
        sb.append(extraLines.getFirst());
      } else {
        List<String> lines = new ArrayList<>(extraLines);
        lines.addAll(childLines);
        sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
      }
    }
    return sb.append(')').toString();
  }

  // ------------------------------------------------------------------------------------------ for subclasses

  /** This module's own parameter {@code name} (null if registered as absent). */
  final Tensor param(String name) {
    return parameters.get(name);
  }

  /** This module's own buffer {@code name} (null if registered as absent). */
  final Tensor buffer(String name) {
    return buffers.get(name);
  }
}
