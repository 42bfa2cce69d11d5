package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/**
 * Modules applied one after the other, registered as {@code "0"}, {@code "1"}, ... (so their
 * parameters are named {@code 0.weight}, {@code 0.bias}, ...). PyTorch equivalent: {@code torch.nn.Sequential}.
 */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class Sequential extends Module {
  private int size;

  /** PyTorch: {@code nn.Sequential(*modules)}. */
  public Sequential(Module... modules) {
    for (Module m : modules) append(m);
  }

  /** Adds a module at the end; returns this. PyTorch: {@code append(module)}. */
  public Sequential append(Module module) {
    registerModule(Integer.toString(size++), module);
    return this;
  }

  /** The module at {@code index} (negative counts from the end). PyTorch: {@code seq[index]}. */
  public Module get(int index) {
    int i = index < 0 ? index + size : index;
    if (i < 0 || i >= size) throw new IndexOutOfBoundsException("index " + index + " is out of range");
    return getSubmodule(Integer.toString(i));
  }

  /** The number of modules. PyTorch: {@code len(seq)}. */
  public int size() {
    return size;
  }

  /** Each module's output is the next one's input. PyTorch: {@code seq(x)}. */
  @Override
  public Tensor forward(Tensor x) {
    Tensor out = x;
    for (int i = 0; i < size; i++) out = getSubmodule(Integer.toString(i)).forward(out);
    return out;
  }
}
