package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Off-heap lifetime rules: close(), scopes, keep(), views, the GC safety net, and accounting that
 * stays flat in a long training-style loop. Live-byte checks compare deltas, and only upwards: the
 * Cleaner may release other tests' garbage at any time.
 */
class MemoryLifecycleTest {

  @Test
  void everyUseAfterCloseThrowsIllegalStateException() {
    Tensor t = Tensor.ones(2, 2);
    Tensor other = Tensor.ones(2, 2);
    t.close();
    assertTrue(t.isClosed());
    List<Consumer<Tensor>> uses = List.of(
        x -> x.add(other), x -> other.add(x), x -> x.mul(2), x -> x.neg(), x -> x.sum(), x -> x.mean(new int[] {0}, false),
        x -> x.item(), x -> x.toFloatArray(), x -> x.toDoubleArray(), x -> x.zero_(), x -> x.fill_(1),
        x -> x.add_(other), x -> other.add_(x), x -> x.detach(), x -> x.data(), x -> x.requiresGrad_(true),
        x -> x.backward(), x -> x.keep(), x -> x.to(DType.FLOAT64));
    for (Consumer<Tensor> use : uses) {
      var e = assertThrows(IllegalStateException.class, () -> use.accept(t));
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
    assertEquals("tensor(<closed>)", t.toString());
    assertDoesNotThrow(t::close, "close is idempotent");
  }

  @Test
  void closeReleasesTheBlockAndAViewKeepsSharedDataAlive() {
    long before = MemoryStats.liveBytes();
    Tensor t = Tensor.full(7, 1024);
    Tensor view = t.detach();
    assertTrue(MemoryStats.liveBytes() >= before + 4096);
    t.close();
    assertArrayEquals(new float[] {7, 7}, java.util.Arrays.copyOf(view.toFloatArray(), 2), "the view still reads the data");
    long withView = MemoryStats.liveBytes();
    view.close();
    assertTrue(MemoryStats.liveBytes() <= withView - 4096, "the last holder frees the block");
  }

  @Test
  void closingALeafClosesItsGradient() {
    Tensor w = Tensor.ones(3).requiresGrad_(true);
    w.mul(2).sum().backward();
    Tensor g = w.grad();
    w.close();
    assertTrue(g.isClosed());
  }

  @Test
  void aScopeClosesWhatWasMadeInsideExceptWhatWasKept() {
    Tensor outside = Tensor.ones(4);
    Tensor inside, kept;
    try (var scope = TensorScope.open()) {
      inside = outside.add(1);
      kept = outside.mul(3).keep();
      assertEquals(1, scope.ownedTensors());
    }
    assertTrue(inside.isClosed());
    assertFalse(kept.isClosed());
    assertFalse(outside.isClosed(), "tensors made before the scope are not its own");
    assertArrayEquals(new float[] {3, 3, 3, 3}, kept.toFloatArray());
    kept.close();
  }

  @Test
  void keptTensorsMoveToTheEnclosingScope() {
    Tensor kept;
    try (var outer = TensorScope.open()) {
      try (var inner = TensorScope.open()) {
        kept = Tensor.ones(2).keep();
      }
      assertFalse(kept.isClosed());
      assertEquals(1, outer.ownedTensors());
    }
    assertTrue(kept.isClosed());
  }

  @Test
  void resultsBelongToTheCurrentScopeNotToTheirInputsOwner() {
    Tensor result;
    try (var outer = TensorScope.open()) {
      Tensor input = Tensor.ones(2);
      try (var inner = TensorScope.open()) {
        result = input.add(1);
      }
      assertTrue(result.isClosed(), "made in the inner scope, so released with it");
      assertFalse(input.isClosed());
    }
  }

  @Test
  void leafGradientsOutliveTheScopeOfTheBackwardPass() {
    Tensor temp = Tensor.zeros(2, 2).requiresGrad_(true);
    try (var scope = TensorScope.open()) {
      Tensor.ones(2, 2).add(temp).add(2).mean().backward();
    }
    assertFalse(temp.grad().isClosed());
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, temp.grad().toFloatArray());
  }

  @Test
  void closingAnOuterScopeClosesInnerScopesLeftOpen() {
    Tensor t;
    TensorScope inner;
    try (var outer = TensorScope.open()) {
      inner = TensorScope.open();
      t = Tensor.ones(1);
    }
    assertTrue(inner.isClosed());
    assertTrue(t.isClosed());
  }

  @Test
  void aScopeMustBeClosedByItsThread() throws Exception {
    TensorScope scope = TensorScope.open();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      var e = assertThrows(ExecutionException.class, () -> other.submit(scope::close).get());
      assertTrue(e.getCause() instanceof IllegalStateException);
    } finally {
      other.shutdown();
      scope.close();
    }
  }

  @Test
  void aMillionSeedStepsInScopesKeepLiveBytesFlat() {
    Tensor x = Tensor.ones(2, 2);
    Tensor temp = Tensor.zeros(2, 2).requiresGrad_(true);
    Runnable step = () -> {
      try (var scope = TensorScope.open()) {
        Tensor y = x.add(temp).add(2).mean();
        y.backward();
        temp.grad().zero_();
      }
    };
    for (int i = 0; i < 10_000; i++) step.run();
    long live = MemoryStats.liveBytes();
    long fresh = MemoryStats.freshAllocations();
    for (int i = 0; i < 1_000_000; i++) step.run();
    assertTrue(MemoryStats.liveBytes() <= live, "live bytes grew from " + live + " to " + MemoryStats.liveBytes());
    assertEquals(fresh, MemoryStats.freshAllocations(), "steady state is served from the pool");
    assertArrayEquals(new float[] {0, 0, 0, 0}, temp.grad().toFloatArray());
  }

  @Test
  void unreachableUnscopedTensorsAreReleasedByTheCleaner() throws InterruptedException {
    long before = MemoryStats.liveBytes();
    for (int i = 0; i < 64; i++) Tensor.zeros(1 << 16);   // 64 x 256 KiB, never closed
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (MemoryStats.liveBytes() > before && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertTrue(MemoryStats.liveBytes() <= before, "the Cleaner released the abandoned tensors");
  }

  @Test
  void theLeakReportSaysHowToRecordAllocationSites() {
    String report = MemoryStats.leakReport();
    assertTrue(report.contains("off-heap bytes live"), report);
    if (!dev.vectorgrad.memory.Storage.trackingAllocations()) {
      assertTrue(report.contains("-Dvectorgrad.trackAllocations=true"), report);
    }
  }

  @Test
  void aSavedTensorClosedBeforeBackwardGivesAClearError() {
    Tensor w = Tensor.ones(2).requiresGrad_(true);
    Tensor y;
    try (var scope = TensorScope.open()) {
      Tensor h = w.mul(3);            // owned by the scope, saved by the next mul
      y = h.mul(h).sum().keep();
    }
    var e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("saved for backward was closed"), e.getMessage());
  }

  @Test
  void keepOutsideAnyScopeReturnsTheSameTensor() {
    Tensor t = Tensor.ones(1);
    assertSame(t, t.keep());
  }
}
