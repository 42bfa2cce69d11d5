package dev.vectorgrad.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.reliability.Programs.Program;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The soak profile (not in CI): mixed random programs on every core for {@code
 * -Dvectorgrad.soak.minutes=N} minutes, with {@link MemoryStats#liveBytes()} sampled every second
 * into {@code target/reliability/soak.csv}. Live bytes must stay flat (no minute's peak above the
 * first minute's) and come back to where they started when the threads stop; no thread may see an
 * exception other than the misuses it provokes on purpose. Run with
 * {@code ./mvnw -q test-compile surefire:test@default-test -Dtest=SoakTest -Dvectorgrad.soak.minutes=10}.
 */
@EnabledIfSystemProperty(named = "vectorgrad.soak.minutes", matches = "\\d+(\\.\\d+)?")
class SoakTest {

  @Test
  void mixedRandomProgramsOnEveryCoreKeepLiveBytesFlat() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("vectorgrad.soak.minutes"));
    int threads = Runtime.getRuntime().availableProcessors();
    Tensor.ones(1).close();
    System.gc();
    long start = MemoryStats.liveBytes();
    long end = System.nanoTime() + (long) (minutes * 60e9);
    AtomicLong programs = new AtomicLong();
    AtomicLong misuses = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = 1000 + t;
      Thread w = new Thread(() -> {
        Random random = new Random(seed);
        try {
          while (System.nanoTime() < end && failure.get() == null) {
            misuses.addAndGet(runOne(random));
            programs.incrementAndGet();
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "soak-" + t);
      workers.add(w);
      w.start();
    }
    StringBuilder csv = new StringBuilder("second,liveBytes,programs\n");
    List<Long> perMinuteMax = new ArrayList<>();
    long max = 0;
    for (int second = 1; System.nanoTime() < end && failure.get() == null; second++) {
      Thread.sleep(1000);
      long live = MemoryStats.liveBytes();
      csv.append(second).append(',').append(live).append(',').append(programs.get()).append('\n');
      max = Math.max(max, live);
      if (second % 60 == 0) {
        perMinuteMax.add(max);
        max = 0;
      }
    }
    if (max > 0) perMinuteMax.add(max);
    for (Thread w : workers) w.join();
    if (failure.get() != null) throw new AssertionError("a soak thread failed", failure.get());
    System.gc();
    long after = MemoryStats.liveBytes();
    Path out = Path.of("target", "reliability", "soak.csv");
    write(out, csv.toString());
    Stress.report("soak: %d threads for %.1f minutes, %d random programs (%d deliberate misuses refused), live bytes "
        + "at start %d, at end %d, peak per minute %s; samples in %s", threads, minutes, programs.get(), misuses.get(),
        start, after, perMinuteMax, out);
    assertEquals(start, after, "live bytes back to the start");
    long firstMinute = perMinuteMax.get(0);
    for (long m : perMinuteMax) assertTrue(m <= firstMinute * 2, "live bytes grew: per-minute peaks " + perMinuteMax);
  }

  private static void write(Path out, String text) throws IOException {
    Files.createDirectories(out.getParent());
    Files.writeString(out, text);
  }

  /** One random program; returns how many misuses it provoked (each must be refused with IllegalStateException). */
  private static int runOne(Random random) {
    int kind = random.nextInt(6);
    long seed = random.nextLong();
    switch (kind) {
      case 0, 1 -> {   // a model step: forward, backward, an SGD update under no_grad
        Program p = switch (random.nextInt(3)) {
          case 0 -> Programs.mlpMse(seed);
          case 1 -> Programs.mixed(seed);
          default -> Programs.classifier(seed);
        };
        try (var scope = TensorScope.open()) {
          p.forward().backward();
          try (var noGrad = GradMode.noGrad()) {
            for (Tensor leaf : p.leaves()) {
              if (leaf.grad() != null) leaf.sub_(leaf.grad().mul(0.01));
            }
          }
        }
        p.close();
        return 0;
      }
      case 2 -> {   // a random elementwise and reduction chain over random shapes, with broadcasting
        Generator g = new Generator(seed);
        long rows = 1 + random.nextInt(300), cols = 1 + random.nextInt(300);
        try (var scope = TensorScope.open()) {
          Tensor a = Tensor.randn(g, rows, cols).requiresGrad_(true);
          Tensor b = Tensor.randn(g, 1, cols);
          Tensor y = a.mul(b).tanh().add(a.t().t()).exp().mean(new int[] {random.nextInt(2)}, false).sum();
          y.backward();
          if (!Double.isFinite(a.grad().sum().item()) && Double.isFinite(y.item())) {
            throw new AssertionError("non-finite gradient for a finite loss");
          }
        }
        return 0;
      }
      case 3 -> {   // a large tensor (its own block above 64 KiB), views and a copy
        try (var scope = TensorScope.open()) {
          Tensor big = Tensor.rand(new Generator(seed), 256, 64 + random.nextInt(512));
          Tensor part = big.narrow(1, 0, 32).contiguous().to(DType.FLOAT64);
          Tensor.cat(0, part, part).sum().item();
        }
        return 0;
      }
      case 4 -> {   // deliberate misuse: use after close, a tensor escaping its scope
        Tensor escaped;
        try (var scope = TensorScope.open()) {
          escaped = Tensor.ones(3, 3).add(1);
        }
        int refused = 0;
        try {
          escaped.sum();
        } catch (IllegalStateException e) {
          refused++;
        }
        Tensor t = Tensor.zeros(5);
        t.close();
        try {
          t.add(1);
        } catch (IllegalStateException e) {
          refused++;
        }
        if (refused != 2) throw new AssertionError("a misuse was not refused");
        return refused;
      }
      default -> {   // a kept result closed explicitly, a graph backwarded twice with retain_graph
        Tensor kept;
        Tensor w = Tensor.randn(new Generator(seed), 16, 16).requiresGrad_(true);
        try (var scope = TensorScope.open()) {
          Tensor loss = w.matmul(w).relu().sum();
          loss.backward(null, true);
          loss.backward();
          kept = w.grad().clone().keep();
        }
        kept.close();
        w.close();
        return 0;
      }
    }
  }
}
