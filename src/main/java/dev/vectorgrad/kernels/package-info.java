/**
 * Compute kernels over off-heap memory. {@link dev.vectorgrad.kernels.ElementKernels} is the whole
 * kernel surface for one element type; its Vector API and scalar implementations are generated
 * from one template per implementation ({@code src/build/kernels}) for float and double.
 * {@link dev.vectorgrad.kernels.Kernels} picks the implementation once, at first use, and logs which;
 * {@link dev.vectorgrad.kernels.ParallelKernels} splits large calls over
 * {@link dev.vectorgrad.kernels.Parallel}'s low-latency fork-join.
 *
 * <p>Not part of the module's exported API: the classes are public for the JMH suite and tests.
 */
package dev.vectorgrad.kernels;
