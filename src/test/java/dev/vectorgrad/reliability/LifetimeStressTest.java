package dev.vectorgrad.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vectorgrad.DType;
import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Misuse of tensor lifetimes, each repeated {@link Stress#iterations()} times (20,000 in CI,
 * 100,000 with {@code -Dvectorgrad.stress.iterations=100000}): every misuse ends in an {@link
 * IllegalStateException} that says the tensor or scope was closed, never in a wrong value that
 * goes unnoticed, a hang or a crash of the JVM, and live bytes are back where they started.
 */
class LifetimeStressTest {
  private static ExecutorService other;

  @BeforeAll
  static void startOtherThread() {
    Tensor.ones(1).close();   // class initialisation allocates the shared unit gradients: before any count
    other = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "reliability-other");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  static void stopOtherThread() {
    other.shutdownNow();
  }

  /** Uses from every op family: each must refuse a closed tensor. */
  private static final List<Consumer<Tensor>> USES = List.of(
      t -> t.add(1), t -> t.mul(t), t -> t.matmul(t), t -> t.sum(), t -> t.mean(new int[] {1}, true),
      t -> t.exp(), t -> t.relu(), t -> t.softmax(0), t -> t.pow(2.0), t -> t.max(), t -> t.argmax(1, false),
      t -> t.cumsum(0), t -> t.view(4), t -> t.reshape(4), t -> t.t(), t -> t.transpose(0, 1),
      t -> t.expand(2, 2, 2), t -> t.narrow(0, 0, 1), t -> t.select(0, 1), t -> t.clone(),
      t -> t.contiguous(), t -> Tensor.cat(0, t, t), t -> Tensor.stack(0, t),
      t -> t.indexSelect(0, Tensor.of(new long[] {1})), t -> t.to(DType.FLOAT64), t -> t.detach(), t -> t.data(),
      t -> t.item(), t -> t.toFloatArray(), t -> t.toDoubleArray(), t -> t.zero_(), t -> t.fill_(3),
      t -> t.add_(1), t -> t.requiresGrad_(true), t -> t.retainGrad(), t -> t.backward(), t -> t.keep(),
      t -> t.setGrad(null));

  @Test
  void everyUseAfterCloseThrowsIllegalStateException() {
    int n = Stress.iterations();
    long before = MemoryStats.liveBytes();
    int refused = 0;
    try (var scope = TensorScope.open()) {
      for (int i = 0; i < n; i++) {
        Tensor t = Tensor.ones(2, 2);
        if (i % 3 == 0) t = t.mul(2).requiresGrad_(true);   // closed leaves that require grad too
        t.close();
        Consumer<Tensor> use = USES.get(i % USES.size());
        Tensor closed = t;
        var e = assertThrows(IllegalStateException.class, () -> use.accept(closed), "use " + i % USES.size());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        refused++;
      }
    }
    assertTrue(MemoryStats.liveBytes() <= before, "live bytes grew from " + before + " to " + MemoryStats.liveBytes());
    Stress.report("use after close: %d tries over %d uses, %d IllegalStateException", n, USES.size(), refused);
  }

  /**
   * Scopes closed out of order (the outer one first), tensors that escape their scope without
   * keep(), a scope closed from another thread, a tensor used by another thread after its scope
   * closed, a saved tensor freed by its scope before backward: five misuses in turn.
   */
  @Test
  void scopeMisuseThrowsIllegalStateExceptionEveryTime() throws Exception {
    int n = Stress.iterations();
    long before = MemoryStats.liveBytes();
    Tensor x = Tensor.ones(2, 2);
    Tensor w = Tensor.ones(2, 2).requiresGrad_(true);
    int[] counts = new int[5];
    for (int i = 0; i < n; i++) {
      int kind = i % 5;
      switch (kind) {
        case 0 -> {   // outer closed before inner: the inner scope and its tensors close with it
          TensorScope outer = TensorScope.open();
          TensorScope inner = TensorScope.open();
          Tensor made = x.add(1);
          outer.close();
          assertTrue(inner.isClosed());
          expectClosed(() -> made.mul(2));
          inner.close();   // already closed by its outer scope: nothing left to do
          Tensor after = x.add(2);   // belongs to no scope now: the thread's scopes are all closed
          after.close();
        }
        case 1 -> {   // a tensor escapes its scope without keep()
          Tensor escaped;
          try (var scope = TensorScope.open()) {
            escaped = x.add(1);
          }
          expectClosed(() -> escaped.keep());
        }
        case 2 -> {   // a scope closed by a thread that did not open it
          TensorScope scope = TensorScope.open();
          try {
            Future<?> f = other.submit(scope::close);
            var e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().contains("closed by the thread that opened it"), e.getCause().getMessage());
            assertFalse(scope.isClosed());
          } finally {
            scope.close();
          }
        }
        case 3 -> {   // another thread holds a tensor whose scope closed
          Tensor shared;
          try (var scope = TensorScope.open()) {
            shared = x.mul(3);
          }
          Future<?> f = other.submit(() -> shared.sum());
          var e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
          assertTrue(e.getCause() instanceof IllegalStateException && e.getCause().getMessage().contains("closed"),
              String.valueOf(e.getCause()));
        }
        default -> {   // a tensor saved for backward was released by its scope before backward
          Tensor y;
          try (var scope = TensorScope.open()) {
            Tensor h = w.mul(3);
            y = h.mul(h).sum().keep();
          }
          var e = assertThrows(IllegalStateException.class, y::backward);
          assertTrue(e.getMessage().contains("saved for backward was closed"), e.getMessage());
          y.close();
        }
      }
      counts[kind]++;
    }
    assertEquals(null, w.grad(), "no failed backward touched the leaf");
    x.close();
    w.close();
    assertTrue(MemoryStats.liveBytes() <= before, "live bytes grew from " + before + " to " + MemoryStats.liveBytes());
    Stress.report("scope misuse: %d tries (out-of-order close %d, escaped tensor %d, wrong-thread close %d, "
        + "escaped to another thread %d, saved tensor closed %d), all IllegalStateException",
        n, counts[0], counts[1], counts[2], counts[3], counts[4]);
  }

  /**
   * One thread runs ops in a loop on whichever tensor this one last handed it, while this one
   * closes each tensor after a varying delay and hands over the next; for a quarter of the tensors
   * (above 64 KiB) {@code trim()} then closes the freed block's arena while a kernel may still run
   * on it. Every tensor the other thread got hold of must stop it with an {@link
   * IllegalStateException} (the tensor's own check, or the FFM API's once the arena is gone), no
   * other exception may occur, and the JVM must survive. Values computed by an op that raced with
   * close are not checked: that race is a bug in the caller, which the library only has to survive.
   * The threads do not wait for each other per tensor: on a loaded two-core machine a hand-off per
   * try costs a scheduler time slice.
   */
  @Test
  void closingATensorWhileAnotherThreadRunsKernelsOnItEndsInIllegalStateException() throws Exception {
    int n = Stress.iterations();
    long before = MemoryStats.liveBytes();
    int trims = 0;
    Racer racer = new Racer();
    racer.start();
    try {
      for (int i = 0; i < n; i++) {
        boolean large = i % 4 == 0;
        Tensor t = large ? Tensor.ones(64, 1024) : Tensor.ones(16, 16);   // 256 KiB: its own arena
        racer.current = t;
        for (int spin = 0; spin < (i % 64) * 16; spin++) Thread.onSpinWait();
        t.close();
        if (large && i % 8 == 0) {
          MemoryStats.trim();   // closes the freed block's arena, maybe under the other thread's kernel
          trims++;
        }
        racer.check();
      }
    } finally {
      racer.finish();
    }
    assertTrue(racer.raced > 0, "the other thread used at least one tensor");
    assertTrue(MemoryStats.liveBytes() <= before, "live bytes grew from " + before + " to " + MemoryStats.liveBytes());
    Stress.report("close during use from another thread: %d tensors closed (%d arenas closed by trim) while another "
        + "thread ran ops on them; it got hold of %d, ran %d ops that finished before the close, and every one of the "
        + "%d stopped it with IllegalStateException: %s",
        n, trims, racer.raced, racer.ops, racer.raced, racer.messages);
  }

  /** A thread that runs ops on the tensor last handed to it until one throws, then waits for the next. */
  private static final class Racer extends Thread {
    volatile Tensor current;
    long raced;
    long ops;
    final Map<String, Integer> messages = new TreeMap<>();
    private volatile Throwable unexpected;
    private volatile boolean stop;

    Racer() {
      super("reliability-racer");
      setDaemon(true);
      setUncaughtExceptionHandler((thread, e) -> unexpected = e);
    }

    /** Fails the test as soon as the other thread saw anything but an IllegalStateException. */
    void check() {
      if (unexpected != null || getState() == State.TERMINATED) {
        throw new AssertionError("the racing thread failed with something other than IllegalStateException: "
            + unexpected, unexpected);
      }
    }

    /** Lets the other thread stop once it is done with its tensor (closed by now), and waits for it. */
    void finish() throws InterruptedException {
      stop = true;
      join(10_000);
      if (isAlive()) throw new AssertionError("the racing thread did not stop within 10 s");
      if (unexpected != null) check();
    }

    @Override
    public void run() {
      Tensor last = null;
      while (!stop) {
        Tensor t = current;
        if (t == null || t == last) {
          Thread.yield();
          continue;
        }
        last = t;
        try {
          for (long done = 0; ; done++) {
            try (var scope = TensorScope.open()) {
              switch ((int) ((raced + done) % 4)) {
                case 0 -> t.add(1);
                case 1 -> t.sum();
                case 2 -> t.mul(t).mean();
                default -> t.t().contiguous();
              }
            }
            ops++;
          }
        } catch (IllegalStateException e) {
          String m = e.getMessage();
          if (!m.contains("closed") && !m.contains("released")) throw e;
          raced++;
          messages.merge(m.length() > 48 ? m.substring(0, 48) + "..." : m, 1, Integer::sum);
        }
      }
    }
  }

  @Test
  void aClosedTensorNeverComesBackToLifeThroughItsViews() {
    Tensor base = Tensor.ones(4);
    Tensor view = base.view(2, 2);
    base.close();
    assertEquals(2L, view.shape()[0]);
    assertEquals(4.0, view.sum().item(), "a view keeps the storage alive");
    view.close();
    expectClosed(() -> view.sum());
    expectClosed(() -> base.view(4));
  }

  private static void expectClosed(Runnable use) {
    try {
      use.run();
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
      return;
    }
    fail("expected IllegalStateException");
  }
}
