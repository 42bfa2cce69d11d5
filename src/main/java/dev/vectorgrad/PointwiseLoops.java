package dev.vectorgrad;

import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The driver of {@link Pointwise}'s kernels: like {@link Elementwise}'s, but for kernels with up to
 * three inputs whose dtypes may differ from the output's (comparisons write bool). Contiguous
 * same-shape operands go to the kernel as one range, split over threads; anything else is walked
 * with a {@link StridedLoop}, rows split over threads: operands with step 1 are read in place,
 * others (broadcast step 0 included) are gathered into a per-thread scratch block,
 * {@value #CHUNK} elements at a time, with their own dtype's kernels, and a strided output is
 * scattered from one.
 */
final class PointwiseLoops {
  private PointwiseLoops() {}

  static final int CHUNK = 1024;
  private static final long SLOT = CHUNK * 8L;
  private static final int MAX_OPERANDS = 4;
  private static final ThreadLocal<MemorySegment> SCRATCH =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(MAX_OPERANDS * SLOT, 64));

  /** A kernel call over {@code n} elements: {@code seg[0]}/{@code off[0]} the output, then the inputs. */
  @FunctionalInterface
  interface Kernel {
    void run(MemorySegment[] seg, long[] off, long n);
  }

  /** {@code out = kernel(inputs...)}, every input broadcast to out's shape. */
  static void run(Kernel kernel, Tensor out, Tensor... inputs) {
    long n = out.numel;
    if (n == 0) return;
    Tensor[] all = new Tensor[inputs.length + 1];
    all[0] = out;
    System.arraycopy(inputs, 0, all, 1, inputs.length);
    int m = all.length;
    if (m > MAX_OPERANDS) throw new IllegalArgumentException("at most " + (MAX_OPERANDS - 1) + " inputs");
    boolean direct = out.contiguous;
    for (Tensor t : inputs) direct &= t.contiguous && Arrays.equals(t.shape, out.shape);
    if (direct) {
      Parallel.forRange(n, (from, to) -> {
        MemorySegment[] seg = new MemorySegment[m];
        long[] off = new long[m];
        for (int j = 0; j < m; j++) {
          seg[j] = all[j].seg();
          off[j] = all[j].offset + from;
        }
        kernel.run(seg, off, to - from);
      });
      return;
    }
    StridedLoop loop = StridedLoop.of(out.shape, all);
    Parallel.forRows(loop.rows, loop.inner, (from, to) -> {
      MemorySegment scratch = SCRATCH.get();
      MemorySegment[] seg = new MemorySegment[m];
      long[] off = new long[m];
      ElementKernels[] ks = new ElementKernels[m];
      for (int j = 0; j < m; j++) ks[j] = Tensor.serialKernelsFor(all[j].dtype);
      loop.run(from, to, rowOff -> row(kernel, loop, all, ks, rowOff, scratch, seg, off));
    });
  }

  private static void row(Kernel kernel, StridedLoop loop, Tensor[] all, ElementKernels[] ks, long[] rowOff,
                          MemorySegment scratch, MemorySegment[] seg, long[] off) {
    long n = loop.inner;
    int m = all.length;
    boolean inPlace = true;
    for (int j = 0; j < m; j++) inPlace &= loop.innerStrides[j] == 1;
    if (inPlace) {
      for (int j = 0; j < m; j++) {
        seg[j] = all[j].seg();
        off[j] = rowOff[j];
      }
      kernel.run(seg, off, n);
      return;
    }
    for (long c = 0; c < n; c += CHUNK) {
      long len = Math.min(CHUNK, n - c);
      for (int j = 0; j < m; j++) {
        long step = loop.innerStrides[j];
        long slot = j * SLOT / ks[j].elementBytes();   // slot j of the scratch, in this operand's elements
        if (step == 1) {
          seg[j] = all[j].seg();
          off[j] = rowOff[j] + c;
        } else {
          if (j > 0) ks[j].copyStrided(all[j].seg(), rowOff[j] + c * step, step, scratch, slot, 1, len);
          seg[j] = scratch;
          off[j] = slot;
        }
      }
      kernel.run(seg, off, len);
      long so = loop.innerStrides[0];
      if (so != 1) ks[0].copyStrided(scratch, off[0], 1, all[0].seg(), rowOff[0] + c * so, so, len);
    }
  }
}
