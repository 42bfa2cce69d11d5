package dev.vectorgrad.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/** The arena behind each large block, so that releasing a block closes exactly its arena. */
final class LargeBlocks {
  private static final Map<MemorySegment, Arena> ARENAS = new IdentityHashMap<>();

  private LargeBlocks() {}

  static synchronized void remember(MemorySegment block, Arena arena) {
    ARENAS.put(block, arena);
  }

  /** Closing a shared arena makes any racing access fail cleanly instead of touching freed memory. */
  static void release(MemorySegment block) {
    Arena arena;
    synchronized (LargeBlocks.class) {
      arena = ARENAS.remove(block);
    }
    if (arena != null) arena.close();
  }
}
