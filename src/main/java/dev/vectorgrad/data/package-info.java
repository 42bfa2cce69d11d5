/**
 * Data loading, as {@code torch.utils.data} and the readers torchvision and numpy bring:
 * {@link dev.vectorgrad.data.Dataset} and {@link dev.vectorgrad.data.TensorDataset} (samples),
 * {@link dev.vectorgrad.data.DataLoader} (shuffled mini-batches, each a
 * {@link dev.vectorgrad.data.Batch}), {@link dev.vectorgrad.data.Idx} (the IDX files of MNIST and
 * Fashion-MNIST, plain or gzipped), {@link dev.vectorgrad.data.Mnist} (the four files of an
 * MNIST-style folder), {@link dev.vectorgrad.data.Csv} (numeric CSV) and
 * {@link dev.vectorgrad.data.Digits} (scikit-learn's 8x8 digits, bundled).
 *
 * <p>Memory: every tensor these classes return is made on the calling thread and so belongs to the
 * innermost {@link dev.vectorgrad.TensorScope} open there (or to the caller when none is), as any
 * other new tensor. A training loop releases each batch with its step:
 *
 * <pre>{@code
 * for (Batch batch : loader) {
 *   try (batch; var step = TensorScope.open()) {
 *     Tensor loss = Functional.crossEntropy(model.forward(batch.get(0)), batch.get(1));
 *     ...
 *   }
 * }
 * }</pre>
 */
package dev.vectorgrad.data;
