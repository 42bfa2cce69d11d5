package dev.vectorgrad.data;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * scikit-learn's 8x8 handwritten digits (1797 images, labels 0-9; BSD-3-Clause, a copy of the UCI
 * "Optical Recognition of Handwritten Digits" test set), bundled in the jar: always present, no
 * download. PyTorch equivalent: {@code sklearn.datasets.load_digits()} turned into tensors.
 *
 * <p>The class path holds them as two gzipped IDX files under {@code dev/vectorgrad/data/digits/},
 * made from scikit-learn's {@code digits.csv.gz} by {@code convert_digits.py} beside them (values
 * and order unchanged); {@code LICENSE-digits.txt} there has the origin and the licence.
 */
public final class Digits {
  /** Number of images. */
  public static final int SIZE = 1797;

  private static final String IMAGES = "digits/digits-images-idx3-ubyte.gz";
  private static final String LABELS = "digits/digits-labels-idx1-ubyte.gz";

  private Digits() {}

  /**
   * The digits as a data set of images float32 {@code [1797, 8, 8]} (pixel counts 0..16, as
   * {@code load_digits().images}) and labels int64 {@code [1797]} ({@code load_digits().target}),
   * in scikit-learn's order; the tensors belong to the caller's scope. For an MLP, flatten the
   * images to {@code [1797, 64]} ({@code load_digits().data}) and scale them, e.g. by 1/16.
   *
   * @throws UncheckedIOException if the bundled files are missing from the class path or damaged
   */
  public static TensorDataset load() {
    Tensor images = read(IMAGES, DType.FLOAT32, Idx.MAGIC_IMAGES);
    Tensor labels;
    try {
      labels = read(LABELS, DType.INT64, Idx.MAGIC_LABELS);
    } catch (RuntimeException e) {
      images.close();
      throw e;
    }
    return new TensorDataset(images, labels);
  }

  private static Tensor read(String resource, DType dtype, int magic) {
    String name = "classpath:dev/vectorgrad/data/" + resource;
    try (InputStream in = Digits.class.getResourceAsStream(resource)) {
      if (in == null) throw new UncheckedIOException(new IOException(name + ": not found on the class path"));
      return Idx.read(in, name, dtype, magic);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
