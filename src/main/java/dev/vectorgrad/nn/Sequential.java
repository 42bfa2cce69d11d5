package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/**
 * Modules applied one after the other, registered as {@code "0"}, {@code "1"}, ... (so their
 * parameters are named {@code 0.weight}, {@code 0.bias}, ...). PyTorch equivalent: {@code torch.nn.Sequential}.
 */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class Sequential extends Module {
  /** The modules in order (also registered as children "0", "1", ...): forward walks this list, no name lookups. */
  private final java.util.List<Module> modules = new java.util.ArrayList<>();

  /** PyTorch: {@code nn.Sequential(*modules)}. */
  public Sequential(Module... modules) {
    for (Module m : modules) append(m);
  }

  /** Adds a module at the end; returns this. PyTorch: {@code append(module)}. */
  public Sequential append(Module module) {
    registerModule(Integer.toString(modules.size()), module);
    modules.add(module);
    return this;
  }

  /** The module at {@code index} (negative counts from the end). PyTorch: {@code seq[index]}. */
  public Module get(int index) {
    int i = index < 0 ? index + modules.size() : index;
    if (i < 0 || i >= modules.size()) throw new IndexOutOfBoundsException("index " + index + " is out of range");
    return modules.get(i);
  }

  /** The number of modules. PyTorch: {@code len(seq)}. */
  public int size() {
    return modules.size();
  }

  /** Each module's output is the next one's input. PyTorch: {@code seq(x)}. */
  @Override
  public Tensor forward(Tensor x) {
    Tensor out = x;
    for (Module m : modules) out = m.forward(out);
    return out;
  }
}
