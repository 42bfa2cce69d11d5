package dev.vectorgrad.data;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The four IDX files of an MNIST-style folder (MNIST, Fashion-MNIST, KMNIST):
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each plain or {@code .gz} (also with a dot before {@code idx}, as
 * some mirrors name them). PyTorch equivalent: {@code torchvision.datasets.MNIST(root, train)} /
 * {@code FashionMNIST} without download or transform.
 *
 * <p>Fashion-MNIST (MIT licence, Zalando Research) on Debian/Ubuntu:
 * {@code apt-get install dataset-fashion-mnist} puts the files in {@link #DEBIAN_FASHION_MNIST}.
 */
public final class Mnist {
  /** Where Debian's {@code dataset-fashion-mnist} package installs Fashion-MNIST. */
  public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private Mnist() {}

  /**
   * The training ({@code train}: 60,000 samples) or test (10,000) split in {@code dir}: images
   * float32 {@code [N, 28, 28]} with the raw values 0..255 (divide by 255 for torchvision's
   * {@code ToTensor()}), labels int64 {@code [N]}. The tensors belong to the caller's scope.
   *
   * @throws NoSuchFileException naming the files looked for when one is missing
   * @throws IOException for corrupt files (see {@link Idx}) or image and label counts that differ
   */
  public static TensorDataset load(Path dir, boolean train) throws IOException {
    String prefix = train ? "train" : "t10k";
    Path imagesFile = find(dir, prefix + "-images", "idx3-ubyte");
    Path labelsFile = find(dir, prefix + "-labels", "idx1-ubyte");
    Tensor images = Idx.read(imagesFile, DType.FLOAT32, Idx.MAGIC_IMAGES);
    Tensor labels;
    try {
      labels = Idx.read(labelsFile, DType.INT64, Idx.MAGIC_LABELS);
    } catch (IOException | RuntimeException e) {
      images.close();
      throw e;
    }
    if (images.shape()[0] != labels.shape()[0]) {
      images.close();
      labels.close();
      throw new IOException(dir + ": " + imagesFile.getFileName() + " holds " + images.shape()[0] + " images but "
          + labelsFile.getFileName() + " " + labels.shape()[0] + " labels");
    }
    return new TensorDataset(images, labels);
  }

  /** Whether {@code dir} holds the four files (plain or gzipped). */
  public static boolean isPresent(Path dir) {
    for (String[] f : new String[][] {{"train-images", "idx3-ubyte"}, {"train-labels", "idx1-ubyte"},
        {"t10k-images", "idx3-ubyte"}, {"t10k-labels", "idx1-ubyte"}}) {
      if (candidates(dir, f[0], f[1]).stream().noneMatch(Files::isRegularFile)) return false;
    }
    return true;
  }

  private static Path find(Path dir, String stem, String kind) throws NoSuchFileException {
    var candidates = candidates(dir, stem, kind);
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) return p;
    }
    throw new NoSuchFileException(candidates.get(0).toString(), null,
        "no MNIST file there; looked for " + Arrays.toString(candidates.stream().map(Path::getFileName).toArray()));
  }

  private static java.util.List<Path> candidates(Path dir, String stem, String kind) {
    return java.util.List.of(dir.resolve(stem + "-" + kind + ".gz"), dir.resolve(stem + "-" + kind),
        dir.resolve(stem + "." + kind + ".gz"), dir.resolve(stem + "." + kind));
  }
}
