package dev.vectorgrad.optim;

import java.util.Map;

/**
 * Cosine annealing of each group's learning rate from its initial value to {@code etaMin} over
 * {@code tMax} epochs (and back up over the next {@code tMax}, periodically). PyTorch:
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR} (1.13), with its recursive (chainable) form
 * {@code (1 + cos(pi * e / T)) / (1 + cos(pi * (e - 1) / T)) * (lr - eta_min) + eta_min} (and its
 * special cases at epoch 0, on resumption and at the restarts), closed form
 * {@code eta_min + (base_lr - eta_min) * (1 + cos(pi * e / T)) / 2}.
 */
public final class CosineAnnealingLR extends LRScheduler {
  private int tMax;
  private double etaMin;

  /** {@code CosineAnnealingLR(optimizer, T_max, eta_min=0)}. */
  public CosineAnnealingLR(Optimizer optimizer, int tMax) {
    this(optimizer, tMax, 0, -1);
  }

  /** {@code CosineAnnealingLR(optimizer, T_max, eta_min)}. */
  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
    this(optimizer, tMax, etaMin, -1);
  }

  /** {@code CosineAnnealingLR(optimizer, T_max, eta_min, last_epoch)}. */
  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin, int lastEpoch) {
    super(optimizer, lastEpoch);
    this.tMax = tMax;
    this.etaMin = etaMin;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = groupLrs();
    if (lastEpoch == 0) return lrs;
    if (stepCount == 1 && lastEpoch > 0) {
      for (int i = 0; i < lrs.length; i++) {
        lrs[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos((lastEpoch) * Math.PI / tMax)) / 2;
      }
      return lrs;
    }
    if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
      for (int i = 0; i < lrs.length; i++) {
        lrs[i] = lrs[i] + (baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
      }
      return lrs;
    }
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
          * (lrs[i] - etaMin) + etaMin;
    }
    return lrs;
  }

  @Override
  protected double[] closedFormLr() {
    double[] out = new double[baseLrs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
    }
    return out;
  }

  @Override
  protected void putOwnState(Map<String, Object> state) {
    state.put("T_max", tMax);
    state.put("eta_min", etaMin);
  }

  @Override
  protected boolean loadOwnState(String key, Object value) {
    switch (key) {
      case "T_max" -> tMax = toInt(key, value);
      case "eta_min" -> etaMin = toDouble(key, value);
      default -> {
        return false;
      }
    }
    return true;
  }
}
