package dev.vectorgrad.optim;

import dev.vectorgrad.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba), optionally with the AMSGrad variant and an L2 penalty.
 * PyTorch: {@code torch.optim.Adam} (1.13, {@code foreach=False}: {@code _single_tensor_adam}).
 *
 * <p>Options (PyTorch's names and defaults; set them with the fluent setters right after
 * construction, or per group with {@link #addParamGroup}): {@code lr} (required here),
 * {@code betas} = (0.9, 0.999), {@code eps} = 1e-8, {@code weight_decay} = 0.0,
 * {@code amsgrad} = false, {@code maximize} = false.
 *
 * <pre>{@code
 * var opt = new Adam(model.parameters(), 1e-3).betas(0.9, 0.98).eps(1e-6).amsgrad(true);
 * }</pre>
 *
 * <p>Each parameter is updated by one fused kernel pass ({@code OptimKernels.adam})
 * with PyTorch's operations in PyTorch's order: {@code g = grad (+ weight_decay * param)},
 * {@code exp_avg = beta1 * exp_avg + (1 - beta1) * g}, {@code exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g},
 * {@code denom = sqrt(exp_avg_sq) / sqrt(1 - beta2^step) + eps},
 * {@code param -= lr / (1 - beta1^step) * exp_avg / denom} (the bias corrections in double, as
 * PyTorch computes them in Python floats; amsgrad uses the running maximum of {@code exp_avg_sq}).
 * The state of a parameter is PyTorch's {@code step} (a float32 count), {@code exp_avg},
 * {@code exp_avg_sq} and, with amsgrad, {@code max_exp_avg_sq}.
 */
public final class Adam extends Optimizer {

  /**
   * Adam over {@code params} with learning rate {@code lr}. PyTorch: {@code Adam(params, lr=lr)}.
   *
   * @throws IllegalArgumentException for a negative lr ({@code "Invalid learning rate: -1.0"})
   */
  public Adam(Iterable<Tensor> params, double lr) {
    super(params, AdamState.defaults(lr, 0.0));
  }

  /** Coefficients of the running averages of the gradient and its square (default 0.9, 0.999). PyTorch: {@code betas}. */
  public Adam betas(double beta1, double beta2) {
    AdamState.checkBetas(beta1, beta2);
    setOption("betas", List.of(beta1, beta2));
    return this;
  }

  /** Term added to the denominator (default 1e-8). PyTorch: {@code eps}. */
  public Adam eps(double eps) {
    AdamState.checkEps(eps);
    setOption("eps", eps);
    return this;
  }

  /** L2 penalty added to the gradient (default 0). PyTorch: {@code weight_decay}. */
  public Adam weightDecay(double weightDecay) {
    AdamState.checkWeightDecay(weightDecay);
    setOption("weight_decay", weightDecay);
    return this;
  }

  /** The AMSGrad variant (default false). PyTorch: {@code amsgrad}. */
  public Adam amsgrad(boolean amsgrad) {
    setOption("amsgrad", amsgrad);
    return this;
  }

  /** Maximizes the objective instead of minimizing it (default false). PyTorch: {@code maximize}. */
  public Adam maximize(boolean maximize) {
    setOption("maximize", maximize);
    return this;
  }

  /**
   * One Adam step over every parameter with a gradient. PyTorch: {@code step()}.
   *
   * @throws IllegalArgumentException for a parameter that is not float32/float64
   */
  @Override
  public void step() {
    AdamState.step(this, false);
  }

  @Override
  protected ParamState stateFromDict(Tensor param, Map<String, Object> entries) {
    return AdamState.fromDict(param, entries);
  }
}
