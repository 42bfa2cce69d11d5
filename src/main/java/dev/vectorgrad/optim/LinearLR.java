package dev.vectorgrad.optim;

import java.util.Map;

/**
 * Scales each group's learning rate by a factor that changes linearly from {@code startFactor}
 * to {@code endFactor} over {@code totalIters} epochs (learning rate warm-up). PyTorch:
 * {@code torch.optim.lr_scheduler.LinearLR} (1.13), chainable form
 * {@code lr * (1 + (end - start) / (total_iters * start + (last_epoch - 1) * (end - start)))},
 * closed form {@code base_lr * (start + (end - start) * min(total_iters, last_epoch) / total_iters)}.
 */
public final class LinearLR extends LRScheduler {
  private double startFactor;
  private double endFactor;
  private int totalIters;

  /** {@code LinearLR(optimizer)}: start factor 1/3, end factor 1, 5 iterations. */
  public LinearLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 1.0, 5, -1);
  }

  /** {@code LinearLR(optimizer, start_factor, end_factor, total_iters)}. */
  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
    this(optimizer, startFactor, endFactor, totalIters, -1);
  }

  /**
   * {@code LinearLR(optimizer, start_factor, end_factor, total_iters, last_epoch)}.
   *
   * @throws IllegalArgumentException for a factor outside [0, 1], with PyTorch's messages
   */
  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters, int lastEpoch) {
    super(check(optimizer, startFactor, endFactor), lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    initialStep();
  }

  private static Optimizer check(Optimizer optimizer, double startFactor, double endFactor) {
    if (startFactor > 1.0 || startFactor < 0) {
      throw new IllegalArgumentException("Starting multiplicative factor expected to be between 0 and 1.");
    }
    if (endFactor > 1.0 || endFactor < 0) {
      throw new IllegalArgumentException("Ending multiplicative factor expected to be between 0 and 1.");
    }
    return optimizer;
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = groupLrs();
    if (lastEpoch == 0) {
      for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * startFactor;
      return lrs;
    }
    if (lastEpoch > totalIters) return lrs;
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = lrs[i] * (1. + (endFactor - startFactor)
          / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
    }
    return lrs;
  }

  @Override
  protected double[] closedFormLr() {
    double[] out = new double[baseLrs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = baseLrs[i] * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters);
    }
    return out;
  }

  @Override
  protected void putOwnState(Map<String, Object> state) {
    state.put("start_factor", startFactor);
    state.put("end_factor", endFactor);
    state.put("total_iters", totalIters);
  }

  @Override
  protected boolean loadOwnState(String key, Object value) {
    switch (key) {
      case "start_factor" -> startFactor = toDouble(key, value);
      case "end_factor" -> endFactor = toDouble(key, value);
      case "total_iters" -> totalIters = toInt(key, value);
      default -> {
        return false;
      }
    }
    return true;
  }
}
