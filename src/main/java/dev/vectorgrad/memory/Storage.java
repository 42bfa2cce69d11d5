package dev.vectorgrad.memory;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A reference-counted off-heap buffer shared by a tensor and its views ({@code detach()},
 * {@code data()}). Each holder calls {@link #release()} once; the last release returns the block to
 * the {@link NativeAllocator}.
 *
 * <p>With {@code -D}{@value #TRACK_PROPERTY}{@code =true} every storage records the stack where it
 * was allocated, and {@link #leakReport()} lists the live ones with those stacks.
 */
public final class Storage {
  /** System property that records allocation sites for leak reports. */
  public static final String TRACK_PROPERTY = "vectorgrad.trackAllocations";
  private static final boolean TRACK = Boolean.getBoolean(TRACK_PROPERTY);
  /** With tracking, every live storage and the stack that allocated it. */
  private static final java.util.Map<Storage, Throwable> LIVE = TRACK ? new ConcurrentHashMap<>() : java.util.Map.of();
  /**
   * Without tracking, the live storages of large blocks (above 64 KiB) only, so that a refused
   * allocation can name the largest tensors: a hash insert is noise next to the kernel of a large
   * tensor, but not next to a 2x2 op.
   */
  private static final Set<Storage> LARGE_LIVE = ConcurrentHashMap.newKeySet();
  private static final VarHandle REFS;
  private static final java.util.concurrent.atomic.AtomicLong RELEASED_BY_GC = new java.util.concurrent.atomic.AtomicLong();
  private static final int MAX_LEAK_WARNINGS = 20;
  private static final System.Logger LOG = System.getLogger("dev.vectorgrad");

  static {
    try {
      REFS = MethodHandles.lookup().findVarHandle(Storage.class, "refs", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final MemorySegment segment;
  /**
   * The bytes asked for, shifted left by one with {@link #markExported} in bit 0; for the caller's
   * memory ({@link #wrap}) {@code ~byteSize} (negative): a storage stays four fields (32 bytes), the
   * size class is derived from the size, and marking an export is a plain write instead of a
   * synchronized weak map's entry (which cost 0.5 us per {@code segment()} and a locked lookup per
   * fused op once any storage was exported). Not final, for that bit: other threads see it through
   * the tensor's final {@code storage} field (the size), or after the caller hands them the tensor.
   */
  private long bytes;
  /** Holders; set to 1 by the constructor with a plain write (the storage reaches other threads through a final field). */
  private volatile int refs;
  /**
   * The pending (fused, not yet computed) tensors that read this storage, owned by the tensor
   * layer's fusion ({@code dev.vectorgrad.Fusion}); null when none, which every kernel access checks
   * before it reads or writes: such tensors are computed first, so that a write through any view
   * of this storage, or its release, never changes what they will hold.
   */
  private volatile Object pendingReaders;

  /** A storage of {@code byteSize} bytes in a block of {@code sizeClass}, or over foreign memory when that is negative. */
  private Storage(MemorySegment segment, long byteSize, int sizeClass) {
    this.segment = segment;
    REFS.set(this, 1);   // not a volatile write: no fence per tensor
    boolean foreign = sizeClass < 0;
    this.bytes = foreign ? ~byteSize : byteSize << 1;
    if (!foreign) {
      if (TRACK) LIVE.put(this, new Throwable("tensor storage of " + byteSize + " bytes allocated here"));
      else if (!SizeClasses.isSmall(sizeClass)) LARGE_LIVE.add(this);
    }
  }

  /** The allocator's class of this storage's block (not for foreign storages). */
  private int sizeClass() {
    return NativeAllocator.sizeClassOf(Math.max(byteSize(), 1));
  }

  private Throwable allocationSite() {
    return TRACK ? LIVE.get(this) : null;
  }

  /**
   * A storage over memory the caller owns (a segment of their arena, a mapped file, a direct
   * buffer): the last release only drops the reference; the memory is neither freed nor counted
   * in {@code liveBytes}. Using it after its arena closed throws {@link IllegalStateException}
   * (the FFM API checks every access).
   */
  public static Storage wrap(MemorySegment segment) {
    return new Storage(segment, segment.byteSize(), -1);
  }

  /** Whether this storage is the caller's memory ({@link #wrap}) rather than the allocator's. */
  public boolean isForeign() {
    return bytes < 0;
  }

  /**
   * Records that this memory was handed to the caller ({@code Tensor.segment()}), who may write it
   * outside the ops from now on; a no-op for the caller's own memory, which counts as such anyway.
   */
  public void markExported() {
    long b = bytes;
    if (b >= 0) bytes = b | 1;
  }

  /** Whether {@link #markExported} was called. */
  public boolean isExported() {
    return bytes >= 0 && (bytes & 1) != 0;
  }

  /** Whether the memory may not be written (a read-only mapping or buffer). */
  public boolean isReadOnly() {
    return segment.isReadOnly();
  }

  /** A storage of at least {@code byteSize} bytes with unspecified contents. */
  public static Storage allocate(long byteSize) {
    return allocate(byteSize, null);
  }

  /** As {@link #allocate(long)}, with the calling thread's context at hand (null looks it up). */
  public static Storage allocate(long byteSize, ThreadContext context) {
    int sizeClass = NativeAllocator.sizeClassOf(Math.max(byteSize, 1));
    return new Storage(NativeAllocator.global().allocate(sizeClass, context), byteSize, sizeClass);
  }

  /** The fusion layer's record of the pending tensors that read this storage (see the field), or null. */
  public Object pendingReaders() {
    return pendingReaders;
  }

  /** Sets {@link #pendingReaders()}; callers synchronize on this storage. */
  public void setPendingReaders(Object readers) {
    pendingReaders = readers;
  }

  /** The block; it may be larger than {@link #byteSize()}. */
  public MemorySegment segment() {
    return segment;
  }

  public long byteSize() {
    return bytes < 0 ? ~bytes : bytes >>> 1;
  }

  /** Leaves this storage out of leak reports: it is meant to live as long as the JVM. */
  public void markPermanent() {
    if (TRACK) LIVE.remove(this);
    else LARGE_LIVE.remove(this);
  }

  /** The number of holders (tensors and views) that keep this storage. */
  public int holders() {
    return refs;
  }

  /** Adds a holder (a view). Throws if the storage was already released. */
  public void retain() {
    int r;
    do {
      r = refs;
      if (r <= 0) throw new IllegalStateException("storage was already released");
    } while (!REFS.compareAndSet(this, r, r + 1));
  }

  /** Drops a holder; the last one returns the memory. Returns true when this call freed it. */
  public boolean release() {
    return release(null);
  }

  /** As {@link #release()}, with the calling thread's context at hand (null looks it up if needed). */
  public boolean release(ThreadContext context) {
    int r = (int) REFS.getAndAdd(this, -1) - 1;
    if (r == 0) {
      if (bytes < 0) return true;   // foreign
      int sizeClass = sizeClass();
      if (TRACK) LIVE.remove(this);
      else if (!SizeClasses.isSmall(sizeClass)) LARGE_LIVE.remove(this);
      NativeAllocator.global().free(segment, sizeClass, context);
      return true;
    }
    if (r < 0) throw new IllegalStateException("storage released more often than retained");
    return false;
  }

  /**
   * Records that a tensor holding this storage was dropped without close() and released by the
   * GC. With allocation tracking on, the first {@value #MAX_LEAK_WARNINGS} such leaks are logged
   * with the stack that allocated them.
   */
  public void noteReleasedByGc() {
    if (bytes < 0) return;   // the caller's memory: dropping a wrapper leaks nothing
    long n = RELEASED_BY_GC.get() + 1;   // counted after logging, so a reader of the count sees the log
    if (TRACK && n <= MAX_LEAK_WARNINGS) {
      LOG.log(System.Logger.Level.WARNING, "vectorgrad: a tensor of " + byteSize() + " bytes was never closed; "
          + "the garbage collector released it" + (n == MAX_LEAK_WARNINGS ? " (further leaks are only counted)" : ""),
          allocationSite());
    }
    RELEASED_BY_GC.incrementAndGet();
  }

  /** Tensors released by the GC instead of close() or a scope, since start. */
  public static long releasedByGc() {
    return RELEASED_BY_GC.get();
  }

  /**
   * The {@code n} largest live storages, for the memory limit's error: with tracking, each with the
   * frames that allocated it; without, only those above 64 KiB, and how to get the stacks.
   */
  static String largestLive(int n) {
    List<Storage> live = new ArrayList<>(TRACK ? LIVE.keySet() : LARGE_LIVE);
    live.sort((a, b) -> Long.compare(b.byteSize(), a.byteSize()));
    StringBuilder sb = new StringBuilder();
    if (live.isEmpty()) {
      sb.append(TRACK ? " No tensor is live." : " No tensor above 64 KiB is live.");
    } else {
      sb.append(" Largest live tensors:");
      for (int i = 0; i < Math.min(n, live.size()); i++) {
        Storage s = live.get(i);
        sb.append(i == 0 ? " " : "; ").append(Bytes.format(s.byteSize()));
        Throwable at = s.allocationSite();
        if (at != null) sb.append(" allocated at ").append(site(at));
      }
      if (live.size() > n) sb.append("; and ").append(live.size() - n).append(" more");
      sb.append('.');
    }
    if (!TRACK) {
      sb.append(" Run with -D").append(TRACK_PROPERTY).append("=true to list every tensor with where it was allocated.");
    }
    return sb.toString();
  }

  /** The allocating frames from the first op down to the caller's frame, outside this package. */
  private static String site(Throwable allocation) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (StackTraceElement e : allocation.getStackTrace()) {
      if (e.getClassName().startsWith("dev.vectorgrad.memory.")) continue;
      if (shown > 0) sb.append(" <- ");
      sb.append(e);
      if (++shown == 6 || !e.getClassName().startsWith("dev.vectorgrad.")) break;
    }
    return sb.toString();
  }

  /** Whether allocation sites are being recorded. */
  public static boolean trackingAllocations() {
    return TRACK;
  }

  /**
   * Live storages and where they were allocated; without tracking, only how to turn it on.
   */
  public static String leakReport() {
    NativeAllocator a = NativeAllocator.global();
    StringBuilder sb = new StringBuilder()
        .append(a.liveBytes()).append(" off-heap bytes live in tensor storages; ")
        .append(RELEASED_BY_GC.get()).append(" tensors were dropped without close() and released by the GC");
    if (!TRACK) {
      return sb.append("; run with -D").append(TRACK_PROPERTY)
          .append("=true to record where each storage was allocated").toString();
    }
    List<java.util.Map.Entry<Storage, Throwable>> live = new ArrayList<>(LIVE.entrySet());
    sb.append(", ").append(live.size()).append(" storages:");
    for (java.util.Map.Entry<Storage, Throwable> s : live) {
      sb.append("\n  ").append(s.getKey().byteSize()).append(" bytes");
      for (StackTraceElement e : s.getValue().getStackTrace()) {
        if (!e.getClassName().startsWith("dev.vectorgrad.memory.")) {
          sb.append("\n    at ").append(e);
        }
      }
    }
    return sb.toString();
  }
}
