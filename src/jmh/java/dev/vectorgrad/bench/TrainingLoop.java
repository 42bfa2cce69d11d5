package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
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

/**
 * The training loop the benchmark times ({@link TrainingBench}) and profiles
 * ({@link TrainingStepCost}): {@link dev.vectorgrad.demo.Training}'s loop on {@link SharedOrder}'s
 * data order, {@code Sequential(Linear(in, hidden), ReLU(), Linear(hidden, 10))}, cross-entropy,
 * {@code Adam(lr=1e-3)}, every step in its own {@link TensorScope}. Owns the data, the model and
 * the optimizer state.
 */
final class TrainingLoop implements AutoCloseable {
  /** What brackets each step: called right after the batch is gathered and after the step's scope closed. */
  interface Probe {
    void start();

    void stop();
  }

  /** A workload: the data (inputs already scaled, labels int64) and the recipe's sizes. */
  record Workload(String name, TensorDataset train, int in, int hidden, int batch) {}

  final Workload workload;
  final int stepsPerEpoch;
  private final TensorDataset train;
  private final int n;
  private Module model;
  private Adam optimizer;
  private final long[][] batchIndices;
  private double lastLoss = Double.NaN;

  /** A fresh model (seed 0) over {@code w}'s data, at most {@code maxSteps} steps per epoch; takes ownership of the data. */
  TrainingLoop(Workload w, int maxSteps) {
    this.workload = w;
    this.train = w.train();
    this.n = train.size();
    this.stepsPerEpoch = Math.min((n + w.batch() - 1) / w.batch(), maxSteps);
    fresh();
    batchIndices = new long[stepsPerEpoch][];
    for (int s = 0; s < stepsPerEpoch; s++) {
      int from = s * w.batch();
      batchIndices[s] = new long[Math.min(from + w.batch(), n) - from];
    }
  }

  /** A new model from seed 0 and a new optimizer (PyTorch's default init, each library's own stream). */
  private void fresh() {
    Tensor.manualSeed(0);
    model = new Sequential(new Linear(workload.in(), workload.hidden()), new ReLU(), new Linear(workload.hidden(), 10));
    optimizer = new Adam(model.parameters(), 1e-3);
    model.train();
  }

  /**
   * Starts training over: the model and optimizer are replaced by fresh ones (the old ones closed),
   * so that the measured epochs follow the same training trajectory whatever the warm-up's length
   * (a longer-trained model's tiny gradients, dead units or subnormal Adam moments could change a
   * step's cost). The JIT's and the allocator's warmth stay.
   */
  void restart() {
    closeModel();
    fresh();
  }

  private void closeModel() {
    optimizer.close();
    model.parameters().forEach(Tensor::close);
  }

  /** The digits scaled by 1/16, the training part of {@link SharedOrder#digitsTrainIndices()}. */
  static Workload digits() {
    try (TensorDataset all = Digits.load();
        Tensor x = all.tensor(0).view(-1, 64).div(16.0);
        Tensor index = Tensor.of(SharedOrder.digitsTrainIndices())) {
      return new Workload("digits", new TensorDataset(x.indexSelect(0, index), all.tensor(1).indexSelect(0, index)),
          64, 128, 32);
    }
  }

  /** Fashion-MNIST's 60,000 training images scaled by 1/255 (the test set is not used). */
  static Workload fashionMnist(Path dir) throws IOException {
    try (TensorDataset raw = Mnist.load(dir, true)) {
      return new Workload("fashion-mnist",
          new TensorDataset(raw.tensor(0).view(-1, 784).div(255.0), raw.tensor(1).clone()), 784, 256, 64);
    }
  }

  /** The shuffled sample order of {@code epoch} (computed by the caller before its clock starts). */
  long[] order(int epoch) {
    return SharedOrder.epochOrder(n, epoch);
  }

  /**
   * One epoch over {@code order}: per step the batch is gathered ({@code indexSelect}, as
   * {@code DataLoader}), then {@code probe.start()}, {@code zeroGrad(); loss = crossEntropy(model(x),
   * y); loss.backward(); step(); loss.item()}, the step's scope closes, {@code probe.stop()}.
   */
  @SuppressWarnings("try") // the step scope acts by being closed
  void epoch(long[] order, Probe probe) {
    int batch = workload.batch();
    for (int s = 0; s < stepsPerEpoch; s++) {
      long[] indices = batchIndices[s];
      System.arraycopy(order, s * batch, indices, 0, indices.length);
      try (var scope = TensorScope.open()) {
        List<Tensor> xy = train.getBatch(indices);
        probe.start();
        optimizer.zeroGrad();
        Tensor loss = Functional.crossEntropy(model.forward(xy.get(0)), xy.get(1));
        loss.backward();
        optimizer.step();
        lastLoss = loss.item();
      }
      probe.stop();
    }
  }

  /** The loss of the last step. */
  double lastLoss() {
    return lastLoss;
  }

  /**
   * A fingerprint of the model's parameters (their float bits, in order): equal between two builds
   * exactly when they trained to bit-identical weights, the check that an optimisation changed no result.
   */
  String parameterDigest() {
    long h = 1125899906842597L;
    for (Tensor p : model.parameters()) {
      for (float v : p.toFloatArray()) h = 31 * h + Float.floatToRawIntBits(v);
    }
    return Long.toHexString(h);
  }

  /** {@link SharedOrder#digest} of {@code order} with this data set's labels. */
  String digest(long[] order) {
    return SharedOrder.digest(order, train.tensor(1).toLongArray());
  }

  @Override
  public void close() {
    closeModel();
    train.close();
  }
}
