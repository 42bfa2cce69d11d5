/**
 * Optimizers and learning rate schedulers: PyTorch's {@code torch.optim} and
 * {@code torch.optim.lr_scheduler} (1.13).
 *
 * <p>{@link dev.vectorgrad.optim.Optimizer} holds parameter groups ({@link dev.vectorgrad.optim.ParamGroup},
 * options keyed by PyTorch's names) and a lazily created state per parameter;
 * {@link dev.vectorgrad.optim.SGD}, {@link dev.vectorgrad.optim.Adam},
 * {@link dev.vectorgrad.optim.AdamW} and {@link dev.vectorgrad.optim.RMSprop} update each parameter
 * in one fused kernel pass whose arithmetic is PyTorch's single-tensor ({@code foreach=False})
 * formula, operation for operation, so float32 parameters follow PyTorch's to the last bit (tested
 * over 100 steps against real PyTorch). Options beyond the learning rate are set with fluent
 * setters ({@code new SGD(params, 0.1).momentum(0.9).nesterov(true)}) or per group
 * ({@code addParamGroup(params, Map.of("lr", 0.01))}).
 *
 * <p>Schedulers ({@link dev.vectorgrad.optim.StepLR}, {@link dev.vectorgrad.optim.CosineAnnealingLR},
 * {@link dev.vectorgrad.optim.LinearLR}, {@link dev.vectorgrad.optim.OneCycleLR}) extend
 * {@link dev.vectorgrad.optim.LRScheduler} and compute PyTorch's chainable forms. Optimizers and
 * schedulers have PyTorch's state dicts ({@code stateDict()} / {@code loadStateDict(...)}).
 */
package dev.vectorgrad.optim;
