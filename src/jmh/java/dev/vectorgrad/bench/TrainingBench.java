package dev.vectorgrad.bench;

import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.data.Mnist;
import dev.vectorgrad.kernels.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * vectorgrad's side of the training benchmark ({@code native-bench/training/}): a timed harness,
 * not JMH, because the quantities wanted are those of a real training loop (the median of a few
 * thousand consecutive steps, whole epochs, allocator counters over them), which JMH's
 * invocation model would hide. PyTorch's twin is {@code native-bench/training/train_bench.py};
 * both print the same CSV, and {@code native-bench/training/run.sh} runs them interleaved.
 *
 * <p>The loop is {@link TrainingLoop}'s ({@link dev.vectorgrad.demo.Training}'s, PyTorch's
 * {@code train_pytorch.py}). Differences from the demo, so that both libraries see the same work:
 * the shuffles come from {@link SharedOrder} (the same permutations in Python), the digits split
 * is that of {@link SharedOrder} too, there is no test evaluation, no progress bar and no loss
 * bookkeeping beyond {@code loss.item()}.
 *
 * <p>Measured: a step is {@code zeroGrad(); loss = crossEntropy(model(x), y); loss.backward();
 * step(); loss.item()} plus closing its scope (the batch gathered before it is not timed); an
 * epoch is the whole loop over the shuffled training set, batch gathering ({@code indexSelect},
 * as {@code DataLoader}) included. Warm-up epochs run first (the JIT compiles then) and are not
 * counted: by default until the step time has settled ({@link WarmUp}), or a fixed number; then
 * training restarts from a fresh model (seed 0) for the measured epochs, so that both libraries
 * measure the same stretch of training (epochs 0 .. E-1) whatever their warm-ups took. The
 * native-memory columns difference {@link MemoryStats}'s counters over the measured epochs after
 * the first (whose first step creates the fresh model's gradients and Adam state): in steady state
 * fresh allocations and reserved bytes must not grow.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dvectorgrad.threads=1 \
 *   -cp target/benchmarks.jar dev.vectorgrad.bench.TrainingBench --dataset digits [--warmup-epochs W|auto]
 *   [--epochs E] [--max-steps N] [--fashion-dir DIR] [--header]
 * }</pre>
 *
 * <p>Defaults: digits warm-up until settled (at least 100, at most 4000 epochs of 45 steps) + 50
 * measured epochs, Fashion-MNIST until settled (2 to 20 epochs of 938) + 3; {@code --max-steps}
 * caps the steps per epoch (smoke runs). A missing Fashion-MNIST prints a row with status
 * {@code skipped} and exits normally. Comment lines ({@code #}) give the warm-up's trace and the
 * measured window (for {@code jfr_breakdown.py}).
 */
public final class TrainingBench {
  /** The CSV columns, shared with {@code train_bench.py}. */
  static final String HEADER = "impl,dataset,status,threads,batch,train_size,steps_per_epoch,warmup_epochs,epochs,"
      + "step_median_us,step_p10_us,step_p90_us,step_mean_us,epoch_median_s,epoch_min_s,epoch_max_s,final_loss,"
      + "order_digest,native_fresh_allocs_per_step,native_fresh_bytes_per_step,native_allocs_per_step,"
      + "live_bytes_growth,heap_bytes_per_step";

  private TrainingBench() {}

  /**
   * Trains one workload and prints its CSV row (after the header with {@code --header}). PyTorch
   * equivalent: {@code python3 native-bench/training/train_bench.py} with the same arguments.
   */
  public static void main(String[] args) throws IOException {
    String dataset = "digits";
    String warmup = "auto";
    Integer epochs = null;
    int maxSteps = Integer.MAX_VALUE;
    Path fashionDir = Mnist.DEBIAN_FASHION_MNIST;
    boolean header = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dataset" -> dataset = args[++i];
        case "--warmup-epochs" -> warmup = args[++i];
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
      case "digits" -> measure(TrainingLoop.digits(), threads, WarmUp.parse(warmup, WarmUp.DIGITS),
          epochs != null ? epochs : 50, maxSteps);
      case "fashion-mnist" -> {
        if (!Mnist.isPresent(fashionDir)) {
          // Absent data is a normal outcome: say so in a row, so the report can print "skipped".
          System.err.println("TrainingBench: fashion-mnist skipped: not found in " + fashionDir
              + " (apt-get install dataset-fashion-mnist, or --fashion-dir DIR)");
          System.out.println("vectorgrad,fashion-mnist,skipped," + threads + ",64" + ",".repeat(18));
          return;
        }
        measure(TrainingLoop.fashionMnist(fashionDir), threads, WarmUp.parse(warmup, WarmUp.FASHION),
            epochs != null ? epochs : 3, maxSteps);
      }
      default -> {
        System.err.println("TrainingBench: --dataset must be digits or fashion-mnist, not " + dataset);
        System.exit(2);
      }
    }
  }

  /** Records each step's wall time into {@code nanos} from {@code at} on. */
  private static final class StepTimer implements TrainingLoop.Probe {
    long[] nanos;
    int at;
    private long t0;

    @Override
    public void start() {
      t0 = System.nanoTime();
    }

    @Override
    public void stop() {
      nanos[at++] = System.nanoTime() - t0;
    }
  }

  private static void measure(TrainingLoop.Workload w, int threads, WarmUp warmUp, int epochs, int maxSteps) {
    try (TrainingLoop loop = new TrainingLoop(w, maxSteps)) {
      int steps = loop.stepsPerEpoch;
      StepTimer timer = new StepTimer();

      // Warm-up: blocks of epochs until the rule says the step time, the heap per step and the JIT settled.
      timer.nanos = new long[warmUp.blockEpochs * steps];
      int e = 0;
      while (!warmUp.done()) {
        timer.at = 0;
        long heap = JvmCounters.heapAllocated();
        long jit = JvmCounters.compileMillis();
        for (int b = 0; b < warmUp.blockEpochs; b++) loop.epoch(loop.order(e++), timer);
        double heapPerStep = heap < 0 ? Double.NaN : (JvmCounters.heapAllocated() - heap) / (double) timer.at;
        long[] sorted = Arrays.copyOf(timer.nanos, timer.at);
        Arrays.sort(sorted);
        warmUp.block(percentile(sorted, 0.5) / 1e3, heapPerStep, jit < 0 ? -1 : JvmCounters.compileMillis() - jit);
      }
      int warmupEpochs = e;
      System.out.println("# warm-up " + w.name() + ": " + warmUp.summary());
      // The measured epochs train a fresh model on epochs 0..E-1's orders, as train_bench.py does:
      // the same trajectory on both sides, whatever each side's warm-up took.
      loop.restart();
      e = 0;

      timer.nanos = new long[epochs * steps];
      timer.at = 0;
      double[] epochSeconds = new double[epochs];
      // The memory counters are differenced from the second measured epoch on: the first step of
      // the fresh model creates its gradients and Adam's state, once (a single measured epoch: all).
      long[] mem0 = memory();
      int memFrom = epochs > 1 ? steps : 0;
      Instant measuredFrom = Instant.now();
      for (int m = 0; m < epochs; m++, e++) {
        long[] order = loop.order(e);   // the order's cost is not the library's
        if (m == 1) mem0 = memory();
        long epochStart = System.nanoTime();
        loop.epoch(order, timer);
        epochSeconds[m] = (System.nanoTime() - epochStart) / 1e9;
      }
      // The window of the measured epochs, for a profile of the steady state (jfr_breakdown.py).
      System.out.println("# measured " + w.name() + " from " + measuredFrom + " to " + Instant.now());
      long[] mem1 = memory();
      double counted = timer.at - memFrom;
      String memory = String.format(Locale.ROOT, "%.3f,%.1f,%.2f,%d,%.0f",
          (mem1[0] - mem0[0]) / counted, (mem1[1] - mem0[1]) / counted, (mem1[2] - mem0[2]) / counted,
          mem1[3] - mem0[3], mem0[4] < 0 ? Double.NaN : (mem1[4] - mem0[4]) / counted);

      long[] sorted = timer.nanos.clone();
      Arrays.sort(sorted);
      double[] epochSorted = epochSeconds.clone();
      Arrays.sort(epochSorted);
      System.out.println(String.format(Locale.ROOT,
          "vectorgrad,%s,ok,%d,%d,%d,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.4f,%.4f,%.4f,%.5f,%s,",
          w.name(), threads, w.batch(), w.train().size(), steps, warmupEpochs, epochs,
          percentile(sorted, 0.5) / 1e3, percentile(sorted, 0.1) / 1e3, percentile(sorted, 0.9) / 1e3,
          Arrays.stream(sorted).average().orElse(Double.NaN) / 1e3,
          median(epochSorted), epochSorted[0], epochSorted[epochSorted.length - 1], loop.lastLoss(),
          loop.digest(loop.order(0))) + memory);
    }
  }

  /** MemoryStats' fresh allocations, reserved bytes, allocations and live bytes, and the Java heap's allocated bytes. */
  private static long[] memory() {
    return new long[] {MemoryStats.freshAllocations(), MemoryStats.reservedBytes(), MemoryStats.allocations(),
        MemoryStats.liveBytes(), JvmCounters.heapAllocated()};
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
