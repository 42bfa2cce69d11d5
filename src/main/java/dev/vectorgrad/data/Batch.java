package dev.vectorgrad.data;

import dev.vectorgrad.Tensor;
import java.util.AbstractList;
import java.util.List;

/**
 * One mini-batch from a {@link DataLoader}: a read-only list of tensors (for a
 * {@link TensorDataset}, one per tensor of the data set, each with the batch as dim 0) that can be
 * closed in a try-with-resources statement. PyTorch equivalent: the list (or tuple) a
 * {@code DataLoader} yields; PyTorch frees it by reference counting, here {@link #close()} or the
 * enclosing {@link dev.vectorgrad.TensorScope} does.
 *
 * <pre>{@code
 * for (Batch batch : loader) {
 *   try (batch; var step = TensorScope.open()) {
 *     Tensor x = batch.get(0), y = batch.get(1);
 *     ...
 *   }
 * }
 * }</pre>
 */
public final class Batch extends AbstractList<Tensor> implements AutoCloseable {
  private final List<Tensor> tensors;
  private final long[] indices;

  Batch(List<Tensor> tensors, long[] indices) {
    this.tensors = List.copyOf(tensors);
    this.indices = indices;
  }

  /** Tensor {@code k} of the batch. PyTorch: {@code batch[k]}. */
  @Override
  public Tensor get(int k) {
    return tensors.get(k);
  }

  /** The number of tensors in the batch (not the number of samples: see {@link #batchSize()}). */
  @Override
  public int size() {
    return tensors.size();
  }

  /** The number of samples in the batch (dim 0 of its tensors). */
  public int batchSize() {
    return indices.length;
  }

  /** The data set indices of the samples, in batch order (a copy). PyTorch: what the sampler yielded. */
  public long[] indices() {
    return indices.clone();
  }

  /** Closes the batch's tensors. Idempotent. */
  @Override
  public void close() {
    for (Tensor t : tensors) t.close();
  }
}
