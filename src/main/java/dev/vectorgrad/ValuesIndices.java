package dev.vectorgrad;

/**
 * The result of {@link Tensor#max(int, boolean)} and {@link Tensor#min(int, boolean)}: the values
 * and their int64 positions along the reduced dim. PyTorch: {@code torch.return_types.max}.
 *
 * @param values the extreme values (recorded by autograd as {@code MaxBackward0}/{@code MinBackward0})
 * @param indices where they are along the dim (int64; the first occurrence on ties, as PyTorch's CPU kernel)
 */
public record ValuesIndices(Tensor values, Tensor indices) {}
