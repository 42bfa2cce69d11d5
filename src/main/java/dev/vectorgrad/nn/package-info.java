/**
 * Neural-network building blocks, as {@code torch.nn}: {@link dev.vectorgrad.nn.Module} (a tree of
 * modules holding parameters and buffers, with PyTorch's names, state dicts and reprs), the layers
 * ({@link dev.vectorgrad.nn.Linear}, {@link dev.vectorgrad.nn.Sequential}, activations,
 * {@link dev.vectorgrad.nn.Dropout}, {@link dev.vectorgrad.nn.Flatten},
 * {@link dev.vectorgrad.nn.LayerNorm}, {@link dev.vectorgrad.nn.Embedding},
 * {@link dev.vectorgrad.nn.BatchNorm1d}), the loss modules ({@link dev.vectorgrad.nn.Loss} and its
 * subclasses), {@link dev.vectorgrad.nn.Init} ({@code torch.nn.init}) and
 * {@link dev.vectorgrad.nn.Functional} ({@code torch.nn.functional}).
 *
 * <pre>{@code
 * Module model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * try (var scope = TensorScope.open()) {
 *   Tensor loss = Functional.crossEntropy(model.forward(x), y);
 *   loss.backward();          // gradients land in model.parameters().get(i).grad()
 * }
 * }</pre>
 */
package dev.vectorgrad.nn;
