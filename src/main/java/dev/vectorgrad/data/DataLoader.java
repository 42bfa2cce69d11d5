package dev.vectorgrad.data;

import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Mini-batches over a {@link Dataset}, in order or shuffled. PyTorch equivalent:
 * {@code torch.utils.data.DataLoader(dataset, batch_size, shuffle, generator=g, drop_last)} with
 * the default sampler and collate function, in the calling thread ({@code num_workers=0}).
 *
 * <pre>{@code
 * var loader = new DataLoader(train, 32, true, new Generator(0), false);
 * for (int epoch = 0; epoch < 30; epoch++) {
 *   for (Batch batch : loader) {
 *     try (batch; var step = TensorScope.open()) {
 *       Tensor x = batch.get(0), y = batch.get(1);
 *       ...
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Each {@link #iterator()} is one epoch. With shuffling it draws a fresh permutation of the
 * samples from the generator ({@link Tensor#randperm(long, Generator)}) when it is created, as
 * PyTorch's {@code RandomSampler} does when an epoch starts, so a seeded generator gives the same
 * sequence of epochs on every run (not PyTorch's sequence: the generators differ). Batches are
 * made when {@code next()} is called, with {@link Dataset#getBatch(long[])} ({@code indexSelect}
 * for a {@link TensorDataset}), and belong to the scope open at that moment: close them with the
 * step (see {@link Batch}).
 *
 * <p>Not thread-safe; iterators of one loader are independent (but draw from the same generator).
 */
public final class DataLoader implements Iterable<Batch> {
  private final Dataset dataset;
  private final int batchSize;
  private final boolean shuffle;
  private final Generator generator;
  private final boolean dropLast;

  /** Batches of {@code batchSize} in order, the last one possibly smaller. PyTorch: {@code DataLoader(dataset, batch_size)}. */
  public DataLoader(Dataset dataset, int batchSize) {
    this(dataset, batchSize, false, null, false);
  }

  /**
   * Batches of {@code batchSize}, shuffled each epoch by the default generator when
   * {@code shuffle}. PyTorch: {@code DataLoader(dataset, batch_size, shuffle)}.
   */
  public DataLoader(Dataset dataset, int batchSize, boolean shuffle) {
    this(dataset, batchSize, shuffle, null, false);
  }

  /**
   * The full form. PyTorch: {@code DataLoader(dataset, batch_size, shuffle, generator=generator,
   * drop_last=drop_last)}.
   *
   * @param generator draws the permutations when shuffling; null for
   *     {@link Generator#defaultGenerator()}
   * @param dropLast drop the last batch when it would be smaller than {@code batchSize}
   * @throws IllegalArgumentException if {@code batchSize} is not positive
   */
  public DataLoader(Dataset dataset, int batchSize, boolean shuffle, Generator generator, boolean dropLast) {
    this.dataset = Objects.requireNonNull(dataset, "dataset");
    if (batchSize <= 0) {
      throw new IllegalArgumentException(
          "batch_size should be a positive integer value, but got batch_size=" + batchSize);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.generator = generator;
    this.dropLast = dropLast;
  }

  /** The data set. PyTorch: {@code loader.dataset}. */
  public Dataset dataset() {
    return dataset;
  }

  /** PyTorch: {@code loader.batch_size}. */
  public int batchSize() {
    return batchSize;
  }

  /** PyTorch: {@code loader.drop_last}. */
  public boolean dropLast() {
    return dropLast;
  }

  /** Whether each epoch is shuffled. PyTorch: {@code shuffle=True} (a {@code RandomSampler}). */
  public boolean shuffle() {
    return shuffle;
  }

  /** The number of batches per epoch. PyTorch: {@code len(loader)}. */
  public int size() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /** One epoch of batches (a new permutation when shuffling). PyTorch: {@code iter(loader)}. */
  @Override
  public Iterator<Batch> iterator() {
    int n = dataset.size();
    long[] order;
    if (shuffle) {
      try (Tensor perm = Tensor.randperm(n, generator != null ? generator : Generator.defaultGenerator())) {
        order = perm.toLongArray();
      }
    } else {
      order = new long[n];
      Arrays.setAll(order, i -> i);
    }
    int batches = size();
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < batches;
      }

      @Override
      public Batch next() {
        if (!hasNext()) throw new NoSuchElementException();
        int from = next * batchSize;
        int to = Math.min(from + batchSize, n);
        next++;
        long[] indices = Arrays.copyOfRange(order, from, to);
        return new Batch(dataset.getBatch(indices), indices);
      }
    };
  }

  @Override
  public String toString() {
    return "DataLoader(batch_size=" + batchSize + ", shuffle=" + shuffle + ", drop_last=" + dropLast
        + ", batches=" + size() + ")";
  }
}
