package dev.vectorgrad.data;

import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A data set of tensors that share their first dim: sample {@code i} is {@code t[i]} of each
 * tensor. PyTorch equivalent: {@code torch.utils.data.TensorDataset(*tensors)}.
 *
 * <pre>{@code
 * var data = new TensorDataset(images, labels);   // images [N, 64], labels [N]
 * List<Tensor> sample = data.get(0);              // [images[0], labels[0]] (views)
 * }</pre>
 *
 * <p>The data set holds its tensors, it does not copy them: they stay owned by whoever made them.
 * {@link #close()} closes them (convenient for data sets this package made, such as
 * {@link #randomSplit(Generator, int...)}'s parts or {@link Digits#load()}).
 */
public final class TensorDataset implements Dataset, AutoCloseable {
  private final List<Tensor> tensors;
  private final int size;

  /**
   * A data set over {@code tensors} (at least one; each at least 1-D, with the same size of dim 0).
   * PyTorch: {@code TensorDataset(*tensors)}.
   *
   * @throws IllegalArgumentException if no tensor is given, one is 0-dim, or sizes of dim 0 differ
   *     (PyTorch's message: {@code Size mismatch between tensors})
   */
  public TensorDataset(Tensor... tensors) {
    if (tensors.length == 0) throw new IllegalArgumentException("TensorDataset needs at least one tensor");
    for (Tensor t : tensors) {
      if (t.dim() == 0) throw new IllegalArgumentException("TensorDataset: tensors must have at least one dim");
    }
    long n = tensors[0].shape()[0];
    for (Tensor t : tensors) {
      if (t.shape()[0] != n) throw new IllegalArgumentException("Size mismatch between tensors");
    }
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("TensorDataset: more than 2^31-1 samples");
    this.tensors = List.of(tensors);
    this.size = (int) n;
  }

  /** The tensors, in the order given. PyTorch: {@code dataset.tensors}. */
  public List<Tensor> tensors() {
    return tensors;
  }

  /** Tensor {@code k} of the data set. PyTorch: {@code dataset.tensors[k]}. */
  public Tensor tensor(int k) {
    return tensors.get(k);
  }

  /** The number of samples (the size of dim 0). PyTorch: {@code len(dataset)}. */
  @Override
  public int size() {
    return size;
  }

  /**
   * Sample {@code index}: {@code t.select(0, index)} of each tensor (views, no copy). PyTorch:
   * {@code dataset[index]} = {@code tuple(t[index] for t in tensors)}.
   */
  @Override
  public List<Tensor> get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension 0 with size " + size);
    }
    List<Tensor> out = new ArrayList<>(tensors.size());
    for (Tensor t : tensors) out.add(t.select(0, index));
    return out;
  }

  /**
   * The samples at {@code indices} as one {@code indexSelect(0, indices)} copy per tensor, in the
   * caller's scope. PyTorch: {@code default_collate([dataset[i] for i in indices])}, which gives the
   * same tensors.
   */
  @Override
  public List<Tensor> getBatch(long[] indices) {
    if (indices.length == 0) throw new IllegalArgumentException("getBatch(): no indices");
    for (long i : indices) {
      if (i < 0 || i >= size) {
        throw new IndexOutOfBoundsException("index " + i + " is out of bounds for dimension 0 with size " + size);
      }
    }
    List<Tensor> out = new ArrayList<>(tensors.size());
    try (Tensor index = Tensor.of(indices)) {
      for (Tensor t : tensors) out.add(t.indexSelect(0, index));
    }
    return out;
  }

  /**
   * Splits the samples at random into parts of the given {@code lengths} (summing to
   * {@link #size()}), each a new data set holding copies (in the caller's scope). PyTorch:
   * {@code torch.utils.data.random_split(dataset, lengths, generator)}, which returns
   * {@code Subset}s over one {@code randperm}; the permutation here comes from vectorgrad's
   * generator, so the same seed picks different samples than PyTorch's.
   *
   * @throws IllegalArgumentException if the lengths do not sum to {@code size()} or one is negative
   */
  public List<TensorDataset> randomSplit(Generator generator, int... lengths) {
    long sum = 0;
    for (int l : lengths) {
      if (l < 0) throw new IllegalArgumentException("lengths must be non-negative, got " + Arrays.toString(lengths));
      sum += l;
    }
    if (sum != size) {
      throw new IllegalArgumentException("Sum of input lengths does not equal the length of the input dataset!");
    }
    long[] perm;
    try (Tensor p = Tensor.randperm(size, generator)) {
      perm = p.toLongArray();
    }
    List<TensorDataset> parts = new ArrayList<>(lengths.length);
    int offset = 0;
    for (int l : lengths) {
      long[] idx = Arrays.copyOfRange(perm, offset, offset + l);
      offset += l;
      Tensor[] picked = new Tensor[tensors.size()];
      if (l == 0) {
        for (int k = 0; k < picked.length; k++) picked[k] = tensors.get(k).narrow(0, 0, 0).clone();
      } else {
        List<Tensor> batch = getBatch(idx);
        for (int k = 0; k < picked.length; k++) picked[k] = batch.get(k);
      }
      parts.add(new TensorDataset(picked));
    }
    return parts;
  }

  /**
   * Splits the samples at random by {@code fractions} (summing to 1): part {@code i} gets
   * {@code floor(size * fractions[i])} samples and the remainder goes one by one to the first
   * parts, as PyTorch's {@code random_split(dataset, [0.8, 0.2], generator)}; then as
   * {@link #randomSplit(Generator, int...)}.
   *
   * @throws IllegalArgumentException if a fraction is outside [0, 1] or they do not sum to 1
   */
  public List<TensorDataset> randomSplit(Generator generator, double... fractions) {
    double total = 0;
    for (double f : fractions) total += f;
    if (Math.abs(total - 1) > 1e-9 * Math.max(1, Math.abs(total)) || total > 1 + 1e-9) {
      throw new IllegalArgumentException("Sum of input lengths does not equal the length of the input dataset!");
    }
    int[] lengths = new int[fractions.length];
    int assigned = 0;
    for (int i = 0; i < fractions.length; i++) {
      if (!(fractions[i] >= 0 && fractions[i] <= 1)) {
        throw new IllegalArgumentException("Fraction at index " + i + " is not between 0 and 1");
      }
      lengths[i] = (int) Math.floor(size * fractions[i]);
      assigned += lengths[i];
    }
    for (int i = 0; i < size - assigned; i++) lengths[i % lengths.length]++;
    return randomSplit(generator, lengths);
  }

  /** Closes every tensor of the data set (see the class comment on ownership). */
  @Override
  public void close() {
    for (Tensor t : tensors) t.close();
  }

  /** E.g. {@code TensorDataset(size=1797, tensors=[[1797, 8, 8] float32, [1797] int64])}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("TensorDataset(size=").append(size).append(", tensors=[");
    for (int k = 0; k < tensors.size(); k++) {
      Tensor t = tensors.get(k);
      if (k > 0) sb.append(", ");
      sb.append(Arrays.toString(t.shape())).append(' ').append(t.dtype().toString().toLowerCase(java.util.Locale.ROOT));
    }
    return sb.append("])").toString();
  }
}
