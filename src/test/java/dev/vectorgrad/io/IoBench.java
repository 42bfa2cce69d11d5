package dev.vectorgrad.io;

import dev.vectorgrad.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The vectorgrad half of {@code native-bench/io/run.sh}: times opening the files that
 * {@code native-bench/io/make_data.py} wrote and getting their tensors mapped, the copying loads,
 * and {@code sum()} over a mapped and over a pooled tensor; prints CSV rows
 * ({@code system,workload,bytes,seconds,gbps}) in the format of {@code bench_py.py}.
 *
 * <p>A plain timing loop, not JMH: opening and unmapping a file is a one-shot event whose cost is
 * the point, and the files are warm in the page cache (run.sh reads them once first), so the
 * numbers measure the library, not the disk. Each workload is warmed up (at least 5 runs and 1 s, so
 * the JIT has compiled it), then reports the median of its rounds.
 *
 * <p>Usage: {@code IoBench DIR ROUNDS} (DIR holds {@code data.npy} and {@code data.safetensors}).
 */
public final class IoBench {
  private IoBench() {}

  interface Work {
    void run() throws IOException;
  }

  static double median(int rounds, Work w) throws IOException {
    // Warm-up until the JIT has compiled the parsers and kernels: at least 5 runs and 1 s, at most 200 runs.
    long end = System.nanoTime() + 1_000_000_000L;
    for (int i = 0; i < 200 && (i < 5 || System.nanoTime() < end); i++) w.run();
    double[] t = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      w.run();
      t[i] = (System.nanoTime() - t0) * 1e-9;
    }
    Arrays.sort(t);
    return t[rounds / 2];
  }

  interface Open {
    AutoCloseable open() throws IOException;
  }

  /** Median seconds to open and to close, each timed alone (warm-up as {@link #median}). */
  static double[] openClose(int rounds, Open o) throws IOException {
    double[][] t = new double[2][rounds];
    long end = System.nanoTime() + 1_000_000_000L;
    int warm = 0;
    for (int i = 0; i < rounds + 200; i++) {
      boolean warming = warm < 200 && (warm < 5 || System.nanoTime() < end);
      long t0 = System.nanoTime();
      AutoCloseable c = o.open();
      long t1 = System.nanoTime();
      try {
        c.close();
      } catch (Exception e) {
        throw new IOException(e);
      }
      long t2 = System.nanoTime();
      if (warming) {
        warm++;
        continue;
      }
      int r = i - warm;
      if (r >= rounds) break;
      t[0][r] = (t1 - t0) * 1e-9;
      t[1][r] = (t2 - t1) * 1e-9;
    }
    Arrays.sort(t[0]);
    Arrays.sort(t[1]);
    return new double[] {t[0][rounds / 2], t[1][rounds / 2]};
  }

  static void row(String workload, long bytes, double seconds) {
    System.out.printf(Locale.ROOT, "vectorgrad,%s,%d,%.9f,%.3f%n", workload, bytes, seconds, bytes / seconds / 1e9);
  }

  static double sum(Tensor t) {
    try (Tensor s = t.sum()) {
      return s.item();
    }
  }

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    Path st = dir.resolve("data.safetensors");
    Path npy = dir.resolve("data.npy");
    long bytes;
    try (SafetensorsFile f = Safetensors.open(st)) {
      long b = 0;
      for (String n : f.names()) b += f.get(n).numel() * 4;
      bytes = b;
    }

    // Open + header + every tensor as a zero-copy view; the unmap at close is timed apart.
    double[] st_ = openClose(rounds, () -> {
      SafetensorsFile f = Safetensors.open(st);
      for (String n : f.names()) f.get(n);
      return f;
    });
    row("safetensors_open_mapped", bytes, st_[0]);
    row("safetensors_close", bytes, st_[1]);
    double[] npy_ = openClose(rounds, () -> Npy.map(npy));
    row("npy_open_mapped", bytes, npy_[0]);
    row("npy_close", bytes, npy_[1]);

    // Copying loads: the whole file into vectorgrad-owned (pooled) tensors.
    row("safetensors_read_copy", bytes, median(rounds, () -> Safetensors.read(st).values().forEach(Tensor::close)));
    row("npy_read_copy", bytes, median(rounds, () -> Npy.read(npy).close()));

    // sum() streaming over the mapping (its pages faulted in by the first pass) and over a pooled copy.
    double[] sink = new double[1];
    try (Tensor pooled = Npy.read(npy)) {
      row("sum_pooled", bytes, median(rounds, () -> sink[0] += sum(pooled)));   // also compiles the sum kernel
    }
    // The JIT recompiles the kernels the first time they meet a mapped segment (~100 ms once per JVM): warm
    // that up on another mapping, so that the first pass below measures only the mapping's page faults.
    try (MappedTensor warm = Npy.map(npy)) {
      median(rounds, () -> sink[0] += sum(warm.tensor()));
    }
    try (MappedTensor m = Npy.map(npy)) {
      Tensor mapped = m.tensor();
      long t0 = System.nanoTime();
      sink[0] += sum(mapped);
      row("sum_mapped_first_pass", bytes, (System.nanoTime() - t0) * 1e-9);
      row("sum_mapped", bytes, median(rounds, () -> sink[0] += sum(mapped)));
      if (Double.isNaN(sink[0])) System.out.println("# NaN sum");
    }
  }
}
