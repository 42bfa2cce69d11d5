package dev.vectorgrad.demo;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.data.Batch;
import dev.vectorgrad.data.DataLoader;
import dev.vectorgrad.data.Digits;
import dev.vectorgrad.data.Mnist;
import dev.vectorgrad.data.TensorDataset;
import dev.vectorgrad.nn.Functional;
import dev.vectorgrad.nn.Linear;
import dev.vectorgrad.nn.Module;
import dev.vectorgrad.nn.ReLU;
import dev.vectorgrad.nn.Sequential;
import dev.vectorgrad.optim.Adam;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The training examples of the main job: PyTorch's recipe in
 * {@code src/test/resources/golden/training/train_pytorch.py}, ported line by line. An MLP
 * ({@code nn.Sequential(nn.Linear(in, hidden), nn.ReLU(), nn.Linear(hidden, 10))}) trained with
 * cross-entropy and {@code Adam(lr=1e-3)} on shuffled mini-batches; after each epoch the test set
 * is evaluated; a progress bar per epoch ({@link Progress}) and the loss and accuracy curves as a
 * PNG beside a CSV ({@link Curves}, written to {@code target/training/}).
 */
public final class Training {
  /** Where the curves go (relative to the working directory, the project folder under exec:java). */
  static final Path OUT = Path.of("target", "training");

  private Training() {}

  /** What a run reports: test accuracy and loss after the last epoch, seconds spent training. */
  public record Result(double testAccuracy, double testLoss, double seconds) {}

  /**
   * The digits: 1797 8x8 images scaled to [0, 1] (pixel counts / 16), a seeded 80/20 split, MLP
   * 64-128-10, batch 32, 30 epochs. PyTorch, same recipe: 96.7%.
   */
  public static Result digits() throws IOException {
    System.out.println("## Training: an MLP 64-128-10 on the 8x8 digits (1797 images, scikit-learn's, bundled)");
    TensorDataset train;
    TensorDataset test;
    try (TensorDataset digits = Digits.load();                   // load_digits()
        Tensor x = digits.tensor(0).view(-1, 64).div(16.0);      // torch.tensor(d.data) / 16.0
        Tensor y = digits.tensor(1).clone()) {
      List<TensorDataset> parts = new TensorDataset(x, y).randomSplit(new Generator(0), 0.8, 0.2);
      train = parts.get(0);
      test = parts.get(1);
    }
    try (train; test) {
      return run("digits", train, test, 64, 128, 32, 30);
    }
  }

  /**
   * Fashion-MNIST from {@code dir} (null: Debian's {@link Mnist#DEBIAN_FASHION_MNIST}): 60,000 + 10,000
   * 28x28 images scaled to [0, 1] (/ 255, torchvision's {@code ToTensor()}), MLP 784-256-10, batch 64,
   * 5 epochs. PyTorch, same recipe: 87.7%. Returns false (after saying how to get the data) when the
   * files are not there.
   */
  public static boolean fashionMnist(Path dir) throws IOException {
    Path folder = dir != null ? dir : Mnist.DEBIAN_FASHION_MNIST;
    if (!Mnist.isPresent(folder)) {
      System.err.println("Fashion-MNIST not found in " + folder + " (looked for train-images-idx3-ubyte[.gz],"
          + " train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]).");
      System.err.println("Get it (MIT licence, Zalando Research) with one of:");
      System.err.println("  sudo apt-get install dataset-fashion-mnist      # Debian/Ubuntu: " + Mnist.DEBIAN_FASHION_MNIST);
      System.err.println("  the four *-ubyte.gz files of https://github.com/zalandoresearch/fashion-mnist (data/fashion),");
      System.err.println("  then: ./mvnw -q exec:java -Dexec.args=\"fashion-mnist /path/to/that/folder\"");
      return false;
    }
    System.out.println("## Training: an MLP 784-256-10 on Fashion-MNIST (" + folder + ")");
    TensorDataset train = scaled(Mnist.load(folder, true));
    try (train; TensorDataset test = scaled(Mnist.load(folder, false))) {
      run("fashion-mnist", train, test, 784, 256, 64, 5);
    }
    return true;
  }

  /** Images [N, 28, 28] of 0..255 to [N, 784] in [0, 1]; closes the raw data set. */
  private static TensorDataset scaled(TensorDataset raw) {
    try (raw) {
      return new TensorDataset(raw.tensor(0).view(-1, 784).div(255.0), raw.tensor(1).clone());
    }
  }

  /**
   * The training loop, as {@code train_pytorch.py}'s. Every step runs in its own
   * {@link TensorScope} with its batch, so live memory stays flat; parameters, their gradients and
   * Adam's moments outlive the steps.
   */
  @SuppressWarnings("try") // scopes and the no-grad guard act by being closed, unreferenced
  static Result run(String name, TensorDataset train, TensorDataset test, int in, int hidden, int batchSize,
      int epochs) throws IOException {
    Tensor.manualSeed(0);                                                   // torch.manual_seed(0)
    Module model = new Sequential(new Linear(in, hidden), new ReLU(), new Linear(hidden, 10));
    Adam optimizer = new Adam(model.parameters(), 1e-3);
    DataLoader loader = new DataLoader(train, batchSize, true, new Generator(0), false);
    Tensor xTest = test.tensor(0);
    Tensor yTest = test.tensor(1);
    Curves curves = new Curves(name);
    System.out.println(model);                                              // print(model)
    System.out.printf(Locale.ROOT, "%d training and %d test samples, batch %d, %d epochs, Adam lr 1e-3%n",
        train.size(), test.size(), batchSize, epochs);
    double testLoss = Double.NaN;
    double accuracy = Double.NaN;
    long start = System.nanoTime();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      model.train();
      double total = 0;
      long seen = 0;
      try (Progress bar = new Progress(String.format(Locale.ROOT, "epoch %2d/%d", epoch, epochs), loader.size())) {
        for (Batch batch : loader) {
          try (batch; var step = TensorScope.open()) {
            optimizer.zeroGrad();                                                     // optimizer.zero_grad()
            Tensor loss = Functional.crossEntropy(model.forward(batch.get(0)), batch.get(1)); // loss_fn(model(x), y)
            loss.backward();                                                          // loss.backward()
            optimizer.step();                                                         // optimizer.step()
            double l = loss.item();
            total += l * batch.batchSize();
            seen += batch.batchSize();
            bar.step(batch.batchSize(), l);
          }
        }
      }
      model.eval();
      try (var noGrad = GradMode.noGrad(); var scope = TensorScope.open()) {           // with torch.no_grad():
        Tensor logits = model.forward(xTest);
        testLoss = Functional.crossEntropy(logits, yTest).item();
        accuracy = logits.argmax(1, false).eq(yTest).to(DType.FLOAT32).mean().item(); // (argmax == y).float().mean()
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      curves.add(epoch, total / seen, testLoss, accuracy, elapsed);
      System.out.printf(Locale.ROOT, "epoch %2d  train loss %.4f  test loss %.4f  test accuracy %.4f  (%.2f s)%n",
          epoch, total / seen, testLoss, accuracy, elapsed);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    optimizer.close();
    model.parameters().forEach(Tensor::close);
    System.out.printf(Locale.ROOT, "trained in %.2f s (%.0f examples/s); curves: %s%n", seconds,
        (double) epochs * train.size() / seconds, curves.write(OUT));
    System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", accuracy);
    return new Result(accuracy, testLoss, seconds);
  }
}
