package dev.vectorgrad.optim;

import java.util.Map;

/**
 * Multiplies each group's learning rate by {@code gamma} every {@code stepSize} epochs. PyTorch:
 * {@code torch.optim.lr_scheduler.StepLR} (1.13): chainable form
 * {@code lr = lr * gamma if last_epoch != 0 and last_epoch % step_size == 0 else lr}, closed form
 * {@code base_lr * gamma ** (last_epoch // step_size)}.
 */
public final class StepLR extends LRScheduler {
  private int stepSize;
  private double gamma;

  /** {@code StepLR(optimizer, step_size, gamma=0.1)}. */
  public StepLR(Optimizer optimizer, int stepSize) {
    this(optimizer, stepSize, 0.1, -1);
  }

  /** {@code StepLR(optimizer, step_size, gamma)}. */
  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    this(optimizer, stepSize, gamma, -1);
  }

  /**
   * {@code StepLR(optimizer, step_size, gamma, last_epoch)}: with {@code lastEpoch >= 0}, resumes a
   * schedule (every group needs an {@code initial_lr}).
   */
  public StepLR(Optimizer optimizer, int stepSize, double gamma, int lastEpoch) {
    super(optimizer, lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = groupLrs();
    if (lastEpoch == 0 || lastEpoch % stepSize != 0) return lrs;
    for (int i = 0; i < lrs.length; i++) lrs[i] = lrs[i] * gamma;
    return lrs;
  }

  @Override
  protected double[] closedFormLr() {
    double[] out = new double[baseLrs.length];
    for (int i = 0; i < out.length; i++) out[i] = baseLrs[i] * Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize));
    return out;
  }

  @Override
  protected void putOwnState(Map<String, Object> state) {
    state.put("step_size", stepSize);
    state.put("gamma", gamma);
  }

  @Override
  protected boolean loadOwnState(String key, Object value) {
    switch (key) {
      case "step_size" -> stepSize = toInt(key, value);
      case "gamma" -> gamma = toDouble(key, value);
      default -> {
        return false;
      }
    }
    return true;
  }
}
