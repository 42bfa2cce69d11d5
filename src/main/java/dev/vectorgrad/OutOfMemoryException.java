package dev.vectorgrad;

/**
 * Thrown when a tensor allocation would take the off-heap bytes live in tensors past the limit set
 * with {@code -Dvectorgrad.maxBytes} or {@link MemoryStats#setLimit(long)}. PyTorch's equivalent is
 * {@code torch.OutOfMemoryError} ({@code torch.cuda.OutOfMemoryError} before 2.5), raised when the
 * CUDA caching allocator cannot serve a request; for CPU memory PyTorch has no limit of its own.
 *
 * <p>The message names the request, the live bytes, the limit and the largest live tensors (with
 * the stacks that allocated them when the JVM runs with {@code -Dvectorgrad.trackAllocations=true}).
 *
 * <p>The failed allocation changes nothing: live bytes are what they were before the request,
 * tensors and graphs made earlier are intact, and the program can go on (close tensors or raise the
 * limit and retry). A backward pass that hits the limit leaves every gradient untouched (see
 * {@link dev.vectorgrad.autograd.Engine}).
 */
public class OutOfMemoryException extends RuntimeException {
  private final long requestedBytes;
  private final long liveBytes;
  private final long limitBytes;

  /**
   * An exception for a refused allocation.
   *
   * @param message the whole message (request, live bytes, limit, largest live tensors)
   * @param requestedBytes the block that could not be allocated, in bytes
   * @param liveBytes bytes live in tensors when the request came (the request not included)
   * @param limitBytes the limit in force
   */
  public OutOfMemoryException(String message, long requestedBytes, long liveBytes, long limitBytes) {
    super(message);
    this.requestedBytes = requestedBytes;
    this.liveBytes = liveBytes;
    this.limitBytes = limitBytes;
  }

  /** The bytes the failed allocation asked for (a whole allocator block). */
  public long requestedBytes() {
    return requestedBytes;
  }

  /** The bytes live in tensors when the allocation was refused (not counting the request). */
  public long liveBytes() {
    return liveBytes;
  }

  /** The limit in force when the allocation was refused. */
  public long limitBytes() {
    return limitBytes;
  }
}
