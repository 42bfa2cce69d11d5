package dev.vectorgrad.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.data.Batch;
import dev.vectorgrad.data.DataLoader;
import dev.vectorgrad.data.Digits;
import dev.vectorgrad.data.TensorDataset;
import dev.vectorgrad.nn.Functional;
import dev.vectorgrad.nn.Linear;
import dev.vectorgrad.nn.Module;
import dev.vectorgrad.nn.ReLU;
import dev.vectorgrad.nn.Sequential;
import dev.vectorgrad.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Threads using vectorgrad at once: each training its own model gets bit for bit what a run alone
 * gets; threads backwarding graphs that share leaves accumulate exactly. Thread counts 2 and 4 run
 * here; {@code -Dvectorgrad.reliability.threads=16} (a comma list) adds others for machines with
 * the cores.
 */
class ConcurrencyTest {
  private static final int STEPS = 40;
  private static TensorDataset digits;

  @BeforeAll
  static void loadDigits() {
    TensorDataset raw = Digits.load();
    digits = new TensorDataset(raw.tensor(0).view(-1, 64).div(16.0), raw.tensor(1));
  }

  static List<Integer> threadCounts() {
    List<Integer> counts = new ArrayList<>(List.of(2, 4));
    String extra = System.getProperty("vectorgrad.reliability.threads");
    if (extra != null) {
      for (String s : extra.split(",")) {
        int n = Integer.parseInt(s.trim());
        if (!counts.contains(n)) counts.add(n);
      }
    }
    return counts;
  }

  /** What one training run leaves: the loss of every step and the final parameters, as raw bits. */
  private record Run(float[] losses, float[][] parameters) {
    void assertSameBits(Run other, String what) {
      assertArrayEquals(bits(losses), bits(other.losses), what + ": losses");
      for (int i = 0; i < parameters.length; i++) {
        assertArrayEquals(bits(parameters[i]), bits(other.parameters[i]), what + ": parameter " + i);
      }
    }

    private static int[] bits(float[] values) {
      int[] out = new int[values.length];
      for (int i = 0; i < values.length; i++) out[i] = Float.floatToRawIntBits(values[i]);
      return out;
    }
  }

  /** The digits MLP 64-128-10 (cross entropy) with Adam 1e-3, batch 32, seeded by {@code seed} (weights and shuffling). */
  @SuppressWarnings("try")
  private static Run train(long seed) {
    Generator g = new Generator(seed);
    Module model = new Sequential(new Linear(64, 128, true, g), new ReLU(), new Linear(128, 10, true, g));
    Adam optimizer = new Adam(model.parameters(), 1e-3);
    DataLoader loader = new DataLoader(digits, 32, true, new Generator(seed), false);
    float[] losses = new float[STEPS];
    int step = 0;
    while (step < STEPS) {
      for (Batch batch : loader) {
        if (step == STEPS) {
          batch.close();
          break;
        }
        try (batch; var scope = TensorScope.open()) {
          optimizer.zeroGrad();
          // Cross entropy: log_softmax's float exp is IEEE arithmetic only (GenerateKernels.expBody), so a thread whose
          // kernels still run interpreted gets the bits of one whose kernels C2 has compiled (docs/reliability.md).
          Tensor loss = Functional.crossEntropy(model.forward(batch.get(0)), batch.get(1));
          loss.backward();
          optimizer.step();
          losses[step++] = (float) loss.item();
        }
      }
    }
    float[][] parameters = model.parameters().stream().map(Tensor::toFloatArray).toArray(float[][]::new);
    optimizer.close();
    model.parameters().forEach(Tensor::close);
    return new Run(losses, parameters);
  }

  @ParameterizedTest(name = "{0} threads")
  @MethodSource("threadCounts")
  void threadsTrainingTheirOwnModelsGetBitIdenticalResultsToSingleThreadRuns(int threads) throws Exception {
    Run[] alone = new Run[threads];
    for (int t = 0; t < threads; t++) alone[t] = train(100 + t);
    long live = MemoryStats.liveBytes();
    Run[] together = runTogether(threads, t -> train(100 + t));
    for (int t = 0; t < threads; t++) alone[t].assertSameBits(together[t], "thread " + t + " of " + threads);
    assertTrue(MemoryStats.liveBytes() <= live, "live bytes " + live + " -> " + MemoryStats.liveBytes());
    Stress.report("%d threads each trained its own digits MLP for %d Adam steps: losses and parameters bit-identical "
        + "to single-thread runs", threads, STEPS);
  }

  /**
   * Leaves shared by every thread's graphs, with integer-valued gradients (exact in float up to
   * 2^24): the accumulated gradient must be exactly the sum over all threads and iterations, and the
   * large leaf's ops split over the kernel team while other threads contend for it.
   */
  @ParameterizedTest(name = "{0} threads")
  @MethodSource("threadCounts")
  void threadsBackwardingGraphsThatShareLeavesAccumulateExactly(int threads) throws Exception {
    int iterations = 300;
    Tensor small = Tensor.zeros(7).requiresGrad_(true);
    Tensor large = Tensor.zeros(1 << 16).requiresGrad_(true);   // above the parallel grain
    long live = MemoryStats.liveBytes();
    runTogether(threads, t -> {
      try (var scope = TensorScope.open()) {
        Tensor c = Tensor.arange(0, 7, 1).to(DType.FLOAT32).add(t);                // t, t+1, ..., t+6
        Tensor ramp = Tensor.arange(0, 1 << 16, 1).remainder(5).to(DType.FLOAT32);  // 0..4 repeating
        for (int i = 0; i < iterations; i++) {
          try (var step = TensorScope.open()) {
            Tensor loss = small.mul(c).sum().add(large.mul(ramp.add(t)).sum()).add(small.mul(large.narrow(0, 0, 7)).sum());
            loss.backward();
          }
        }
      }
      return null;
    }, Object.class);
    // d/dsmall = c + large[0:7] (0: large stays zero); d/dlarge = ramp + t, plus small on [0:7] (0 too)
    float[] expectSmall = new float[7];
    float[] expectLarge = new float[1 << 16];
    for (int t = 0; t < threads; t++) {
      for (int j = 0; j < 7; j++) expectSmall[j] += (float) iterations * (j + t);
      for (int j = 0; j < expectLarge.length; j++) expectLarge[j] += (float) iterations * (j % 5 + t);
    }
    assertArrayEquals(expectSmall, small.grad().toFloatArray(), "small leaf");
    assertArrayEquals(expectLarge, large.grad().toFloatArray(), "large leaf");
    small.close();
    large.close();
    assertTrue(MemoryStats.liveBytes() <= live, "live bytes " + live + " -> " + MemoryStats.liveBytes());
    Stress.report("%d threads x %d backward passes into 2 shared leaves (7 and 65536 elements): gradients exact",
        threads, iterations);
  }

  /** A large sum gives the same bits whether it has the kernel team to itself or other threads contend for it. */
  @ParameterizedTest(name = "{0} threads")
  @MethodSource("threadCounts")
  void largeReductionsGiveTheSameBitsWhileOtherThreadsCompeteForTheKernelTeam(int threads) throws Exception {
    Tensor x = Tensor.randn(new Generator(5), 1 << 20);
    double alone = x.sum().item();
    double aloneMean = x.mean().item();
    double[][] seen = runTogether(threads, t -> {
      double[] out = new double[200];
      for (int i = 0; i < out.length; i += 2) {
        try (var scope = TensorScope.open()) {
          out[i] = x.sum().item();
          out[i + 1] = x.mean().item();
        }
      }
      return out;
    }, double[].class);
    for (double[] s : seen) {
      for (int i = 0; i < s.length; i += 2) {
        assertEquals(Double.doubleToRawLongBits(alone), Double.doubleToRawLongBits(s[i]), "sum " + s[i] + " vs " + alone);
        assertEquals(Double.doubleToRawLongBits(aloneMean), Double.doubleToRawLongBits(s[i + 1]), "mean");
      }
    }
    x.close();
  }

  /** A task run by each of {@code n} threads that start together; returns the results by thread index. */
  private interface Task<T> {
    T run(int thread) throws Exception;
  }

  private static Run[] runTogether(int n, Task<Run> task) throws Exception {
    return runTogether(n, task, Run.class);
  }

  @SuppressWarnings("unchecked")
  private static <T> T[] runTogether(int n, Task<T> task, Class<T> type) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CyclicBarrier start = new CyclicBarrier(n);
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        int index = t;
        Callable<T> c = () -> {
          start.await();
          return task.run(index);
        };
        futures.add(pool.submit(c));
      }
      T[] out = (T[]) java.lang.reflect.Array.newInstance(type, n);
      for (int t = 0; t < n; t++) out[t] = futures.get(t).get();
      return out;
    } finally {
      pool.shutdown();
    }
  }
}
