package dev.vectorgrad.optim;

import dev.vectorgrad.Tensor;
import java.util.List;
import java.util.Map;

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov and Hutter), optionally AMSGrad.
 * PyTorch: {@code torch.optim.AdamW} (1.13, {@code foreach=False}: {@code _single_tensor_adamw}).
 *
 * <p>Options (PyTorch's names and defaults; set them with the fluent setters right after
 * construction, or per group with {@link #addParamGroup}): {@code lr} (required here),
 * {@code betas} = (0.9, 0.999), {@code eps} = 1e-8, {@code weight_decay} = 1e-2,
 * {@code amsgrad} = false, {@code maximize} = false.
 *
 * <pre>{@code
 * var opt = new AdamW(model.parameters(), 1e-3).betas(0.9, 0.98).eps(1e-6).amsgrad(true);
 * }</pre>
 *
 * <p>Each parameter is updated by one fused kernel pass ({@code OptimKernels.adam})
 * with PyTorch's operations in PyTorch's order: {@code param *= 1 - lr * weight_decay}, then Adam's
 * update without the L2 term ({@code exp_avg}, {@code exp_avg_sq}, bias corrections in double,
 * {@code param -= lr / (1 - beta1^step) * exp_avg / (sqrt(exp_avg_sq) / sqrt(1 - beta2^step) + eps)}).
 * The state of a parameter is PyTorch's {@code step} (a float32 count), {@code exp_avg},
 * {@code exp_avg_sq} and, with amsgrad, {@code max_exp_avg_sq}.
 */
public final class AdamW extends Optimizer {

  /**
   * AdamW over {@code params} with learning rate {@code lr}. PyTorch: {@code AdamW(params, lr=lr)}.
   *
   * @throws IllegalArgumentException for a negative lr ({@code "Invalid learning rate: -1.0"})
   */
  public AdamW(Iterable<Tensor> params, double lr) {
    super(params, AdamState.defaults(lr, 1e-2));
  }

  /** Coefficients of the running averages of the gradient and its square (default 0.9, 0.999). PyTorch: {@code betas}. */
  public AdamW betas(double beta1, double beta2) {
    AdamState.checkBetas(beta1, beta2);
    setOption("betas", List.of(beta1, beta2));
    return this;
  }

  /** Term added to the denominator (default 1e-8). PyTorch: {@code eps}. */
  public AdamW eps(double eps) {
    AdamState.checkEps(eps);
    setOption("eps", eps);
    return this;
  }

  /** Decoupled weight decay: {@code param *= 1 - lr * weight_decay} before the update (default 0.01). PyTorch: {@code weight_decay}. */
  public AdamW weightDecay(double weightDecay) {
    AdamState.checkWeightDecay(weightDecay);
    setOption("weight_decay", weightDecay);
    return this;
  }

  /** The AMSGrad variant (default false). PyTorch: {@code amsgrad}. */
  public AdamW amsgrad(boolean amsgrad) {
    setOption("amsgrad", amsgrad);
    return this;
  }

  /** Maximizes the objective instead of minimizing it (default false). PyTorch: {@code maximize}. */
  public AdamW maximize(boolean maximize) {
    setOption("maximize", maximize);
    return this;
  }

  /**
   * One AdamW step over every parameter with a gradient. PyTorch: {@code step()}.
   *
   * @throws IllegalArgumentException for a parameter that is not float32/float64
   */
  @Override
  public void step() {
    AdamState.step(this, true);
  }

  @Override
  protected ParamState stateFromDict(Tensor param, Map<String, Object> entries) {
    return AdamState.fromDict(param, entries);
  }
}
