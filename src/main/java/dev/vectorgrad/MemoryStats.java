package dev.vectorgrad;

import dev.vectorgrad.memory.NativeAllocator;
import dev.vectorgrad.memory.Storage;

/**
 * Accounting of the off-heap memory behind tensors. PyTorch's closest equivalents are
 * {@code torch.cuda.memory_allocated()} / {@code max_memory_allocated()} (for CPU memory, which
 * PyTorch does not account).
 *
 * <p>Bytes are counted in allocator blocks: a tensor of n bytes holds a block of at least n bytes
 * (at most 25% more above 64 KiB, the next power of two below).
 */
public final class MemoryStats {
  /** The value of {@link #limit()} when there is no cap: {@code Long.MAX_VALUE}. */
  public static final long NO_LIMIT = NativeAllocator.NO_LIMIT;

  private MemoryStats() {}

  /** Off-heap bytes held by live tensor storages now. */
  public static long liveBytes() {
    return NativeAllocator.global().liveBytes();
  }

  /** The most off-heap bytes held by live storages at once since start (or {@link #resetPeak()}). */
  public static long peakBytes() {
    return NativeAllocator.global().peakBytes();
  }

  /** Bytes obtained from the operating system: live blocks plus idle cached ones. */
  public static long reservedBytes() {
    return NativeAllocator.global().reservedBytes();
  }

  /** Allocations that needed fresh memory from the operating system (not served by the cache). */
  public static long freshAllocations() {
    return NativeAllocator.global().freshAllocations();
  }

  /** All allocations, cached or fresh. */
  public static long allocations() {
    return NativeAllocator.global().allocations();
  }

  /**
   * Tensors that were dropped without {@code close()} outside any scope and released by the GC
   * (leaks caught by the safety net). With {@code -Dvectorgrad.trackAllocations=true} each of the
   * first 20 is also logged with the stack that allocated it.
   */
  public static long releasedByGc() {
    return Storage.releasedByGc();
  }

  /** Returns idle cached large blocks to the operating system; returns the bytes released. */
  public static long trim() {
    return NativeAllocator.global().trim();
  }

  /**
   * Caps the off-heap bytes live in tensors: an allocation past {@code maxBytes} throws {@link
   * OutOfMemoryException}, which names the request, the live bytes, the limit and the largest live
   * tensors, and changes nothing (live bytes stay as they were; graphs and gradients are intact), so
   * the program can close tensors or raise the limit and go on. {@link #NO_LIMIT} removes the cap.
   * The start-up value comes from {@code -Dvectorgrad.maxBytes=B} (bytes, or {@code 512m},
   * {@code 2g}). Setting a limit below the live bytes is allowed: allocations fail until enough
   * tensors are closed.
   *
   * <p>PyTorch has no such limit for CPU tensors (a failed {@code malloc} raises {@code
   * RuntimeError: DefaultCPUAllocator: not enough memory}); for CUDA the closest are {@code
   * torch.cuda.set_per_process_memory_fraction} and the {@code torch.OutOfMemoryError} it raises.
   * Counted as {@link #liveBytes()}: in allocator blocks, not requested bytes.
   *
   * @throws IllegalArgumentException when {@code maxBytes} is negative
   */
  public static void setLimit(long maxBytes) {
    NativeAllocator.global().setLimit(maxBytes);
  }

  /** The cap set by {@link #setLimit(long)} or {@code -Dvectorgrad.maxBytes}; {@link #NO_LIMIT} when there is none. */
  public static long limit() {
    return NativeAllocator.global().limit();
  }

  /** Sets the peak to the current live bytes. */
  public static void resetPeak() {
    NativeAllocator.global().resetPeak();
  }

  /**
   * A report of the storages still live, with where each was allocated when the JVM runs with
   * {@code -Dvectorgrad.trackAllocations=true} (the report says so when it does not).
   */
  public static String leakReport() {
    return Storage.leakReport();
  }
}
