package dev.vectorgrad;

import dev.vectorgrad.kernels.BinaryOp;
import dev.vectorgrad.kernels.ElementKernels;
import dev.vectorgrad.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The elementwise drivers every op runs through: contiguous operands go straight to one kernel
 * call on their ranges (the round-1 fast paths, split over threads inside the kernels); anything
 * else is walked with a {@link StridedLoop}, rows split over threads, each row run by the same
 * vector kernels: operands with step 1 are read in place, step 0 become a scalar operand, other
 * steps are gathered into a per-thread scratch block first (and a strided output is scattered from
 * one), {@value #CHUNK} elements at a time so that the scratch stays in L1.
 *
 * <p>All operands of one call share the dtype of the output; callers convert first.
 */
final class Elementwise {
  private Elementwise() {}

  /** Elements gathered per step; three scratch rows of this many 8-byte elements fit in L1. */
  static final int CHUNK = 1024;
  private static final long SLOT = CHUNK * 8L;
  private static final ThreadLocal<MemorySegment> SCRATCH =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(3 * SLOT, 64));

  // ------------------------------------------------------------------ binary

  /** {@code out = a op b}, {@code a} and {@code b} broadcast to {@code out}'s shape; one dtype. */
  static void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
    long n = out.numel;
    if (n == 0) return;
    ElementKernels k = out.kernels();
    boolean floating = out.dtype.isFloatingPoint();
    if (out.dtype != DType.BOOL && (overlapsOtherwise(a, out) || overlapsOtherwise(b, out))) {
      elementByElement(op, a, b, out, floating);
      return;
    }
    if (out.contiguous) {
      // contiguous operands of the output's shape run in place; one value broadcast (a 1-element tensor or an
      // expanded scalar such as a sum's gradient) is the scalar operand; one row broadcast runs row by row
      boolean aFull = a.contiguous && Arrays.equals(a.shape, out.shape);
      boolean bFull = b.contiguous && Arrays.equals(b.shape, out.shape);
      if (aFull && bFull) {
        k.binary(op, a.seg(), a.offset, b.seg(), b.offset, out.seg(), out.offset, n);
        return;
      }
      if (floating && aFull && oneValue(b)) {
        k.binaryScalar(op, a.seg(), a.offset, k.get(b.seg(), b.offset), out.seg(), out.offset, n);
        return;
      }
      if (floating && bFull && oneValue(a)) {
        k.scalarBinary(op, k.get(a.seg(), a.offset), b.seg(), b.offset, out.seg(), out.offset, n);
        return;
      }
      if (aFull && rowBroadcast(op, a, b, b, out) || bFull && rowBroadcast(op, a, b, a, out)) return;
      if (floating && (aFull && columnBroadcast(k, op, a, b, b, out) || bFull && columnBroadcast(k, op, a, b, a, out))) {
        return;
      }
    }
    StridedLoop loop = StridedLoop.of(out.shape, out, a, b);
    if (transposedTiles(op, loop, a, b, out)) return;
    Parallel.forRows(loop.rows, loop.inner, (from, to) -> {
      ElementKernels sk = Tensor.serialKernelsFor(out.dtype);
      MemorySegment scratch = SCRATCH.get();
      loop.run(from, to, off -> binaryRow(sk, floating, op, loop, a, b, out, off, scratch));
    });
  }

  private static void binaryRow(ElementKernels k, boolean floating, BinaryOp op, StridedLoop loop,
                                Tensor a, Tensor b, Tensor out, long[] off, MemorySegment scratch) {
    long so = loop.innerStrides[0], sa = loop.innerStrides[1], sb = loop.innerStrides[2];
    long n = loop.inner;
    if (so == 1 && floating && (sa | sb) >>> 1 == 0) {   // both steps 0 or 1: no gather needed
      if (sa == 1 && sb == 1) {
        k.binary(op, a.seg(), off[1], b.seg(), off[2], out.seg(), off[0], n);
      } else if (sa == 1) {
        k.binaryScalar(op, a.seg(), off[1], k.get(b.seg(), off[2]), out.seg(), off[0], n);
      } else if (sb == 1) {
        k.scalarBinary(op, k.get(a.seg(), off[1]), b.seg(), off[2], out.seg(), off[0], n);
      } else {
        k.binary(op, a.seg(), off[1], b.seg(), off[2], out.seg(), off[0], 1);
        k.copyStrided(out.seg(), off[0], 0, out.seg(), off[0] + 1, 1, n - 1);
      }
      return;
    }
    for (long c = 0; c < n; c += CHUNK) {
      long len = Math.min(CHUNK, n - c);
      MemorySegment as = a.seg(), bs = b.seg(), os = out.seg();
      long ao = off[1] + c * sa, bo = off[2] + c * sb, oo = off[0] + c * so;
      if (sa != 1) {
        k.copyStrided(as, ao, sa, scratch, 0, 1, len);
        as = scratch;
        ao = 0;
      }
      if (sb != 1) {
        k.copyStrided(bs, bo, sb, scratch, CHUNK, 1, len);
        bs = scratch;
        bo = CHUNK;
      }
      if (so != 1) {
        k.binary(op, as, ao, bs, bo, scratch, 2L * CHUNK, len);
        k.copyStrided(scratch, 2L * CHUNK, 1, os, oo, so, len);
      } else {
        k.binary(op, as, ao, bs, bo, os, oo, len);
      }
    }
  }

  /**
   * {@code a op b} where one operand is the output's shape and contiguous and the other ({@code row}) is one row
   * broadcast over the rows ({@code v.expand(n, m) + b}, a bias added to a batch: last stride 1,
   * every other stride 0): the kernel runs row by row on plain offsets, without an iteration plan
   * and its per-row callback. Returns false when the operands do not have that shape.
   */
  private static boolean rowBroadcast(BinaryOp op, Tensor a, Tensor b, Tensor row, Tensor out) {
    int nd = out.shape.length;
    long inner = nd == 0 ? 0 : out.shape[nd - 1];
    if (nd < 2 || inner < 2 || !isRow(row, inner)) return false;
    Tensor full = row == b ? a : b;
    long rows = out.numel / inner;
    Parallel.forRows(rows, inner, (from, to) -> {
      ElementKernels k = Tensor.serialKernelsFor(out.dtype);
      for (long r = from; r < to; r++) {
        long at = r * inner;
        if (row == b) k.binary(op, full.seg(), full.offset + at, row.seg(), row.offset, out.seg(), out.offset + at, inner);
        else k.binary(op, row.seg(), row.offset, full.seg(), full.offset + at, out.seg(), out.offset + at, inner);
      }
    });
    return true;
  }

  /**
   * {@code a op b} where one operand is the output's shape and contiguous and the other ({@code col}) is
   * one value per row, contiguous over the rows ({@code x - x.max(-1, keepdim)}, a per-sample scale):
   * one kernel call for all rows ({@link ElementKernels#binaryColumn}), where the iteration plan made a
   * call per row, 15x the cost of the arithmetic for rows of 8. Returns false for other shapes.
   */
  private static boolean columnBroadcast(ElementKernels k, BinaryOp op, Tensor a, Tensor b, Tensor col, Tensor out) {
    if (!isColumn(col, out.shape)) return false;
    Tensor full = col == b ? a : b;
    long inner = out.shape[out.shape.length - 1];
    k.binaryColumn(op, full.seg(), full.offset, col.seg(), col.offset, col == a, out.seg(), out.offset,
        out.numel / inner, inner);
    return true;
  }

  /**
   * Whether {@code t}, broadcast to {@code shape} (rank at least 2, rows of at least 2), holds one value
   * per row at consecutive positions: contiguous, last dim 1, every other dim the output's.
   */
  static boolean isColumn(Tensor t, long[] shape) {
    int nd = shape.length, td = t.shape.length;
    if (nd < 2 || td == 0 || shape[nd - 1] < 2 || t.shape[td - 1] != 1 || !t.contiguous) return false;
    for (int d = 0; d < nd - 1; d++) {
      int e = d - (nd - td);
      if ((e < 0 ? 1 : t.shape[e]) != shape[d]) return false;
    }
    return true;
  }

  /** Whether {@code t}, broadcast to the output, is one contiguous row of {@code inner} elements repeated. */
  private static boolean isRow(Tensor t, long inner) {
    int td = t.shape.length;
    if (td == 0 || t.shape[td - 1] != inner || t.strides[td - 1] != 1) return false;
    for (int i = 0; i < td - 1; i++) {
      if (t.shape[i] != 1 && t.strides[i] != 0) return false;
    }
    return true;
  }

  /**
   * Tile edge of the transposed path: a 64 x 64 tile of 8-byte elements fills L1 (the tile's two
   * heap copies and its scratch rows are touched in turn); every kernel call of the path handles a
   * run of 64 elements, so per-call costs are paid once per 64 elements.
   */
  private static final int TILE = 64;
  private static final ThreadLocal<MemorySegment> TILE_SCRATCH =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate((long) TILE * TILE * 8, 64));

  /**
   * {@code a.t() + b}: when one input walks its rows with a large step but is contiguous along the
   * rows (the next outer dim), reading it element by element along the row touches a new cache
   * line per element. Instead, tiles of TILE x TILE are transposed into scratch reading along the
   * input's own contiguous direction, then each tile row runs the vector kernel. Returns false
   * when the loop does not have that shape.
   */
  private static boolean transposedTiles(BinaryOp op, StridedLoop loop, Tensor a, Tensor b, Tensor out) {
    long rowsPerGroup = loop.lastOuterSize();
    if (rowsPerGroup < 2 || loop.inner < 2 || loop.innerStrides[0] != 1) return false;
    int t;   // the operand to transpose: inner step > 1, step 1 along the rows; the other read in place
    if (loop.innerStrides[1] > 1 && loop.lastOuterStride(1) == 1 && loop.innerStrides[2] == 1) t = 1;
    else if (loop.innerStrides[2] > 1 && loop.lastOuterStride(2) == 1 && loop.innerStrides[1] == 1) t = 2;
    else return false;
    Tensor tr = t == 1 ? a : b, other = t == 1 ? b : a;
    long blocksPerGroup = (rowsPerGroup + TILE - 1) / TILE;
    long units = loop.rows / rowsPerGroup * blocksPerGroup;
    long step = loop.innerStrides[t];
    int o = 3 - t;
    Parallel.forRows(units, (long) TILE * loop.inner, (from, to) -> {
      ElementKernels k = Tensor.serialKernelsFor(out.dtype);
      MemorySegment scratch = TILE_SCRATCH.get();
      long[][] rowOff = new long[TILE][];
      int[] count = {0};
      for (long u = from; u < to; u++) {
        long group = u / blocksPerGroup, first = group * rowsPerGroup + (u % blocksPerGroup) * TILE;
        long last = Math.min(first + TILE, (group + 1) * rowsPerGroup);
        count[0] = 0;
        loop.run(first, last, off -> rowOff[count[0]++] = off.clone());
        int rows = count[0];
        for (long c = 0; c < loop.inner; c += TILE) {
          int cols = (int) Math.min(TILE, loop.inner - c);
          // column j of the tile is a run of memory in tr (its rows r); scratch gets the tile row-major
          k.transposeTile(tr.seg(), rowOff[0][t] + c * step, step, scratch, 0, TILE, rows, cols);
          for (int r = 0; r < rows; r++) {
            long[] off = rowOff[r];
            long scratchRow = (long) r * TILE;
            if (t == 1) k.binary(op, scratch, scratchRow, other.seg(), off[o] + c, out.seg(), off[0] + c, cols);
            else k.binary(op, other.seg(), off[o] + c, scratch, scratchRow, out.seg(), off[0] + c, cols);
          }
        }
      }
    });
    return true;
  }

  // ------------------------------------------------------------------ one input

  /** What a one-input elementwise op does to a contiguous run. */
  @FunctionalInterface
  interface Unary {
    void run(ElementKernels k, MemorySegment a, long aOff, MemorySegment out, long outOff, long n);
  }

  /** {@code out = f(a)}, {@code a} broadcast to {@code out}'s shape; one dtype. */
  static void unary(Unary f, Tensor a, Tensor out) {
    long n = out.numel;
    if (n == 0) return;
    if (out.contiguous && a.contiguous && Arrays.equals(a.shape, out.shape)) {
      f.run(out.kernels(), a.seg(), a.offset, out.seg(), out.offset, n);
      return;
    }
    StridedLoop loop = StridedLoop.of(out.shape, out, a);
    Parallel.forRows(loop.rows, loop.inner, (from, to) -> {
      ElementKernels k = Tensor.serialKernelsFor(out.dtype);
      MemorySegment scratch = SCRATCH.get();
      loop.run(from, to, off -> unaryRow(k, f, loop, a, out, off, scratch));
    });
  }

  private static void unaryRow(ElementKernels k, Unary f, StridedLoop loop, Tensor a, Tensor out, long[] off,
                               MemorySegment scratch) {
    long so = loop.innerStrides[0], sa = loop.innerStrides[1];
    long n = loop.inner;
    if (so == 1 && sa == 1) {
      f.run(k, a.seg(), off[1], out.seg(), off[0], n);
      return;
    }
    for (long c = 0; c < n; c += CHUNK) {
      long len = Math.min(CHUNK, n - c);
      MemorySegment as = a.seg();
      long ao = off[1] + c * sa, oo = off[0] + c * so;
      if (sa != 1) {
        k.copyStrided(as, ao, sa, scratch, 0, 1, len);
        as = scratch;
        ao = 0;
      }
      if (so != 1) {
        f.run(k, as, ao, scratch, CHUNK, len);
        k.copyStrided(scratch, CHUNK, 1, out.seg(), oo, so, len);
      } else {
        f.run(k, as, ao, out.seg(), oo, len);
      }
    }
  }

  /** {@code dst = src} (broadcast), same dtype. */
  static void copy(Tensor src, Tensor dst) {
    long n = dst.numel;
    if (n == 0) return;
    if (dst.contiguous && src.contiguous && src.numel == n) {
      dst.kernels().copy(src.seg(), src.offset, dst.seg(), dst.offset, n);
      return;
    }
    if (dst.contiguous && src.dtype.isFloatingPoint() && oneValue(src)) {   // one value everywhere (an expanded scalar)
      dst.kernels().fill(dst.seg(), dst.offset, n, src.kernels().get(src.seg(), src.offset));
      return;
    }
    int nd = dst.shape.length;
    long inner = nd == 0 ? 0 : dst.shape[nd - 1];
    if (dst.contiguous && nd >= 2 && inner > 1 && src.dtype == dst.dtype && isRow(src, inner)) {
      // one row repeated (a bias over a batch): a copy per row, without an iteration plan (and,
      // below the parallel grain, without a task object)
      if (Parallel.splits(n)) Parallel.forRows(n / inner, inner, (from, to) -> copyRows(src, dst, inner, from, to));
      else copyRows(src, dst, inner, 0, n / inner);
      return;
    }
    StridedLoop loop = StridedLoop.of(dst.shape, dst, src);
    long sd = loop.innerStrides[0], ss = loop.innerStrides[1];
    if (sd == 1 && ss > 1 && loop.lastOuterStride(1) == 1 && loop.lastOuterSize() > 1 && loop.inner > 1) {
      transposedCopy(loop, src, dst);   // e.g. t().contiguous(): rows of src are its columns in memory
      return;
    }
    Parallel.forRows(loop.rows, loop.inner, (from, to) -> {
      ElementKernels k = Tensor.serialKernelsFor(dst.dtype);
      loop.run(from, to, off -> {
        if (sd == 1 && ss == 1) {
          k.copy(src.seg(), off[1], dst.seg(), off[0], loop.inner);
        } else {
          k.copyStrided(src.seg(), off[1], ss, dst.seg(), off[0], sd, loop.inner);
        }
      });
    });
  }

  /** Rows {@code [from, to)} of contiguous {@code dst}, each a copy of the contiguous row {@code src}. */
  private static void copyRows(Tensor src, Tensor dst, long inner, long from, long to) {
    ElementKernels k = Tensor.serialKernelsFor(dst.dtype);
    for (long r = from; r < to; r++) k.copy(src.seg(), src.offset, dst.seg(), dst.offset + r * inner, inner);
  }

  /**
   * {@link #copy} of a source that walks each row with a large step but is contiguous down the rows
   * (a transposed view): TILE x TILE tiles go straight from the source's columns to the
   * destination's rows ({@link ElementKernels#transposeTile}), each side read or written in runs.
   */
  private static void transposedCopy(StridedLoop loop, Tensor src, Tensor dst) {
    long rowsPerGroup = loop.lastOuterSize(), blocksPerGroup = (rowsPerGroup + TILE - 1) / TILE;
    long units = loop.rows / rowsPerGroup * blocksPerGroup;
    long step = loop.innerStrides[1], dstRowStride = loop.lastOuterStride(0);
    Parallel.forRows(units, (long) TILE * loop.inner, (from, to) -> {
      ElementKernels k = Tensor.serialKernelsFor(dst.dtype);
      long[] first = new long[2];
      for (long u = from; u < to; u++) {
        long group = u / blocksPerGroup, row = group * rowsPerGroup + (u % blocksPerGroup) * TILE;
        int rows = (int) Math.min(TILE, (group + 1) * rowsPerGroup - row);
        loop.run(row, row + 1, off -> System.arraycopy(off, 0, first, 0, 2));
        for (long c = 0; c < loop.inner; c += TILE) {
          int cols = (int) Math.min(TILE, loop.inner - c);
          k.transposeTile(src.seg(), first[1] + c * step, step, dst.seg(), first[0] + c, dstRowStride, rows, cols);
        }
      }
    });
  }

  /** Whether every element of {@code t} is the same element: one element, or all strides 0 (an expanded scalar). */
  private static boolean oneValue(Tensor t) {
    return t.numel == 1 || allZero(t.strides);
  }

  private static boolean allZero(long[] strides) {
    for (long s : strides) {
      if (s != 0) return false;
    }
    return true;
  }

  /** Every element of {@code dst} set to {@code value}. */
  static void fill(Tensor dst, double value) {
    long n = dst.numel;
    if (n == 0) return;
    if (dst.contiguous) {
      dst.kernels().fill(dst.seg(), dst.offset, n, value);
      return;
    }
    StridedLoop loop = StridedLoop.of(dst.shape, dst);
    long sd = loop.innerStrides[0];
    Parallel.forRows(loop.rows, loop.inner, (from, to) -> {
      ElementKernels k = Tensor.serialKernelsFor(dst.dtype);
      loop.run(from, to, off -> {
        if (sd == 1) {
          k.fill(dst.seg(), off[0], loop.inner, value);
        } else {
          k.fill(dst.seg(), off[0], 1, value);
          k.copyStrided(dst.seg(), off[0], 0, dst.seg(), off[0] + sd, sd, loop.inner - 1);
        }
      });
    });
  }

  /**
   * {@code out[i] = f(a[i], b[i])} in double precision, {@code a} and {@code b} broadcast to
   * {@code out} (any dtypes; the result rounded to out's): one element at a time, for derivatives
   * and rarely used ops that have no vector kernel.
   */
  static void map(Tensor out, java.util.function.DoubleBinaryOperator f, Tensor a, Tensor b) {
    if (out.numel == 0) return;
    ElementKernels ko = out.kernels(), ka = a.kernels(), kb = b.kernels();
    StridedLoop loop = StridedLoop.of(out.shape, out, a, b);
    long so = loop.innerStrides[0], sa = loop.innerStrides[1], sb = loop.innerStrides[2];
    Parallel.forRows(loop.rows, loop.inner * 4, (from, to) -> loop.run(from, to, off -> {
      long o = off[0], i = off[1], j = off[2];
      for (long e = 0; e < loop.inner; e++, o += so, i += sa, j += sb) {
        ko.set(out.seg(), o, f.applyAsDouble(ka.get(a.seg(), i), kb.get(b.seg(), j)));
      }
    }));
  }

  /**
   * Whether {@code x} shares memory with {@code out} in another layout (a strided view of the tensor written in
   * place, which PyTorch's overlap check lets through as too hard to tell): then the result depends on the order of
   * reads and writes.
   */
  private static boolean overlapsOtherwise(Tensor x, Tensor out) {
    if (x == out || x.storage != out.storage || x.numel == 0) return false;
    if (x.offset == out.offset && Arrays.equals(x.shape, out.shape) && Arrays.equals(x.strides, out.strides)) {
      return false;
    }
    return x.offset <= last(out) && out.offset <= last(x);
  }

  private static long last(Tensor t) {
    long end = t.offset;
    for (int i = 0; i < t.shape.length; i++) end += (t.shape[i] - 1) * t.strides[i];
    return end;
  }

  /**
   * {@code out = a op b} in PyTorch's order of reads and writes (cpu_kernel_vec over TensorIterator's rows, the
   * written tensor's memory order), for an operand that is a view of the written tensor: where a row's operands are
   * contiguous, or one is a broadcast value and the others contiguous, its first {@code 2 * lanes} multiples run
   * vectorized, the broadcast value read once at the row's start; every other element reads its operands just
   * before it is written, so it sees the elements written before it (program 7086964 of the long fuzz profile).
   */
  private static void elementByElement(BinaryOp op, Tensor a, Tensor b, Tensor out, boolean floating) {
    ElementKernels k = out.kernels(), ka = a.kernels(), kb = b.kernels();
    StridedLoop loop = StridedLoop.of(out.shape, out, a, b);
    long so = loop.innerStrides[0], sa = loop.innerStrides[1], sb = loop.innerStrides[2];
    boolean vectorized = so == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0) && !(sa == 0 && sb == 0);
    long chunk = 2L * (out.dtype == DType.FLOAT32 ? 8 : 4);   // AVX2 lanes: 8 float, 4 double or int64
    long body = vectorized ? loop.inner / chunk * chunk : 0;
    loop.run(0, loop.rows, off -> {
      long o = off[0], i = off[1], j = off[2];
      double fa = floating ? ka.get(a.seg(), i) : 0, fb = floating ? kb.get(b.seg(), j) : 0;
      long la = floating ? 0 : ka.getLong(a.seg(), i), lb = floating ? 0 : kb.getLong(b.seg(), j);
      for (long e = 0; e < loop.inner; e++, o += so, i += sa, j += sb) {
        boolean once = e < body;   // a broadcast operand keeps the value read at the row's start
        if (floating) {
          double x = once && sa == 0 ? fa : ka.get(a.seg(), i), y = once && sb == 0 ? fb : kb.get(b.seg(), j);
          k.set(out.seg(), o, op.apply(x, y));
        } else {
          long x = once && sa == 0 ? la : ka.getLong(a.seg(), i), y = once && sb == 0 ? lb : kb.getLong(b.seg(), j);
          k.setLong(out.seg(), o, switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> throw new IllegalStateException("integer division is true division (float)");
          });
        }
      }
    });
  }

  /** {@code out[i] = f(a[i])} in double precision, as {@link #map(Tensor, java.util.function.DoubleBinaryOperator, Tensor, Tensor)}. */
  static void map(Tensor out, java.util.function.DoubleUnaryOperator f, Tensor a) {
    map(out, (x, unused) -> f.applyAsDouble(x), a, a);
  }

  // ------------------------------------------------------------------ conversion and sums

  /** {@code dst = src} (broadcast) converted to {@code dst}'s dtype as PyTorch's casts convert. */
  static void convert(Tensor src, Tensor dst) {
    if (dst.numel == 0) return;
    ElementKernels from = src.kernels(), to = dst.kernels();
    StridedLoop loop = StridedLoop.of(dst.shape, dst, src);
    long sd = loop.innerStrides[0], ss = loop.innerStrides[1];
    MemorySegment s = src.seg(), d = dst.seg();
    loop.run(0, loop.rows, off -> convertRun(from, to, src.dtype, dst.dtype, s, off[1], ss, d, off[0], sd, loop.inner));
  }

  /**
   * The common casts over contiguous runs, with the position as one index: C2 compiles these 5-8x
   * faster than the loops that step both addresses by a stride it cannot see (65,536 bools to float:
   * 20-27 against 120-280 us). False for other casts.
   */
  private static boolean convertContiguous(DType srcType, DType dstType, MemorySegment s, long si, MemorySegment d,
                                           long di, long n) {
    if (srcType == DType.FLOAT32 && dstType == DType.FLOAT64) {
      for (long i = 0; i < n; i++) {
        d.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, di + i, s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, si + i));
      }
    } else if (srcType == DType.FLOAT64 && dstType == DType.FLOAT32) {
      for (long i = 0; i < n; i++) {
        d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, di + i, (float) s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, si + i));
      }
    } else if (srcType == DType.BOOL && dstType == DType.FLOAT32) {
      for (long i = 0; i < n; i++) {
        d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, di + i, s.get(ValueLayout.JAVA_BYTE, si + i) != 0 ? 1f : 0f);
      }
    } else {
      return false;
    }
    return true;
  }

  /**
   * {@code n} elements from {@code s} at {@code si} (step {@code ss}) converted from {@code srcType}
   * to {@code dstType} into {@code d} at {@code di} (step {@code sd}): the one conversion rule of
   * the casts, shared with fusion's per-block reads of operands of another dtype.
   */
  static void convertRun(ElementKernels from, ElementKernels to, DType srcType, DType dstType, MemorySegment s,
                         long si, long ss, MemorySegment d, long di, long sd, long n) {
    if (ss == 1 && sd == 1 && convertContiguous(srcType, dstType, s, si, d, di, n)) return;
    if (srcType == DType.FLOAT32 && dstType == DType.FLOAT64) {   // the common casts as typed loops: no interface call per element
      for (long i = 0; i < n; i++, di += sd, si += ss) {
        d.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, di, s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, si));
      }
    } else if (srcType == DType.FLOAT64 && dstType == DType.FLOAT32) {
      for (long i = 0; i < n; i++, di += sd, si += ss) {
        d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, di, (float) s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, si));
      }
    } else if (srcType == DType.BOOL && dstType == DType.FLOAT32) {   // a mask as 0/1 (where, masked arithmetic)
      for (long i = 0; i < n; i++, di += sd, si += ss) {
        d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, di, s.get(ValueLayout.JAVA_BYTE, si) != 0 ? 1f : 0f);
      }
    } else if (!srcType.isFloatingPoint() || dstType == DType.INT64) {
      boolean fromFloat = srcType.isFloatingPoint();
      for (long i = 0; i < n; i++, di += sd, si += ss) {
        to.setLong(d, di, fromFloat ? Casts.toInt64(from.get(s, si)) : from.getLong(s, si));
      }
    } else {
      for (long i = 0; i < n; i++, di += sd, si += ss) to.set(d, di, from.get(s, si));
    }
  }

  /**
   * The sum of a floating point tensor's elements: in PyTorch's order and rounding below
   * {@link ElementKernels#SHORT_SUM} elements, else in double (blocked vector sums per run).
   */
  static double sum(Tensor t) {
    if (t.numel == 0) return 0;
    if (t.pending != null) return Fusion.sum(t);   // reduces the pending chain without storing it
    ElementKernels k = t.kernels();
    if (t.contiguous) return k.sum(t.seg(), t.offset, t.numel);   // a short run: PyTorch's order
    if (SumOrder.applies(t)) return SumOrder.sumAll(t);
    StridedLoop loop = StridedLoop.of(t.shape, t);
    long step = loop.innerStrides[0];
    double[] total = {0};
    MemorySegment scratch = SCRATCH.get();
    loop.run(0, loop.rows, off -> {
      long n = loop.inner;
      if (step == 1) {
        total[0] += k.sum(t.seg(), off[0], n);
      } else if (step == 0) {
        total[0] += n * k.get(t.seg(), off[0]);
      } else {
        for (long c = 0; c < n; c += CHUNK) {
          long len = Math.min(CHUNK, n - c);
          k.copyStrided(t.seg(), off[0] + c * step, step, scratch, 0, 1, len);
          total[0] += k.sum(scratch, 0, len);
        }
      }
    });
    return total[0];
  }

  /** The exact sum of an int64 or bool tensor's elements (wrapping on overflow, as PyTorch). */
  static long sumLong(Tensor t) {
    if (t.numel == 0) return 0;
    ElementKernels k = t.kernels();
    long[] total = {0};
    StridedLoop.of(t.shape, t).forEachIndex(0, i -> total[0] += k.getLong(t.seg(), i));
    return total[0];
  }
}
