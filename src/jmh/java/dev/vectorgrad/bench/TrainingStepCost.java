package dev.vectorgrad.bench;

import dev.vectorgrad.data.Mnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The steady-state cost of a training step by counters that do not depend on the machine's load:
 * the calling thread's CPU time and Java heap allocation per step ({@code ThreadMXBean}), over
 * many steps of {@link TrainingLoop} in one JVM, block by block, so that the JIT's progress is
 * visible. For relative checks of a change on a shared machine, where wall times
 * ({@link TrainingBench}) mean little; run with {@code -Dvectorgrad.threads=1} so that the step's
 * work is all on this thread.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dvectorgrad.threads=1 \
 *   -cp target/benchmarks.jar dev.vectorgrad.bench.TrainingStepCost [--dataset digits] [--blocks 100]
 *   [--block-epochs 20] [--last 20] [--max-steps N] [--fashion-dir DIR]
 * }</pre>
 *
 * <p>Prints one line per block (epochs so far, median wall us, CPU us and heap bytes per step,
 * counted from after the batch gather to after the step's scope closed) and a summary line: the
 * medians of the last {@code --last} blocks' values, the final loss and a digest of the trained
 * parameters (equal across builds exactly when the weights are bit-identical).
 */
public final class TrainingStepCost {
  private TrainingStepCost() {}

  /** Brackets each step with the thread's CPU time and heap counters, and the wall clock. */
  private static final class Counters implements TrainingLoop.Probe {
    long[] nanos;
    int at;
    long cpu;
    long heap;
    private long t0;
    private long cpu0;
    private long heap0;

    @Override
    public void start() {
      heap0 = JvmCounters.threadAllocated();
      cpu0 = JvmCounters.threadCpuNanos();
      t0 = System.nanoTime();
    }

    @Override
    public void stop() {
      long t1 = System.nanoTime();
      long cpu1 = JvmCounters.threadCpuNanos();
      long heap1 = JvmCounters.threadAllocated();
      nanos[at++] = t1 - t0;
      cpu += cpu1 - cpu0;
      heap += heap1 - heap0;
    }
  }

  /** Runs the blocks and prints them; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    String dataset = "digits";
    int blocks = 100;
    int blockEpochs = 20;
    int last = 20;
    int maxSteps = Integer.MAX_VALUE;
    Path fashionDir = Mnist.DEBIAN_FASHION_MNIST;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dataset" -> dataset = args[++i];
        case "--blocks" -> blocks = Integer.parseInt(args[++i]);
        case "--block-epochs" -> blockEpochs = Integer.parseInt(args[++i]);
        case "--last" -> last = Integer.parseInt(args[++i]);
        case "--max-steps" -> maxSteps = Integer.parseInt(args[++i]);
        case "--fashion-dir" -> fashionDir = Path.of(args[++i]);
        default -> {
          System.err.println("TrainingStepCost: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    TrainingLoop.Workload w = dataset.equals("digits") ? TrainingLoop.digits() : TrainingLoop.fashionMnist(fashionDir);
    last = Math.min(last, blocks);
    try (TrainingLoop loop = new TrainingLoop(w, maxSteps)) {
      Counters c = new Counters();
      c.nanos = new long[blockEpochs * loop.stepsPerEpoch];
      double[][] tail = new double[3][last];
      System.out.println("epochs,wall_median_us,cpu_us_per_step,heap_bytes_per_step,jit_ms");
      int e = 0;
      for (int b = 0; b < blocks; b++) {
        c.at = 0;
        c.cpu = 0;
        c.heap = 0;
        long jit = JvmCounters.compileMillis();
        for (int k = 0; k < blockEpochs; k++) loop.epoch(loop.order(e++), c);
        long[] sorted = Arrays.copyOf(c.nanos, c.at);
        Arrays.sort(sorted);
        double[] row = {TrainingBench.percentile(sorted, 0.5) / 1e3, c.cpu / 1e3 / c.at, c.heap / (double) c.at};
        System.out.println(String.format(Locale.ROOT, "%d,%.2f,%.2f,%.0f,%d", e, row[0], row[1], row[2],
            JvmCounters.compileMillis() - jit));
        if (b >= blocks - last) {
          for (int q = 0; q < 3; q++) tail[q][b - (blocks - last)] = row[q];
        }
      }
      for (double[] t : tail) Arrays.sort(t);
      System.out.println(String.format(Locale.ROOT,
          "# %s, last %d blocks of %d epochs (%d steps each): wall median %.2f us, CPU %.2f us/step, heap %.0f B/step;"
              + " final loss %.9g, parameters %s",
          w.name(), last, blockEpochs, blockEpochs * loop.stepsPerEpoch, tail[0][last / 2], tail[1][last / 2],
          tail[2][last / 2], loop.lastLoss(), loop.parameterDigest()));
    }
  }
}
