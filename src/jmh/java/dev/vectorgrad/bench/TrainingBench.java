package dev.vectorgrad.bench;

import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.data.Digits;
import dev.vectorgrad.data.Mnist;
import dev.vectorgrad.data.TensorDataset;
import dev.vectorgrad.kernels.Parallel;
import dev.vectorgrad.nn.Functional;
import dev.vectorgrad.nn.Linear;
import dev.vectorgrad.nn.Module;
import dev.vectorgrad.nn.ReLU;
import dev.vectorgrad.nn.Sequential;
import dev.vectorgrad.optim.Adam;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * vectorgrad's side of the training benchmark ({@code native-bench/training/}): a timed harness,
 * not JMH, because the quantities wanted are those of a real training loop (the median of a few
 * thousand consecutive steps, whole epochs, allocator counters over them), which JMH's
 * invocation model would hide. PyTorch's twin is {@code native-bench/training/train_bench.py};
 * both print the same CSV, and {@code native-bench/training/run.sh} runs them interleaved.
 *
 * <p>The loop is {@link dev.vectorgrad.demo.Training}'s (PyTorch's {@code train_pytorch.py}):
 * {@code Sequential(Linear(in, hidden), ReLU(), Linear(hidden, 10))}, cross-entropy,
 * {@code Adam(lr=1e-3)}, every step in its own {@link TensorScope}. Differences from the demo, so
 * that both libraries see the same work: the shuffles come from {@link SharedOrder} (the same
 * permutations in Python), the digits split is that of {@link SharedOrder} too, there is no test
 * evaluation, no progress bar and no loss bookkeeping beyond {@code loss.item()}.
 *
 * <p>Measured: a step is {@code zeroGrad(); loss = crossEntropy(model(x), y); loss.backward();
 * step(); loss.item()} plus closing its scope (the batch gathered before it is not timed); an
 * epoch is the whole loop over the shuffled training set, batch gathering ({@code indexSelect},
 * as {@code DataLoader}) included. Warm-up epochs run first (the JIT compiles then) and are not
 * counted. The native-memory columns difference {@link MemoryStats}'s counters over the measured
 * epochs: in steady state fresh allocations and reserved bytes must not grow.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dvectorgrad.threads=1 \
 *   -cp target/benchmarks.jar dev.vectorgrad.bench.TrainingBench --dataset digits [--warmup-epochs W]
 *   [--epochs E] [--max-steps N] [--fashion-dir DIR] [--header]
 * }</pre>
 *
 * <p>Defaults: digits 100 warm-up + 50 measured epochs of 45 steps, Fashion-MNIST 2 + 3 of 938;
 * {@code --max-steps} caps the steps per epoch (smoke runs). A missing Fashion-MNIST prints a row
 * with status {@code skipped} and exits normally.
 */
public final class TrainingBench {
  /** The CSV columns, shared with {@code train_bench.py}. */
  static final String HEADER = "impl,dataset,status,threads,batch,train_size,steps_per_epoch,warmup_epochs,epochs,"
      + "step_median_us,step_p10_us,step_p90_us,step_mean_us,epoch_median_s,epoch_min_s,epoch_max_s,final_loss,"
      + "order_digest,native_fresh_allocs_per_step,native_fresh_bytes_per_step,native_allocs_per_step,"
      + "live_bytes_growth,heap_bytes_per_step";

  private TrainingBench() {}

  /** A workload: the data (inputs already scaled, labels int64) and the recipe's sizes; owns the data. */
  private record Workload(String name, TensorDataset train, int in, int hidden, int batch) implements AutoCloseable {
    @Override
    public void close() {
      train.close();
    }
  }

  /**
   * Trains one workload and prints its CSV row (after the header with {@code --header}). PyTorch
   * equivalent: {@code python3 native-bench/training/train_bench.py} with the same arguments.
   */
  public static void main(String[] args) throws IOException {
    String dataset = "digits";
    Integer warmup = null;
    Integer epochs = null;
    int maxSteps = Integer.MAX_VALUE;
    Path fashionDir = Mnist.DEBIAN_FASHION_MNIST;
    boolean header = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dataset" -> dataset = args[++i];
        case "--warmup-epochs" -> warmup = Integer.parseInt(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--max-steps" -> maxSteps = Integer.parseInt(args[++i]);
        case "--fashion-dir" -> fashionDir = Path.of(args[++i]);
        case "--header" -> header = true;
        default -> {
          System.err.println("TrainingBench: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    if (header) System.out.println(HEADER);
    int threads = Parallel.threads();
    switch (dataset) {
      case "digits" -> {
        try (Workload w = digits()) {
          measure(w, threads, warmup != null ? warmup : 100, epochs != null ? epochs : 50, maxSteps);
        }
      }
      case "fashion-mnist" -> {
        if (!Mnist.isPresent(fashionDir)) {
          // Absent data is a normal outcome: say so in a row, so the report can print "skipped".
          System.err.println("TrainingBench: fashion-mnist skipped: not found in " + fashionDir
              + " (apt-get install dataset-fashion-mnist, or --fashion-dir DIR)");
          System.out.println("vectorgrad,fashion-mnist,skipped," + threads + ",64" + ",".repeat(18));
          return;
        }
        try (Workload w = fashionMnist(fashionDir)) {
          measure(w, threads, warmup != null ? warmup : 2, epochs != null ? epochs : 3, maxSteps);
        }
      }
      default -> {
        System.err.println("TrainingBench: --dataset must be digits or fashion-mnist, not " + dataset);
        System.exit(2);
      }
    }
  }

  /** The digits scaled by 1/16, the training part of {@link SharedOrder#digitsTrainIndices()}. */
  private static Workload digits() {
    try (TensorDataset all = Digits.load();
        Tensor x = all.tensor(0).view(-1, 64).div(16.0);
        Tensor index = Tensor.of(SharedOrder.digitsTrainIndices())) {
      return new Workload("digits", new TensorDataset(x.indexSelect(0, index), all.tensor(1).indexSelect(0, index)),
          64, 128, 32);
    }
  }

  /** Fashion-MNIST's 60,000 training images scaled by 1/255 (the test set is not used). */
  private static Workload fashionMnist(Path dir) throws IOException {
    try (TensorDataset raw = Mnist.load(dir, true)) {
      return new Workload("fashion-mnist",
          new TensorDataset(raw.tensor(0).view(-1, 784).div(255.0), raw.tensor(1).clone()), 784, 256, 64);
    }
  }

  @SuppressWarnings("try") // the step scope acts by being closed
  private static void measure(Workload w, int threads, int warmupEpochs, int epochs, int maxSteps) {
    TensorDataset train = w.train();
    int n = train.size();
    int stepsPerEpoch = Math.min((n + w.batch() - 1) / w.batch(), maxSteps);
    // All permutations before any timing: their cost is the order's, not the library's.
    List<long[]> orders = new ArrayList<>();
    for (int e = 0; e < warmupEpochs + epochs; e++) orders.add(SharedOrder.epochOrder(n, e));

    Tensor.manualSeed(0);
    Module model = new Sequential(new Linear(w.in(), w.hidden()), new ReLU(), new Linear(w.hidden(), 10));
    Adam optimizer = new Adam(model.parameters(), 1e-3);
    model.train();
    long[] stepNanos = new long[epochs * stepsPerEpoch];
    double[] epochSeconds = new double[epochs];
    int measured = 0;
    double lastLoss = Double.NaN;
    long fresh0 = 0, reserved0 = 0, allocs0 = 0, live0 = 0, heap0 = 0;
    Instant measuredFrom = Instant.now();
    for (int e = 0; e < warmupEpochs + epochs; e++) {
      boolean timed = e >= warmupEpochs;
      if (e == warmupEpochs) {
        fresh0 = MemoryStats.freshAllocations();
        reserved0 = MemoryStats.reservedBytes();
        allocs0 = MemoryStats.allocations();
        live0 = MemoryStats.liveBytes();
        heap0 = heapAllocated();
        measuredFrom = Instant.now();
      }
      long[] order = orders.get(e);
      long epochStart = System.nanoTime();
      for (int s = 0; s < stepsPerEpoch; s++) {
        int from = s * w.batch();
        long[] indices = Arrays.copyOfRange(order, from, Math.min(from + w.batch(), n));
        long t0;
        try (var scope = TensorScope.open()) {
          List<Tensor> batch = train.getBatch(indices);       // DataLoader's gather: indexSelect
          t0 = System.nanoTime();
          optimizer.zeroGrad();
          Tensor loss = Functional.crossEntropy(model.forward(batch.get(0)), batch.get(1));
          loss.backward();
          optimizer.step();
          lastLoss = loss.item();
        }
        long t1 = System.nanoTime();
        if (timed) stepNanos[measured++] = t1 - t0;
      }
      if (timed) epochSeconds[e - warmupEpochs] = (System.nanoTime() - epochStart) / 1e9;
    }
    // The window of the measured epochs, for a profile of the steady state (jfr_breakdown.py).
    System.out.println("# measured " + w.name() + " from " + measuredFrom + " to " + Instant.now());
    double steps = measured;
    String memory = String.format(Locale.ROOT, "%.3f,%.1f,%.2f,%d,%.0f",
        (MemoryStats.freshAllocations() - fresh0) / steps,
        (MemoryStats.reservedBytes() - reserved0) / steps,
        (MemoryStats.allocations() - allocs0) / steps,
        MemoryStats.liveBytes() - live0,
        heap0 < 0 ? Double.NaN : (heapAllocated() - heap0) / steps);
    optimizer.close();
    model.parameters().forEach(Tensor::close);

    long[] sorted = stepNanos.clone();
    Arrays.sort(sorted);
    double[] epochSorted = epochSeconds.clone();
    Arrays.sort(epochSorted);
    System.out.println(String.format(Locale.ROOT, "vectorgrad,%s,ok,%d,%d,%d,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.4f,%.4f,%.4f,%.5f,%s,",
        w.name(), threads, w.batch(), n, stepsPerEpoch, warmupEpochs, epochs,
        percentile(sorted, 0.5) / 1e3, percentile(sorted, 0.1) / 1e3, percentile(sorted, 0.9) / 1e3,
        Arrays.stream(sorted).average().orElse(Double.NaN) / 1e3,
        median(epochSorted), epochSorted[0], epochSorted[epochSorted.length - 1], lastLoss,
        SharedOrder.digest(orders.get(0), train.tensor(1).toLongArray())) + memory);
  }

  /**
   * Bytes allocated on the Java heap by all threads so far (HotSpot's counter, read twice per run);
   * -1 where unsupported. Reflective because the benchmarks compile inside module dev.vectorgrad,
   * which does not read java.management; at run time they are on the class path.
   */
  private static long heapAllocated() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
      return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getTotalThreadAllocatedBytes")
          .invoke(bean);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }

  /** The value at fraction q of sorted data, linearly interpolated (numpy's default percentile). */
  static double percentile(long[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  private static double median(double[] sorted) {
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
}
