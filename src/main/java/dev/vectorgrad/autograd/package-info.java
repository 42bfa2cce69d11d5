/**
 * Reverse-mode differentiation: {@link dev.vectorgrad.autograd.Node} (a recorded op: name,
 * sequence number, edges to its inputs' nodes, saved tensors, derivative),
 * {@link dev.vectorgrad.autograd.SavedTensor} (a tensor kept for backward, with PyTorch's version
 * check) and {@link dev.vectorgrad.autograd.Engine} (the iterative backward pass). Mirrors
 * {@code torch/csrc/autograd}: dependency counting, a ready queue ordered by sequence number, leaf
 * accumulators, graphs freed after backward unless retained.
 */
package dev.vectorgrad.autograd;
