package dev.vectorgrad.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The caching allocator: size classes, reuse, alignment, accounting, the idle cap and trimming. */
class NativeAllocatorTest {

  @Test
  void everySizeGetsTheSmallestClassThatHoldsIt() {
    for (long bytes = 1; bytes < (1L << 40); bytes = bytes * 3 / 2 + 1) {
      int c = SizeClasses.classOf(bytes);
      assertTrue(SizeClasses.bytesOf(c) >= bytes, "class of " + bytes + " too small");
      if (c > 0) assertTrue(SizeClasses.bytesOf(c - 1) < bytes, "class of " + bytes + " not the smallest");
      if (!SizeClasses.isSmall(c)) {
        assertTrue(SizeClasses.bytesOf(c) <= bytes * 1.25 + 1, "large blocks waste at most 25%: " + bytes);
      }
    }
  }

  @Test
  void aFreedBlockIsReusedWithoutFreshMemory() {
    NativeAllocator a = new NativeAllocator(1L << 30);
    for (long bytes : new long[] {16, 4096, 100_000, 5_000_000}) {
      int c = NativeAllocator.sizeClassOf(bytes);
      MemorySegment first = a.allocate(c);
      a.free(first, c);
      long fresh = a.freshAllocations();
      MemorySegment again = a.allocate(c);
      assertSame(first, again, "the idle block is handed out again");
      assertEquals(fresh, a.freshAllocations());
      assertEquals(0, again.address() % 64, "64-byte aligned");
      a.free(again, c);
    }
  }

  @Test
  void liveAndPeakBytesAccountEveryBlock() {
    NativeAllocator a = new NativeAllocator(1L << 30);
    int small = NativeAllocator.sizeClassOf(1000), large = NativeAllocator.sizeClassOf(3_000_000);
    MemorySegment s = a.allocate(small), l = a.allocate(large);
    long expected = NativeAllocator.blockBytes(small) + NativeAllocator.blockBytes(large);
    assertEquals(expected, a.liveBytes());
    a.free(s, small);
    a.free(l, large);
    assertEquals(0, a.liveBytes());
    assertEquals(expected, a.peakBytes());
  }

  @Test
  void idleLargeBlocksAboveTheCapGoBackToTheSystem() {
    int c = NativeAllocator.sizeClassOf(4 << 20);
    long block = NativeAllocator.blockBytes(c);
    NativeAllocator a = new NativeAllocator(block);   // room for one idle block
    MemorySegment b1 = a.allocate(c), b2 = a.allocate(c);
    long reserved = a.reservedBytes();
    a.free(b1, c);
    a.free(b2, c);
    assertEquals(block, a.idleLargeBytes());
    assertEquals(reserved - block, a.reservedBytes(), "the block over the cap was released");
    assertThrows(IllegalStateException.class, () -> b2.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
        "a released block cannot be touched: its arena is closed");
  }

  @Test
  void trimReleasesEveryIdleLargeBlock() {
    NativeAllocator a = new NativeAllocator(1L << 30);
    int c = NativeAllocator.sizeClassOf(1 << 20);
    MemorySegment b = a.allocate(c);
    a.free(b, c);
    long reserved = a.reservedBytes();
    assertEquals(NativeAllocator.blockBytes(c), a.trim());
    assertEquals(reserved - NativeAllocator.blockBytes(c), a.reservedBytes());
    assertEquals(0, a.idleLargeBytes());
  }

  @Test
  void storagesCountHoldersAndRefuseUseAfterTheLastRelease() {
    Storage s = Storage.allocate(128);
    s.retain();
    assertTrue(!s.release());
    assertTrue(s.release());
    assertThrows(IllegalStateException.class, s::retain);
  }
}
