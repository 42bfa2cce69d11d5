package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kernels split over threads compute what one thread computes: bit for bit for elementwise ops
 * (disjoint chunks), within rounding for sums (partial sums added in chunk order).
 */
class ParallelKernelsTest {
  private static final int N = (int) (Parallel.grain() * 3 + 12_345);   // several chunks and a ragged end
  private int savedThreads;

  @BeforeEach
  void useTwoThreads() {
    savedThreads = Parallel.threads();
    Parallel.setThreads(2);
  }

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(savedThreads);
  }

  @Test
  void onlyCallsAboveTheGrainAreSplit() {
    assertTrue(Parallel.splits(Parallel.grain()));
    assertFalse(Parallel.splits(Parallel.grain() - 1));
    Parallel.setThreads(1);
    assertFalse(Parallel.splits(N), "one thread means the caller's thread only");
  }

  @Test
  void elementwiseResultsAreIdenticalToOneThreads() {
    for (ElementKernels single : new ElementKernels[] {Kernels.provider().float32(), Kernels.provider().float64()}) {
      ElementKernels parallel = new ParallelKernels(single);
      try (Arena arena = Arena.ofShared()) {
        long bytes = (long) N * single.elementBytes();
        MemorySegment a = random(arena, single, 1), b = random(arena, single, 2);
        MemorySegment expected = arena.allocate(bytes, 64), actual = arena.allocate(bytes, 64);
        for (BinaryOp op : BinaryOp.values()) {
          single.binary(op, a, 0, b, 0, expected, 0, N);
          parallel.binary(op, a, 0, b, 0, actual, 0, N);
          assertEquals(-1, expected.mismatch(actual), op + " tensor-tensor");
          single.binaryScalar(op, a, 0, 0.7, expected, 0, N);
          parallel.binaryScalar(op, a, 0, 0.7, actual, 0, N);
          assertEquals(-1, expected.mismatch(actual), op + " tensor-scalar");
          single.scalarBinary(op, 0.7, b, 0, expected, 0, N);
          parallel.scalarBinary(op, 0.7, b, 0, actual, 0, N);
          assertEquals(-1, expected.mismatch(actual), op + " scalar-tensor");
        }
        single.neg(a, 0, expected, 0, N);
        parallel.neg(a, 0, actual, 0, N);
        assertEquals(-1, expected.mismatch(actual), "neg");
        parallel.fill(actual, 0, N, 3.5);
        single.fill(expected, 0, N, 3.5);
        assertEquals(-1, expected.mismatch(actual), "fill");
        parallel.copy(a, 0, actual, 0, N);
        assertEquals(-1, a.mismatch(actual), "copy");
      }
    }
  }

  @Test
  void parallelSumsMatchOneThreadWithinRounding() {
    ElementKernels single = Kernels.provider().float32();
    ElementKernels parallel = new ParallelKernels(single);
    try (Arena arena = Arena.ofShared()) {
      MemorySegment a = random(arena, single, 3);
      double one = single.sum(a, 0, N), two = parallel.sum(a, 0, N);
      assertEquals(one, two, 1e-9 * N);
      assertEquals(two, parallel.sum(a, 0, N), "the same thread count always adds in the same order");
    }
  }

  @Test
  void aFailureInAWorkerReachesTheCaller() {
    ElementKernels parallel = new ParallelKernels(Kernels.provider().float32());
    try (Arena arena = Arena.ofShared()) {
      MemorySegment tooSmall = arena.allocate(4L * (N - 1), 64);
      MemorySegment out = arena.allocate(4L * N, 64);
      assertThrows(IndexOutOfBoundsException.class, () -> parallel.copy(tooSmall, 0, out, 0, N),
          "the last chunk reads past the segment; the bounds check fails on whichever thread runs it");
    }
  }

  private static MemorySegment random(Arena arena, ElementKernels k, long seed) {
    MemorySegment s = arena.allocate((long) N * k.elementBytes(), 64);
    Random r = new Random(seed);
    for (int i = 0; i < N; i++) k.set(s, i, r.nextGaussian());
    return s;
  }
}
