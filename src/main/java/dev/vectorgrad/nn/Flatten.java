package dev.vectorgrad.nn;

import dev.vectorgrad.Tensor;

/** Flattens dims {@code startDim..endDim} into one (a view when possible). PyTorch equivalent: {@code torch.nn.Flatten}. */
public class Flatten extends Module {
  private final int startDim;
  private final int endDim;

  /** Keeps dim 0 (the batch) and flattens the rest. PyTorch: {@code nn.Flatten()}. */
  public Flatten() {
    this(1, -1);
  }

  /** PyTorch: {@code nn.Flatten(start_dim, end_dim)}. */
  public Flatten(int startDim, int endDim) {
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /** PyTorch: {@code flatten(x)} ({@code x.flatten(start_dim, end_dim)}). */
  @Override
  public Tensor forward(Tensor x) {
    return x.flatten(startDim, endDim);
  }

  @Override
  protected String extraRepr() {
    return "start_dim=" + startDim + ", end_dim=" + endDim;
  }
}
