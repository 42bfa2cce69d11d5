package dev.vectorgrad.data;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * A map-style data set: a fixed number of samples, each a list of tensors (for example an image
 * and its label). PyTorch equivalent: {@code torch.utils.data.Dataset} ({@code __len__},
 * {@code __getitem__}, {@code __getitems__}).
 */
public interface Dataset {
  /** The number of samples. PyTorch: {@code len(dataset)}. */
  int size();

  /**
   * Sample {@code index} (0 &lt;= index &lt; size()), as a list of tensors. PyTorch:
   * {@code dataset[index]}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  List<Tensor> get(int index);

  /**
   * The samples at {@code indices}, collated: element {@code k} of the result stacks element
   * {@code k} of every sample along a new dim 0. PyTorch: {@code __getitems__} followed by
   * {@code default_collate}. The default calls {@link #get(int)} for each index and
   * {@link Tensor#stack stacks} the parts; the samples it fetched on the way are released, the
   * stacked tensors belong to the caller's scope. {@link TensorDataset} overrides it with one
   * {@code indexSelect} per tensor.
   *
   * @throws IllegalArgumentException if {@code indices} is empty or samples differ in their
   *     number of parts
   */
  @SuppressWarnings("try") // the scope is used for what it closes, not referenced
  default List<Tensor> getBatch(long[] indices) {
    if (indices.length == 0) throw new IllegalArgumentException("getBatch(): no indices");
    List<Tensor> out = new ArrayList<>();
    try (var scope = TensorScope.open()) {
      List<List<Tensor>> samples = new ArrayList<>(indices.length);
      for (long i : indices) {
        if (i < 0 || i >= size()) {
          throw new IndexOutOfBoundsException("index " + i + " is out of range for a dataset of size " + size());
        }
        samples.add(get((int) i));
      }
      int parts = samples.get(0).size();
      for (List<Tensor> s : samples) {
        if (s.size() != parts) {
          throw new IllegalArgumentException("each element in list of batch should be of equal size");
        }
      }
      for (int k = 0; k < parts; k++) {
        Tensor[] column = new Tensor[samples.size()];
        for (int j = 0; j < column.length; j++) column[j] = samples.get(j).get(k);
        out.add(Tensor.stack(0, column));
      }
      for (Tensor t : out) t.keep();
    }
    return out;
  }
}
