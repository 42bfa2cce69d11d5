package dev.vectorgrad.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.OutOfMemoryException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The allocator's limit and injected faults, on private allocators (the global one is left alone). */
class AllocatorLimitTest {

  @Test
  void limitsAreReadAsBytesOrWithBinarySuffixesAsXmx() {
    assertEquals(1073741824L, NativeAllocator.parseBytes("1073741824"));
    assertEquals(512L << 10, NativeAllocator.parseBytes("512k"));
    assertEquals(512L << 20, NativeAllocator.parseBytes("512M"));
    assertEquals(2L << 30, NativeAllocator.parseBytes(" 2g "));
    assertEquals(3L << 40, NativeAllocator.parseBytes("3t"));
    for (String bad : List.of("", "-1", "lots", "1.5g", "9999999999999g")) {
      var e = assertThrows(IllegalArgumentException.class, () -> NativeAllocator.parseBytes(bad), bad);
      assertTrue(e.getMessage().contains("is not a byte count"), e.getMessage());
    }
  }

  @Test
  void aRefusedRequestIsNotCountedAndTheNextOneThatFitsIsServed() {
    NativeAllocator a = new NativeAllocator(1L << 30);
    int small = NativeAllocator.sizeClassOf(1000);
    int large = NativeAllocator.sizeClassOf(1 << 20);
    a.setLimit(NativeAllocator.blockBytes(large) + NativeAllocator.blockBytes(small));
    MemorySegment first = a.allocate(large);
    long live = a.liveBytes();
    long peak = a.peakBytes();
    var e = assertThrows(OutOfMemoryException.class, () -> a.allocate(large));
    assertEquals(NativeAllocator.blockBytes(large), e.requestedBytes());
    assertEquals(live, e.liveBytes());
    assertEquals(live, a.liveBytes());
    assertEquals(peak, a.peakBytes(), "a refused request never reaches the peak");
    assertEquals(1, a.refusals());
    MemorySegment second = a.allocate(small);   // fits exactly
    assertEquals(NativeAllocator.blockBytes(large) + NativeAllocator.blockBytes(small), a.liveBytes());
    a.free(second, small);
    a.free(first, large);
    assertEquals(0, a.liveBytes());
  }

  @Test
  void anInjectedFaultLetsTheGivenNumberOfAllocationsThroughThenRefusesOneAndDisarms() {
    NativeAllocator a = new NativeAllocator(1L << 30);
    int c = NativeAllocator.sizeClassOf(256);
    a.failAfter(2);
    MemorySegment x = a.allocate(c);
    MemorySegment y = a.allocate(c);
    var e = assertThrows(OutOfMemoryException.class, () -> a.allocate(c));
    assertTrue(e.getMessage().startsWith("injected allocation fault"), e.getMessage());
    assertEquals(2 * NativeAllocator.blockBytes(c), a.liveBytes());
    MemorySegment z = a.allocate(c);   // one fault only
    assertFalse(a.clearFault(), "nothing left armed");
    a.free(x, c);
    a.free(y, c);
    a.free(z, c);
    assertEquals(0, a.liveBytes());
  }

  @Test
  void threadsRacingForTheLastBytesNeverTakeTheLiveCountPastTheLimit() throws Exception {
    NativeAllocator a = new NativeAllocator(1L << 30);
    int c = NativeAllocator.sizeClassOf(4096);
    long block = NativeAllocator.blockBytes(c);
    long limit = 10 * block;
    a.setLimit(limit);
    AtomicLong refused = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
          try {
            held.add(a.allocate(c));
          } catch (OutOfMemoryException e) {
            refused.incrementAndGet();
          }
          if (held.size() > 3 || (i % 3 == 0 && !held.isEmpty())) a.free(held.remove(held.size() - 1), c);
        }
        held.forEach(s -> a.free(s, c));
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) th.join();
    assertTrue(a.peakBytes() <= limit, "peak " + a.peakBytes() + " above the limit " + limit);
    assertEquals(0, a.liveBytes());
    assertEquals(refused.get(), a.refusals());
  }
}
