package dev.vectorgrad.memory;

import dev.vectorgrad.OutOfMemoryException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one allocator behind every tensor: a caching allocator over off-heap memory that accounts
 * every byte.
 *
 * <p>Why a cache: a fresh {@code Arena.ofShared()} block costs tens of microseconds to close (a
 * thread handshake) and a fresh large block milliseconds of page faults; a free-list pop costs
 * nanoseconds. Blocks are grouped in {@link SizeClasses}; a freed block goes back to its class's
 * free list. Small blocks are carved from 1 MiB slabs that live as long as the JVM; each large
 * block has its own shared arena and is really released when the idle cache would exceed
 * {@link #maxIdleBytes()} or on {@link #trim()}. Blocks of 2 MiB and more are backed by transparent
 * huge pages where the OS allows it ({@link HugePageBlocks}).
 *
 * <p>Memory is not cleared on reuse: callers that need zeros fill them (only {@code zeros} does).
 * All methods are thread-safe. Blocks are 64-byte aligned.
 *
 * <p>Limit: {@code -D}{@value #MAX_BYTES_PROPERTY}{@code =B} (bytes, or with a {@code k}, {@code m},
 * {@code g} suffix as {@code -Xmx}) or {@link #setLimit(long)} caps the live bytes; a request past it
 * throws {@link OutOfMemoryException} and leaves the live count as it was. The check is one
 * comparison of the live-byte counter every allocation updates anyway; everything else (the
 * report, injected faults for tests) is on the slow path behind that comparison.
 */
public final class NativeAllocator {
  /** System property: the most idle bytes kept in the large-block cache (default 1 GiB). */
  public static final String MAX_IDLE_PROPERTY = "vectorgrad.pool.maxIdleBytes";
  /** System property: the most bytes live in tensors at once (default: no limit). */
  public static final String MAX_BYTES_PROPERTY = "vectorgrad.maxBytes";
  /** The limit that means none. */
  public static final long NO_LIMIT = Long.MAX_VALUE;
  static final long SLAB_BYTES = 1L << 20;
  static final long ALIGNMENT = 64;

  private static final NativeAllocator GLOBAL = global(System.getProperty(MAX_BYTES_PROPERTY));

  private final FreeList[] freeLists = new FreeList[SizeClasses.CLASS_COUNT];
  private final long maxIdleBytes;
  private final AtomicLong liveBytes = new AtomicLong();
  private final AtomicLong peakBytes = new AtomicLong();
  private final AtomicLong idleLargeBytes = new AtomicLong();
  private final AtomicLong reservedBytes = new AtomicLong();
  /**
   * Allocations are counted per thread ({@link LocalCache#allocations}, no atomic per block) and
   * summed when read; a dead thread's count moves here when its cache is collected.
   */
  private final List<LocalCache.Count> counts = new ArrayList<>();
  private long retiredAllocations;   // guarded by counts
  private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
  private final AtomicLong freshAllocations = new AtomicLong();
  /** The limit on live bytes ({@link #NO_LIMIT} for none). */
  private volatile long limitBytes = NO_LIMIT;
  /**
   * Live bytes above which an allocation leaves the fast path: the limit, or {@code Long.MIN_VALUE}
   * while a fault is armed, so that the hot path stays a single comparison.
   */
  private volatile long slowPathAbove = NO_LIMIT;
  /** Allocations still allowed before the armed fault fires; 0 when none is armed. */
  private final AtomicLong faultCountdown = new AtomicLong();
  /** Limit trips and injected faults so far (both leave the program able to go on). */
  private final AtomicLong refusals = new AtomicLong();

  NativeAllocator(long maxIdleBytes) {
    this.maxIdleBytes = maxIdleBytes;
    for (int c = 0; c < freeLists.length; c++) freeLists[c] = new FreeList();
  }

  private static NativeAllocator global(String maxBytes) {
    NativeAllocator a = new NativeAllocator(Long.getLong(MAX_IDLE_PROPERTY, 1L << 30));
    if (maxBytes != null) a.setLimit(parseBytes(maxBytes));
    return a;
  }

  /** {@code 1048576}, {@code 1024k}, {@code 512m}, {@code 2g} (binary units, as {@code -Xmx}). */
  static long parseBytes(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    int shift = t.isEmpty() ? 0 : switch (t.charAt(t.length() - 1)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      case 't' -> 40;
      default -> 0;
    };
    try {
      long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
      if (n < 0 || n > (NO_LIMIT >> shift)) throw new NumberFormatException();
      return n << shift;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + MAX_BYTES_PROPERTY + "=" + text
          + " is not a byte count (examples: 1073741824, 512m, 2g)");
    }
  }

  /**
   * Caps the bytes live in tensors; {@link #NO_LIMIT} removes the cap. A limit below the live bytes
   * now is allowed: the next allocation fails until enough tensors are closed.
   */
  public void setLimit(long maxBytes) {
    if (maxBytes < 0) throw new IllegalArgumentException("memory limit must be >= 0, got " + maxBytes);
    limitBytes = maxBytes;
    if (faultCountdown.get() == 0) slowPathAbove = maxBytes;
  }

  /** The cap on live bytes, {@link #NO_LIMIT} when there is none. */
  public long limit() {
    return limitBytes;
  }

  /** How many allocations were refused so far (limit trips and injected faults). */
  public long refusals() {
    return refusals.get();
  }

  /**
   * For fault-injection tests: lets {@code allowed} more allocations through, then refuses the next
   * one with {@link OutOfMemoryException} (once). Not for concurrent use with other allocating threads.
   */
  public void failAfter(long allowed) {
    if (allowed < 0) throw new IllegalArgumentException("allowed must be >= 0");
    faultCountdown.set(allowed + 1);
    slowPathAbove = Long.MIN_VALUE;
  }

  /** Disarms a fault set with {@link #failAfter(long)} that has not fired; returns whether one was armed. */
  public boolean clearFault() {
    boolean armed = faultCountdown.getAndSet(0) != 0;
    slowPathAbove = limitBytes;
    return armed;
  }

  /** The process-wide allocator. */
  public static NativeAllocator global() {
    return GLOBAL;
  }

  /** The class a request of {@code bytes} is served from. */
  public static int sizeClassOf(long bytes) {
    return SizeClasses.classOf(bytes);
  }

  /** Bytes in a block of {@code sizeClass}. */
  public static long blockBytes(int sizeClass) {
    return SizeClasses.bytesOf(sizeClass);
  }

  /**
   * Per-thread stacks of idle small blocks: the common alloc/free pair of a small tensor then takes
   * no lock. A thread's stack holds at most {@link LocalCache#capacity} blocks per class; overflow
   * and blocks freed by other threads go to the shared free lists.
   */
  static final class LocalCache {
    final MemorySegment[][] stacks = new MemorySegment[SizeClasses.SMALL_CLASSES][];
    final int[] sizes = new int[SizeClasses.SMALL_CLASSES];
    /** This thread's allocations from the owning allocator, written by this thread only. */
    final Count allocations;

    /** A thread's count: the owner adds with opaque writes (no fence), readers sum with opaque reads. */
    static final class Count {
      private static final java.lang.invoke.VarHandle VALUE;

      static {
        try {
          VALUE = java.lang.invoke.MethodHandles.lookup().findVarHandle(Count.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
          throw new ExceptionInInitializerError(e);
        }
      }

      private long value;

      void increment() {
        VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + 1);
      }

      long get() {
        return (long) VALUE.getOpaque(this);
      }
    }

    LocalCache(NativeAllocator owner) {
      Count c = new Count();
      allocations = c;
      synchronized (owner.counts) {
        owner.counts.add(c);
      }
      CLEANER.register(this, () -> owner.retire(c));   // the action holds the count, not the cache
    }

    static int capacity(int sizeClass) {
      return (int) Math.clamp((256L << 10) / SizeClasses.bytesOf(sizeClass), 4, 256);
    }

    MemorySegment pop(int sizeClass) {
      int n = sizes[sizeClass];
      if (n == 0) return null;
      MemorySegment[] stack = stacks[sizeClass];
      MemorySegment s = stack[--n];
      stack[n] = null;
      sizes[sizeClass] = n;
      return s;
    }

    boolean push(int sizeClass, MemorySegment block) {
      MemorySegment[] stack = stacks[sizeClass];
      if (stack == null) stack = stacks[sizeClass] = new MemorySegment[capacity(sizeClass)];
      int n = sizes[sizeClass];
      if (n == stack.length) return false;
      stack[n] = block;
      sizes[sizeClass] = n + 1;
      return true;
    }
  }

  /** The calling thread's stacks: those of its {@link ThreadContext} for the global allocator (no lookup of their own). */
  private final ThreadLocal<LocalCache> localCaches = ThreadLocal.withInitial(() -> new LocalCache(this));

  /** A dead thread's count joins the retired total. */
  private void retire(LocalCache.Count c) {
    synchronized (counts) {
      for (int i = counts.size() - 1; i >= 0; i--) {
        if (counts.get(i) == c) {
          counts.remove(i);
          break;
        }
      }
      retiredAllocations += c.get();
    }
  }

  private LocalCache localCache(ThreadContext context) {
    if (this != GLOBAL) return localCaches.get();
    return (context != null ? context : ThreadContext.current()).blocks;
  }

  /**
   * A block of the class, from the cache when one is idle. Its contents are unspecified.
   *
   * @throws OutOfMemoryException when the block would take the live bytes past {@link #limit()}
   */
  public MemorySegment allocate(int sizeClass) {
    return allocate(sizeClass, null);
  }

  /**
   * As {@link #allocate(int)}, for a caller that has the calling thread's context at hand (null
   * looks it up).
   */
  public MemorySegment allocate(int sizeClass, ThreadContext context) {
    long bytes = SizeClasses.bytesOf(sizeClass);
    // Counted before the block is taken, so that the limit check is this one comparison.
    long live = liveBytes.addAndGet(bytes);
    if (live > slowPathAbove) checkRequest(bytes, live);
    LocalCache cache = localCache(context);
    MemorySegment block = SizeClasses.isSmall(sizeClass) ? cache.pop(sizeClass) : null;
    if (block == null) block = allocateShared(sizeClass, bytes);
    cache.allocations.increment();
    long peak;
    while (live > (peak = peakBytes.get()) && !peakBytes.compareAndSet(peak, live)) {
      // another thread raised the peak meanwhile: retry against its value
    }
    return block;
  }

  private MemorySegment allocateShared(int sizeClass, long bytes) {
    try {
      FreeList list = freeLists[sizeClass];
      MemorySegment block = list.pop();
      if (block == null) {
        block = SizeClasses.isSmall(sizeClass) ? refillSmall(sizeClass, list) : allocateLarge(sizeClass);
      } else if (!SizeClasses.isSmall(sizeClass)) {
        idleLargeBytes.addAndGet(-block.byteSize());
      }
      return block;
    } catch (RuntimeException | Error e) {
      liveBytes.addAndGet(-bytes);   // the operating system said no: the request was never live
      throw e;
    }
  }

  /** The slow path: an armed fault, or live bytes past the limit. Refusing undoes the count. */
  private void checkRequest(long bytes, long live) {
    long countdown = faultCountdown.get();
    boolean injected = false;
    while (countdown > 0) {
      if (faultCountdown.compareAndSet(countdown, countdown - 1)) {
        injected = countdown == 1;
        if (injected) slowPathAbove = limitBytes;
        break;
      }
      countdown = faultCountdown.get();
    }
    long limit = limitBytes;
    if (!injected && live <= limit) return;
    liveBytes.addAndGet(-bytes);
    refusals.incrementAndGet();
    long before = live - bytes;
    String request = "tried to allocate " + Bytes.format(bytes) + " with " + Bytes.format(before) + " live in tensors";
    String report = this == GLOBAL ? Storage.largestLive(5) : "";
    if (injected) {
      throw new OutOfMemoryException("injected allocation fault (NativeAllocator.failAfter): " + request + "."
          + report, bytes, before, limit);
    }
    throw new OutOfMemoryException("vectorgrad memory limit exceeded: " + request + " and a limit of "
        + Bytes.format(limit) + " (-D" + MAX_BYTES_PROPERTY + " or MemoryStats.setLimit)." + report
        + " Close tensors or use a TensorScope, or raise the limit.", bytes, before, limit);
  }

  /** Gives a block back. The caller must not touch it afterwards. */
  public void free(MemorySegment block, int sizeClass) {
    free(block, sizeClass, null);
  }

  /** As {@link #free(MemorySegment, int)}, with the calling thread's context (null looks it up). */
  public void free(MemorySegment block, int sizeClass, ThreadContext context) {
    long bytes = SizeClasses.bytesOf(sizeClass);
    liveBytes.addAndGet(-bytes);
    if (SizeClasses.isSmall(sizeClass) && localCache(context).push(sizeClass, block)) return;
    if (!SizeClasses.isSmall(sizeClass)) {
      if (idleLargeBytes.addAndGet(bytes) > maxIdleBytes) {
        idleLargeBytes.addAndGet(-bytes);
        releaseLarge(block);
        return;
      }
    }
    freeLists[sizeClass].push(block);
  }

  /** Releases every idle large block to the operating system; returns the bytes released. */
  public long trim() {
    long released = 0;
    for (int c = SizeClasses.SMALL_CLASSES; c < freeLists.length; c++) {
      for (MemorySegment block : freeLists[c].drain()) {
        idleLargeBytes.addAndGet(-block.byteSize());
        released += block.byteSize();
        releaseLarge(block);
      }
    }
    return released;
  }

  public long liveBytes() {
    return liveBytes.get();
  }

  public long peakBytes() {
    return peakBytes.get();
  }

  /** Bytes obtained from the operating system and not yet given back (live + idle). */
  public long reservedBytes() {
    return reservedBytes.get();
  }

  /** Bytes in idle large blocks that {@link #trim()} would release. */
  public long idleLargeBytes() {
    return idleLargeBytes.get();
  }

  public long maxIdleBytes() {
    return maxIdleBytes;
  }

  /** Allocations served so far, from the cache or fresh. */
  public long allocations() {
    synchronized (counts) {
      long sum = retiredAllocations;
      for (LocalCache.Count c : counts) sum += c.get();
      return sum;
    }
  }

  /** Allocations that needed new memory from the operating system (slab refills count once). */
  public long freshAllocations() {
    return freshAllocations.get();
  }

  /** Resets the peak to the current live bytes (for measurements). */
  public void resetPeak() {
    peakBytes.set(liveBytes.get());
  }

  private MemorySegment refillSmall(int sizeClass, FreeList list) {
    long blockBytes = SizeClasses.bytesOf(sizeClass);
    // Slabs are never returned: the small pool is bounded by the peak of small live bytes.
    MemorySegment slab = Arena.global().allocate(SLAB_BYTES, ALIGNMENT);
    freshAllocations.incrementAndGet();
    reservedBytes.addAndGet(SLAB_BYTES);
    long count = SLAB_BYTES / blockBytes;
    List<MemorySegment> blocks = new ArrayList<>((int) count - 1);
    for (long i = 1; i < count; i++) blocks.add(slab.asSlice(i * blockBytes, blockBytes));
    list.pushAll(blocks);
    return slab.asSlice(0, blockBytes);
  }

  private MemorySegment allocateLarge(int sizeClass) {
    long bytes = SizeClasses.bytesOf(sizeClass);
    Arena arena = Arena.ofShared();
    MemorySegment block;
    try {
      block = bytes >= HugePageBlocks.HUGE_PAGE ? HugePageBlocks.allocate(bytes, arena) : null;
      if (block == null) block = arena.allocate(bytes, ALIGNMENT);
    } catch (OutOfMemoryError e) {
      arena.close();
      trim();
      throw new OutOfMemoryError("vectorgrad could not allocate " + bytes + " off-heap bytes ("
          + (liveBytes() - bytes) + " bytes live in tensors); close tensors or use TensorScope: " + e.getMessage());
    }
    freshAllocations.incrementAndGet();
    reservedBytes.addAndGet(bytes);
    LargeBlocks.remember(block, arena);
    return block;
  }

  private void releaseLarge(MemorySegment block) {
    reservedBytes.addAndGet(-block.byteSize());
    LargeBlocks.release(block);
  }

  /** A stack of idle blocks of one class. Uncontended locking costs a few nanoseconds here. */
  private static final class FreeList {
    private MemorySegment[] items = new MemorySegment[16];
    private int size;

    synchronized MemorySegment pop() {
      if (size == 0) return null;
      MemorySegment s = items[--size];
      items[size] = null;
      return s;
    }

    synchronized void push(MemorySegment s) {
      if (size == items.length) items = java.util.Arrays.copyOf(items, size * 2);
      items[size++] = s;
    }

    synchronized void pushAll(List<MemorySegment> blocks) {
      for (MemorySegment s : blocks) push(s);
    }

    synchronized List<MemorySegment> drain() {
      List<MemorySegment> all = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        all.add(items[i]);
        items[i] = null;
      }
      size = 0;
      return all;
    }
  }
}
