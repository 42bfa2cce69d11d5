package dev.vectorgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.kernels.Parallel;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Memory of a training loop: optimizer state created inside a {@link TensorScope} outlives it, a
 * step allocates nothing after the first (10,000 steps inside scopes, not one allocation, live
 * bytes flat; the same for a parameter split over threads), a full training step (zero_grad,
 * forward, backward, step) in a scope keeps live bytes flat, and {@code close()} releases the state.
 */
class OptimizerMemoryTest {

  /** An optimizer and the number of state tensors it keeps per parameter. */
  record Factory(String name, int stateTensors, Function<List<Tensor>, Optimizer> make) {}

  static List<Factory> factories() {
    return List.of(
        new Factory("SGD", 0, ps -> new SGD(ps, 0.01)),
        new Factory("SGD momentum nesterov wd", 1, ps -> new SGD(ps, 0.01).momentum(0.9).nesterov(true).weightDecay(1e-4)),
        new Factory("Adam", 2, ps -> new Adam(ps, 1e-3)),
        new Factory("Adam amsgrad wd", 3, ps -> new Adam(ps, 1e-3).amsgrad(true).weightDecay(0.01)),
        new Factory("AdamW amsgrad", 3, ps -> new AdamW(ps, 1e-3).amsgrad(true)),
        new Factory("RMSprop", 1, ps -> new RMSprop(ps, 1e-3)),
        new Factory("RMSprop centered momentum", 3, ps -> new RMSprop(ps, 1e-3).centered(true).momentum(0.9)));
  }

  /** Parameters of awkward sizes, float32 and float64, with gradients, owned by the caller (no scope). */
  static List<Tensor> params() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor a = Tensor.randn(1025).requiresGrad_(true);
      Tensor b = Tensor.randn(7, 33).requiresGrad_(true);
      Tensor c = Tensor.randn(1).to(DType.FLOAT64).requiresGrad_(true);
      for (Tensor p : List.of(a, b, c)) p.setGrad(Tensor.randn(p.shape()).to(p.dtype()).mul(1e-3));
      return List.of(a.keep(), b.keep(), c.keep());
    }
  }

  static long bytes(List<Tensor> ps) {
    long n = 0;
    for (Tensor p : ps) n += p.numel() * (p.dtype() == DType.FLOAT64 ? 8 : 4);
    return n;
  }

  @TestFactory
  Stream<DynamicTest> tenThousandStepsInScopesAllocateNothingAfterTheFirst() {
    // every kind of state: none (plain SGD), a momentum buffer, Adam's three moments, RMSprop's three buffers
    return factories().stream().filter(f -> !f.name().equals("Adam") && !f.name().equals("RMSprop"))
        .map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      List<Tensor> ps = params();
      Optimizer opt = f.make().apply(ps);
      long firstAllocations = MemoryStats.allocations();
      try (TensorScope scope = TensorScope.open()) {
        opt.step();                       // state is created here, inside the scope
      }
      assertEquals(f.stateTensors() * ps.size(), MemoryStats.allocations() - firstAllocations,
          "the first step allocates the state tensors and nothing else");
      long withState = MemoryStats.liveBytes();
      long allocations = MemoryStats.allocations();
      long[] versions = ps.stream().mapToLong(Tensor::version).toArray();
      for (int i = 0; i < 10_000; i++) {
        try (TensorScope scope = TensorScope.open()) {
          opt.step();
        }
      }
      assertEquals(allocations, MemoryStats.allocations(), "allocations after the first step");
      assertTrue(MemoryStats.liveBytes() <= withState, "live bytes grew over 10,000 scoped steps");
      for (int j = 0; j < ps.size(); j++) {
        assertEquals(versions[j] + 10_000, ps.get(j).version(), "each step is one in-place write of the parameter");
        assertFalse(ps.get(j).isClosed());
      }
      opt.close();
      assertEquals(0, opt.stateSize());
      assertTrue(withState - MemoryStats.liveBytes() >= f.stateTensors() * bytes(ps), "close() releases the optimizer state");
      opt.step();                         // and the next step starts afresh
      opt.close();
      for (Tensor p : ps) p.close();
    }));
  }

  /** A parameter above the parallel grain: the thread-split kernels allocate nothing either. */
  @TestFactory
  Stream<DynamicTest> largeParametersSplitOverThreadsAllocateNothingAfterTheFirstStep() {
    return factories().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      int saved = Parallel.threads();
      Parallel.setThreads(2);
      Tensor p;
      try (TensorScope scope = TensorScope.open()) {
        p = Tensor.randn(3 * Parallel.grain() + 5).requiresGrad_(true).keep();
        p.setGrad(Tensor.randn(p.shape()).mul(1e-3));
      }
      try {
        Optimizer opt = f.make().apply(List.of(p));
        try (TensorScope scope = TensorScope.open()) {
          opt.step();
        }
        long allocations = MemoryStats.allocations();
        long live = MemoryStats.liveBytes();
        for (int i = 0; i < 200; i++) {
          try (TensorScope scope = TensorScope.open()) {
            opt.step();
          }
        }
        assertEquals(allocations, MemoryStats.allocations(), "allocations after the first step");
        assertTrue(MemoryStats.liveBytes() <= live, "live bytes grew");
        opt.close();
      } finally {
        Parallel.setThreads(saved);
        p.close();
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> trainingStepsInScopesKeepLiveBytesFlat() {
    return factories().stream().filter(f -> f.stateTensors() >= 2 || f.name().startsWith("SGD m"))
        .map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      Tensor w;
      Tensor x;
      try (TensorScope scope = TensorScope.open()) {
        w = Tensor.randn(64, 33).mul(0.1).requiresGrad_(true).keep();
        x = Tensor.randn(16, 64).keep();
      }
      Optimizer opt = f.make().apply(List.of(w));
      long live = 0;
      for (int i = 0; i < 2_000; i++) {
        try (TensorScope scope = TensorScope.open()) {
          opt.zeroGrad();
          Tensor y = x.mm(w);
          Tensor loss = y.mul(y).mean();
          loss.backward();
          opt.step();
        }
        if (i == 10) live = MemoryStats.liveBytes();
      }
      assertTrue(MemoryStats.liveBytes() <= live, "live bytes grew from " + live + " to " + MemoryStats.liveBytes()
          + " over 2,000 training steps in scopes");
      assertTrue(w.grad() != null && !w.grad().isClosed(), "the gradient outlives the scope");
      opt.close();
      w.close();
      x.close();
    }));
  }
}
