package dev.vectorgrad.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A low-latency fork-join for splitting one large kernel call over a few threads. PyTorch
 * equivalent: its OpenMP {@code parallel_for} with {@code torch.set_num_threads}.
 *
 * <p>Why not an executor: a {@code Future} per chunk costs 10-16 us per hand-off here, more than a
 * whole 1M-element add. Instead, workers spin briefly on the current-job field after each job (so
 * back-to-back ops need no wake-up) and then park; the caller publishes the job, runs the first
 * chunk itself and waits for the others the same way. Ranges below the grain run on the caller's
 * thread untouched. One job runs at a time; a caller that finds the team busy runs its range alone.
 *
 * <p>Settings: {@code -Dvectorgrad.threads=N} (default: available processors; 1 means the caller's
 * thread only), {@code -Dvectorgrad.parallel.grain=E} (elements below which nothing is split,
 * default 32768), or {@link #setThreads(int)} at run time.
 */
public final class Parallel {
  public static final String THREADS_PROPERTY = "vectorgrad.threads";
  public static final String GRAIN_PROPERTY = "vectorgrad.parallel.grain";
  /**
   * Chunk boundaries fall on multiples of this many elements (whole cache lines and sum blocks: the
   * kernels' {@code SUM_BLOCK}, so that a split sum adds the same blocks as the serial one).
   */
  static final long ALIGN = ElementKernels.SUM_BLOCK;
  private static final int SPINS = 1 << 14;

  private static volatile int threads = Math.max(1,
      Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors()));
  private static final long GRAIN = Math.max(ALIGN, Long.getLong(GRAIN_PROPERTY, 1L << 15));
  private static final ReentrantLock DISPATCH = new ReentrantLock();
  private static volatile Job current;
  private static Worker[] workers = new Worker[0];

  private Parallel() {}

  /** A kernel over {@code [from, to)}. */
  @FunctionalInterface
  public interface Range {
    void run(long from, long to);
  }

  /** A partial sum over {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeSum {
    double sum(long from, long to);
  }

  /** Threads a large kernel call may use, the caller included. */
  public static int threads() {
    return threads;
  }

  /** Sets the thread count ({@code torch.set_num_threads}); 1 keeps every kernel on the caller's thread. */
  public static void setThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("Number of threads must be positive, got " + n);
    threads = n;
  }

  /** Elements below which a call is never split. */
  public static long grain() {
    return GRAIN;
  }

  /** Whether a call over {@code n} elements would be split. */
  public static boolean splits(long n) {
    return n >= GRAIN && threads > 1;
  }

  /**
   * Takes the dispatch lock, unless another job holds it or this thread is inside a job's part
   * already: a part that starts a split call (a kernel reading a tensor computes its pending fused
   * readers there) runs it on its own thread. The lock is reentrant, and a nested dispatch would
   * replace the job the workers are running and wait on workers that wait on it.
   */
  private static boolean acquire() {
    return !DISPATCH.isHeldByCurrentThread() && DISPATCH.tryLock();
  }

  /** Runs {@code body} over {@code [0, n)}, split into chunks on several threads when large. */
  public static void forRange(long n, Range body) {
    if (!splits(n) || !acquire()) {
      body.run(0, n);
      return;
    }
    try {
      dispatch(new Job(n, parts(n), ALIGN, body, null));
    } finally {
      DISPATCH.unlock();
    }
  }

  /**
   * Runs {@code body} over rows {@code [0, rows)} of {@code rowLength} elements each, split into
   * chunks of whole rows on several threads when the rows hold at least the grain together.
   */
  public static void forRows(long rows, long rowLength, Range body) {
    long work = rows * rowLength;
    if (rows < 2 || !splits(work) || !acquire()) {
      body.run(0, rows);
      return;
    }
    try {
      int parts = (int) Math.min(rows, parts(work));
      dispatch(new Job(rows, parts, 1, body, null));
    } finally {
      DISPATCH.unlock();
    }
  }

  /** The sum of {@code body}'s partial sums over chunks of {@code [0, n)}, added in chunk order. */
  public static double sum(long n, RangeSum body) {
    if (!splits(n) || !acquire()) return body.sum(0, n);
    try {
      Job job = new Job(n, parts(n), ALIGN, null, body);
      dispatch(job);
      double total = 0;
      for (double p : job.partials) total += p;
      return total;
    } finally {
      DISPATCH.unlock();
    }
  }

  private static int parts(long n) {
    return (int) Math.min(threads, Math.max(1, n / (GRAIN / 2)));
  }

  private static void dispatch(Job job) {
    ensureWorkers(job.parts - 1);
    current = job;                     // volatile write: publishes the job to spinning workers
    for (int i = 0; i < job.parts - 1; i++) {
      if (workers[i].parked) LockSupport.unpark(workers[i]);
    }
    job.runPart(0);
    job.awaitOthers();
    current = null;
    if (job.failure != null) {
      if (job.failure instanceof RuntimeException e) throw e;
      if (job.failure instanceof Error e) throw e;
      throw new IllegalStateException(job.failure);
    }
  }

  private static void ensureWorkers(int n) {
    if (workers.length >= n) return;
    Worker[] grown = java.util.Arrays.copyOf(workers, n);
    for (int i = workers.length; i < n; i++) {
      grown[i] = new Worker(i);
      grown[i].start();
    }
    workers = grown;
  }

  private static final class Job {
    final long n;
    final int parts;
    final long chunk;
    final Range body;
    final RangeSum sumBody;
    final double[] partials;
    final AtomicInteger remaining;
    volatile Thread waiter;
    volatile Throwable failure;

    Job(long n, int parts, long align, Range body, RangeSum sumBody) {
      this.n = n;
      this.parts = parts;
      long c = (n + parts - 1) / parts;
      this.chunk = (c + align - 1) / align * align;
      this.body = body;
      this.sumBody = sumBody;
      this.partials = sumBody == null ? null : new double[parts];
      this.remaining = new AtomicInteger(parts - 1);
    }

    void runPart(int part) {
      long from = Math.min(n, part * chunk), to = Math.min(n, from + chunk);
      try {
        if (body != null) {
          if (from < to) body.run(from, to);   // a part past the end (more parts than chunks) runs nothing
        } else {
          partials[part] = sumBody.sum(from, to);
        }
      } catch (Throwable t) {
        failure = t;
      }
    }

    void finishPart() {
      if (remaining.decrementAndGet() == 0) {
        Thread w = waiter;
        if (w != null) LockSupport.unpark(w);
      }
    }

    void awaitOthers() {
      for (int spins = 0; remaining.get() > 0; spins++) {
        if (spins < SPINS) {
          Thread.onSpinWait();
        } else {
          waiter = Thread.currentThread();
          if (remaining.get() > 0) LockSupport.park(this);
        }
      }
    }
  }

  private static final class Worker extends Thread {
    private final int index;
    volatile boolean parked;

    Worker(int index) {
      super("vectorgrad-worker-" + (index + 1));
      this.index = index;
      setDaemon(true);
    }

    @Override
    public void run() {
      Job last = null;
      while (true) {
        Job job;
        // Each job is a new object, so identity tells a new job from one already served.
        for (int spins = 0; (job = current) == null || job == last; spins++) {
          if (spins < SPINS) {
            Thread.onSpinWait();
          } else {
            parked = true;
            job = current;
            if (job == null || job == last) LockSupport.park(this);
            parked = false;
          }
        }
        last = job;
        if (index + 1 < job.parts) {
          job.runPart(index + 1);
          job.finishPart();
        }
      }
    }
  }
}
