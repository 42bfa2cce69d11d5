package dev.vectorgrad.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.OutOfMemoryException;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.memory.NativeAllocator;
import dev.vectorgrad.reliability.Programs.Program;
import dev.vectorgrad.testsupport.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The memory limit ({@code -Dvectorgrad.maxBytes}, {@link MemoryStats#setLimit(long)}) and faults
 * injected at every allocation of a training step: each refusal is an {@link OutOfMemoryException}
 * that names the request, the live bytes, the limit and the largest tensors; live bytes come back
 * to where they were, every gradient is either untouched or fully updated, the graph can be
 * backwarded again, and the program goes on with PyTorch-exact results. Live-byte checks compare
 * only upwards: the Cleaner may release other tests' garbage at any time.
 */
class MemoryLimitTest {

  @BeforeAll
  static void initialise() {
    Tensor.ones(1).close();   // class initialisation allocates the shared unit gradients: before any count
  }

  /**
   * Lets the Cleaner release what earlier tests dropped, so that live bytes do not fall under a
   * test's feet while it places a limit a few hundred KiB above them.
   */
  @BeforeEach
  void settleLiveBytes() throws InterruptedException {
    long deadline = System.nanoTime() + 2_000_000_000L;
    long last = -1;
    while (System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
      long now = MemoryStats.liveBytes();
      if (now == last) return;
      last = now;
    }
  }

  @AfterEach
  void noLimitAndNoFaultLeftBehind() {
    MemoryStats.setLimit(MemoryStats.NO_LIMIT);
    NativeAllocator.global().clearFault();
  }

  @Test
  void anAllocationPastTheLimitNamesTheRequestTheLiveBytesTheLimitAndTheLargestTensors() {
    Tensor big = Tensor.zeros(256, 256);   // 256 KiB
    Tensor bigger = Tensor.zeros(512, 256);   // 512 KiB
    long live = MemoryStats.liveBytes();
    long limit = live + (1 << 20);
    MemoryStats.setLimit(limit);
    assertEquals(limit, MemoryStats.limit());
    var e = assertThrows(OutOfMemoryException.class, () -> Tensor.zeros(1024, 1024));   // 4 MiB
    assertTrue(MemoryStats.liveBytes() <= live, "the refused request is not counted");
    assertEquals(4 << 20, e.requestedBytes());
    assertEquals(limit, e.limitBytes());
    assertTrue(e.liveBytes() <= live, e.liveBytes() + " vs " + live);
    String m = e.getMessage();
    assertTrue(m.startsWith("vectorgrad memory limit exceeded: tried to allocate 4194304 bytes (4.00 MiB) with "), m);
    assertTrue(m.contains("and a limit of " + limit + " bytes"), m);
    assertTrue(m.contains("-Dvectorgrad.maxBytes or MemoryStats.setLimit"), m);
    // Which tensors are largest depends on what earlier tests left to the Cleaner: the child JVM
    // tests below check the list itself.
    assertTrue(m.contains("Largest live tensors: "), m);
    if (!dev.vectorgrad.memory.Storage.trackingAllocations()) {
      assertTrue(m.contains("-Dvectorgrad.trackAllocations=true"), m);
    }
    Tensor fits = Tensor.ones(1000);   // below the limit, allocations go on
    assertEquals(1000.0, fits.sum().item());
    MemoryStats.setLimit(MemoryStats.NO_LIMIT);
    Tensor.zeros(1024, 1024).close();   // raised: the same request now succeeds
    fits.close();
    big.close();
    bigger.close();
  }

  @Test
  void aNegativeLimitIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> MemoryStats.setLimit(-1));
    assertTrue(e.getMessage().contains("memory limit must be >= 0"), e.getMessage());
  }

  @Test
  void theSystemPropertySetsTheLimitAtStartAndTheProgramGoesOnAfterATrip() throws Exception {
    var result = ChildJvm.run(MemoryLimitMain.class, "--add-modules", "jdk.incubator.vector",
        "-Dvectorgrad.maxBytes=2m", "-Dvectorgrad.trackAllocations=true");
    String out = result.output();
    assertEquals(0, result.exitCode(), out);
    assertTrue(out.contains("limit=2097152"), out);
    assertTrue(out.contains("refused: vectorgrad memory limit exceeded: tried to allocate 4194304 bytes"), out);
    assertTrue(out.contains("allocated at "), "allocation sites with tracking on: " + out);
    assertTrue(out.contains("MemoryLimitMain.main"), out);
    assertTrue(out.contains("liveBytesBack=true"), out);
    assertTrue(out.contains("afterRaise=1048576.0"), out);
    assertTrue(out.contains("Largest live tensors: 262144 bytes (256.00 KiB) allocated at "), out);
  }

  @Test
  void withoutTrackingTheErrorStillNamesTheLargeTensorsAndTheFlagForTheRest() throws Exception {
    var result = ChildJvm.run(MemoryLimitMain.class, "--add-modules", "jdk.incubator.vector", "-Dvectorgrad.maxBytes=2097152");
    String out = result.output();
    assertEquals(0, result.exitCode(), out);
    assertTrue(out.contains("Largest live tensors: 262144 bytes (256.00 KiB). Run with -Dvectorgrad.trackAllocations=true "
        + "to list every tensor with where it was allocated."), out);
    assertTrue(out.contains("liveBytesBack=true"), out);
  }

  @Test
  void aMalformedLimitPropertyFailsAtStartWithTheExpectedForm() throws Exception {
    var result = ChildJvm.run(MemoryLimitMain.class, "--add-modules", "jdk.incubator.vector",
        "-Dvectorgrad.maxBytes=lots");
    assertTrue(result.exitCode() != 0, result.output());
    assertTrue(result.output().contains("-Dvectorgrad.maxBytes=lots is not a byte count (examples: 1073741824, 512m, 2g)"),
        result.output());
  }

  /** The limit trips in the middle of a forward pass inside a scope; raised, the same step gives the same numbers. */
  @Test
  void aTripInTheMiddleOfAForwardChangesNothingAndTheStepThenRunsAsBefore() {
    for (Program p : Programs.all(11)) {
      float[][] values = p.values();
      double refLoss;
      float[][] refGrads;
      long live = MemoryStats.liveBytes();
      MemoryStats.resetPeak();
      try (var scope = TensorScope.open()) {
        Tensor loss = p.forward();
        refLoss = loss.item();
      }
      long forwardPeak = MemoryStats.peakBytes() - live;
      try (var scope = TensorScope.open()) {
        Tensor loss = p.forward();
        loss.backward();
        refGrads = p.grads();
      }
      p.clearGrads();

      live = MemoryStats.liveBytes();
      MemoryStats.setLimit(live + forwardPeak / 2);
      try (var scope = TensorScope.open()) {
        p.forward();
        fail(p.name() + ": the forward should have tripped the limit at " + (live + forwardPeak / 2));
      } catch (OutOfMemoryException e) {
        assertTrue(e.getMessage().contains("vectorgrad memory limit exceeded"), e.getMessage());
      }
      assertTrue(MemoryStats.liveBytes() <= live, p.name() + ": live bytes back, " + live + " -> " + MemoryStats.liveBytes());
      for (float[] g : p.grads()) assertEquals(null, g, "no gradient appeared");
      assertArrayEquals(values, p.values(), "no parameter changed");

      MemoryStats.setLimit(MemoryStats.NO_LIMIT);
      try (var scope = TensorScope.open()) {
        Tensor loss = p.forward();
        assertEquals(refLoss, loss.item(), p.name() + ": the same loss");
        loss.backward();
        assertArrayEquals(refGrads, p.grads(), p.name() + ": the same gradients");
      }
      p.close();
    }
  }

  /**
   * The limit trips in the middle of a backward pass: each leaf's gradient is untouched or fully
   * updated, the pass's temporaries are gone, and once the limit is raised the same graph backwards
   * again (its saved tensors were not freed by the failed pass, though it did not retain the graph).
   */
  @Test
  void aTripInTheMiddleOfABackwardLeavesEachGradientWholeAndTheGraphReusable() {
    for (Program p : Programs.all(21)) {
      float[][] full;
      long backwardPeak;
      try (var scope = TensorScope.open()) {
        Tensor loss = p.forward();
        long live = MemoryStats.liveBytes();
        MemoryStats.resetPeak();
        loss.backward();
        backwardPeak = MemoryStats.peakBytes() - live;
        full = p.grads();
      }
      p.clearGrads();
      float[][] none = p.grads();
      try (var scope = TensorScope.open()) {
        Tensor loss = p.forward();
        long live = MemoryStats.liveBytes();
        MemoryStats.setLimit(live + backwardPeak / 2);
        var e = assertThrows(OutOfMemoryException.class, () -> loss.backward(), p.name());
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
        float[][] afterTrip = p.grads();
        int[] counts = Programs.checkEachLeafAllOrNothing(none, full, afterTrip, p.name() + " after the trip");
        long firstGrads = 0;
        for (Tensor leaf : p.leaves()) firstGrads += leaf.grad() == null ? 0 : blockBytes(leaf.numel() * 4);
        assertTrue(MemoryStats.liveBytes() <= live + firstGrads,
            p.name() + ": only the gradients of updated leaves stay: " + live + " + " + firstGrads + " vs " + MemoryStats.liveBytes());
        Stress.report("memory limit tripped in the backward of %s: %d leaves updated, %d untouched, live bytes %d -> %d",
            p.name(), counts[0], counts[1], live, MemoryStats.liveBytes());

        MemoryStats.setLimit(MemoryStats.NO_LIMIT);
        loss.backward(null, true);
        for (int i = 0; i < full.length; i++) {
          assertArrayEquals(Programs.plus(afterTrip[i], full[i]), p.grads()[i], p.name() + ": leaf " + i + " after the retry");
        }
      }
      p.close();
    }
  }

  /**
   * Fault injection: the k-th allocation of a forward and backward step is refused, for every k
   * the step makes. After each refusal live bytes are back (plus the first gradients of leaves whose
   * accumulation ran), each gradient is untouched or whole, a refusal inside backward lets the same
   * graph be backwarded again, and a clean step afterwards gives exactly the reference gradients.
   */
  @Test
  void aFaultAtEveryAllocationOfAStepIsSurvived() {
    NativeAllocator allocator = NativeAllocator.global();
    int injected = 0, inForward = 0, inBackward = 0;
    for (Program p : Programs.all(31)) {
      float[][] full;
      long allocations = allocator.allocations();
      try (var scope = TensorScope.open()) {
        p.forward().backward();
        full = p.grads();
      }
      long perStep = allocator.allocations() - allocations;
      assertTrue(perStep > 10, p.name() + " makes " + perStep + " allocations");
      for (long k = 0; k < perStep; k++) {
        p.clearGrads();
        float[][] none = p.grads();
        long live = MemoryStats.liveBytes();
        allocator.failAfter(k);
        boolean failed = false;
        try (var scope = TensorScope.open()) {
          Tensor loss;
          try {
            loss = p.forward();
          } catch (OutOfMemoryException e) {
            assertTrue(e.getMessage().startsWith("injected allocation fault"), e.getMessage());
            failed = true;
            inForward++;
            loss = null;
          }
          if (loss != null) {
            try {
              loss.backward();
            } catch (OutOfMemoryException e) {
              failed = true;
              inBackward++;
              float[][] afterFault = p.grads();
              Programs.checkEachLeafAllOrNothing(none, full, afterFault, p.name() + " fault " + k);
              loss.backward();   // the failed pass freed nothing: the same graph runs again
              for (int i = 0; i < full.length; i++) {
                assertArrayEquals(Programs.plus(afterFault[i], full[i]), p.grads()[i], p.name() + " fault " + k + " retry, leaf " + i);
              }
            }
          }
        }
        assertTrue(failed, p.name() + ": allocation " + k + " of " + perStep + " was refused");
        assertTrue(!allocator.clearFault(), "the fault fired");
        injected++;
        long grads = 0;
        for (Tensor leaf : p.leaves()) grads += leaf.grad() == null ? 0 : blockBytes(leaf.numel() * 4);
        assertTrue(MemoryStats.liveBytes() <= live + grads, p.name() + " fault " + k + ": live bytes " + live + " + "
            + grads + " vs " + MemoryStats.liveBytes());
      }
      p.clearGrads();
      try (var scope = TensorScope.open()) {   // the program goes on: a clean step is exact
        p.forward().backward();
        assertArrayEquals(full, p.grads(), p.name() + ": a clean step after the faults");
      }
      p.close();
    }
    Stress.report("injected allocation faults: %d (one at every allocation of a forward+backward step of %d programs; "
        + "%d in forward, %d in backward), all survived", injected, Programs.COUNT, inForward, inBackward);
  }

  private static long blockBytes(long bytes) {
    return NativeAllocator.blockBytes(NativeAllocator.sizeClassOf(bytes));
  }
}
