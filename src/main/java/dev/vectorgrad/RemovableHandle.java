package dev.vectorgrad;

/**
 * Removes the hook it was returned for ({@link Tensor#registerHook}). PyTorch equivalent:
 * {@code torch.utils.hooks.RemovableHandle}.
 *
 * <p>{@link #remove()} may be called any number of times; the hook no longer runs from the next time
 * backward reaches its tensor (a pass that is already running that tensor's hooks still runs it, as
 * in PyTorch 1.13). {@link #close()} is {@code remove()}, so that a hook can live for the span of a
 * try-with-resources block, as PyTorch's handle does in a {@code with} block.
 */
public final class RemovableHandle implements AutoCloseable {
  private final Runnable remover;
  private volatile boolean removed;

  RemovableHandle(Runnable remover) {
    this.remover = remover;
  }

  /** Unregisters the hook; later calls do nothing. PyTorch: {@code RemovableHandle.remove()}. */
  public void remove() {
    synchronized (this) {
      if (removed) return;
      removed = true;
    }
    remover.run();
  }

  /** Whether {@link #remove()} was called. PyTorch has no equivalent (its handle only holds a weak reference). */
  public boolean isRemoved() {
    return removed;
  }

  /** {@link #remove()}. PyTorch: {@code RemovableHandle.__exit__}. */
  @Override
  public void close() {
    remove();
  }
}
