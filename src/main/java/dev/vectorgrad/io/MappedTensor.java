package dev.vectorgrad.io;

import dev.vectorgrad.Tensor;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A tensor over a memory-mapped {@code .npy} file ({@link Npy#map}), valid until this holder is
 * closed: closing unmaps the file, and every later use of a zero-copy tensor throws
 * {@link IllegalStateException}. numpy: {@code np.load(path, mmap_mode='r')}.
 *
 * <p>The mapping is read-only, so in-place ops on the tensor fail. When the file's bytes are not
 * the tensor's representation (a big-endian file, a dtype read by widening such as {@code <i4} or
 * {@code <f2}, a misaligned data offset, bool bytes other than 0/1) the tensor is a vectorgrad-owned
 * converted copy instead ({@link #isZeroCopy()} is false); that copy stays valid after close.
 */
public final class MappedTensor implements AutoCloseable {
  private final Path file;
  private final Arena arena;
  private final Tensor tensor;
  private final boolean zeroCopy;

  MappedTensor(Path file, Arena arena, Tensor tensor, boolean zeroCopy) {
    this.file = file;
    this.arena = arena;
    this.tensor = tensor;
    this.zeroCopy = zeroCopy;
  }

  /** The tensor: a read-only view of the mapping, or a converted copy (see {@link #isZeroCopy()}). */
  public Tensor tensor() {
    return tensor;
  }

  /** Whether {@link #tensor()} is a view of the mapped file rather than a converted copy. */
  public boolean isZeroCopy() {
    return zeroCopy;
  }

  /** The mapped file. */
  public Path file() {
    return file;
  }

  /** Unmaps the file; zero-copy tensors throw {@link IllegalStateException} from then on. Idempotent. */
  @Override
  public void close() {
    if (arena.scope().isAlive()) arena.close();
  }
}
