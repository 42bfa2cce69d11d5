/**
 * The public API: {@link dev.vectorgrad.Tensor} (PyTorch's {@code torch.Tensor} with autograd),
 * {@link dev.vectorgrad.DType}, {@link dev.vectorgrad.Variable}, {@link dev.vectorgrad.GradMode},
 * {@link dev.vectorgrad.TensorScope} and {@link dev.vectorgrad.MemoryStats}.
 *
 * <p>The package-private classes beside them are the ops, each with its forward kernel call and
 * its derivative in one place: {@code Arithmetic} (add, sub, mul, div, neg), {@code Reductions}
 * (sum, mean), {@code InPlace} (zero_, fill_, add_), {@code Casts} (to), {@code GradShapes}
 * (summing a gradient back to an input's shape, expanding a reduced gradient) and
 * {@code AccumulateGrad} (the node behind a leaf).
 *
 * <p>Layers below: {@link dev.vectorgrad.autograd} (graph nodes and the backward pass),
 * {@code dev.vectorgrad.kernels} (SIMD and scalar kernels), {@code dev.vectorgrad.memory}
 * (off-heap allocation). See {@code docs/architecture.md}.
 */
package dev.vectorgrad;
