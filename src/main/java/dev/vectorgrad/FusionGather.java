package dev.vectorgrad;

import dev.vectorgrad.kernels.ElementKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An operand of a pending expression that is read block by block into scratch (issue 10): a
 * strided view (transposed, permuted, sliced with a step, expanded, rows too short to be read row by
 * row) and/or a tensor of another dtype than the expression's, converted as PyTorch's casts convert
 * ({@link Elementwise#convertRun}, the eager path's own conversion). The eager op would first copy
 * such an operand into a contiguous tensor of the output's dtype, or gather it per row; reading it
 * per block gives every element the same value without that pass.
 *
 * <p>The operand's strides over the output's dims are coalesced (dims of size 1 dropped, neighbours
 * that step as one dim merged), so a block is read in runs along the last coalesced dim. A
 * transposed operand (the last two coalesced dims stepping 1 and {@code s > 1}) would touch a new
 * cache line per element that way; it is read by tiles instead ({@link ElementKernels#transposeTile},
 * as the eager transposed path does) into a per-thread buffer of whole output rows that the blocks
 * then copy from.
 */
final class FusionGather {
  /** Elements of a transposed operand's row buffer (whole output rows of up to 64 tiles' height). */
  private static final long TILE_ELEMENTS = 16_384;
  private static final int TILE = 64;
  private static final ThreadLocal<List<MemorySegment>> BUFFERS = ThreadLocal.withInitial(ArrayList::new);

  final Tensor t;
  private final DType to;
  /** The coalesced output dims (outermost first) and the operand's element strides over them. */
  private final long[] dims;
  private final long[] strides;
  /** Output rows per tile buffer of a transposed operand, or 0 when it is read in runs. */
  private final int tileRows;

  private FusionGather(Tensor t, DType to, long[] dims, long[] strides) {
    this.t = t;
    this.to = to;
    this.dims = dims;
    this.strides = strides;
    int nd = dims.length;
    long c = dims[nd - 1];
    boolean transposed = nd >= 2 && t.dtype == to && strides[nd - 2] == 1 && strides[nd - 1] > 1
        && dims[nd - 2] >= 2 && c >= 2 && c <= TILE_ELEMENTS / 4;
    this.tileRows = transposed ? (int) Math.min(TILE, TILE_ELEMENTS / c) : 0;
  }

  /** {@code t} broadcast to an output of {@code shape} and read as {@code to}. */
  static FusionGather of(Tensor t, long[] shape, DType to) {
    int nd = shape.length, td = t.shape.length;
    long[] dims = new long[Math.max(nd, 1)], strides = new long[dims.length];
    int n = 0;
    for (int d = 0; d < nd; d++) {
      if (shape[d] == 1) continue;   // a dim of one element: no step
      int e = d - (nd - td);
      long stride = e < 0 || t.shape[e] == 1 ? 0 : t.strides[e];
      if (n > 0 && strides[n - 1] == stride * shape[d]) {   // steps as one dim with the previous one
        dims[n - 1] *= shape[d];
        strides[n - 1] = stride;
      } else {
        dims[n] = shape[d];
        strides[n++] = stride;
      }
    }
    if (n == 0) {   // one element
      dims[0] = 1;
      n = 1;
    }
    return new FusionGather(t, to, java.util.Arrays.copyOf(dims, n), java.util.Arrays.copyOf(strides, n));
  }

  /** Elements {@code [i, i + len)} of the operand, in the output's order and dtype, into {@code dst} at {@code at}. */
  void read(Fusion.Ctx c, long i, long len, MemorySegment dst, long at) {
    int nd = dims.length;
    long inner = dims[nd - 1], step = strides[nd - 1];
    MemorySegment src = t.rawSeg();
    Tiles tiles = tileRows > 0 ? c.tiles(this) : null;
    for (long p = 0; p < len; ) {
      long pos = i + p, row = pos / inner, col = pos % inner, m = Math.min(len - p, inner - col);
      if (tiles != null) {
        if (row < tiles.first || row >= tiles.first + tiles.rows) fill(c.k, tiles, row);
        c.k.copy(tiles.buffer, (row - tiles.first) * inner + col, dst, at + p, m);
      } else if (t.dtype != to) {
        Elementwise.convertRun(c.kernels(t.dtype), c.k, t.dtype, to, src, offset(row, nd - 1) + col * step, step,
            dst, at + p, 1, m);
      } else if (step == 1) {
        c.k.copy(src, offset(row, nd - 1) + col, dst, at + p, m);
      } else {
        c.k.copyStrided(src, offset(row, nd - 1) + col * step, step, dst, at + p, 1, m);
      }
      p += m;
    }
  }

  /** The element offset in {@code t} of index {@code index} over the first {@code count} coalesced dims. */
  private long offset(long index, int count) {
    long off = t.offset;
    for (int d = count - 1; d >= 0 && index > 0; d--) {
      off += (index % dims[d]) * strides[d];
      index /= dims[d];
    }
    return off;
  }

  /** Reads output rows from {@code row} on (within its group of the last-but-one dim) into the buffer by tiles. */
  private void fill(ElementKernels k, Tiles tiles, long row) {
    int nd = dims.length;
    long rowsPerGroup = dims[nd - 2], inner = dims[nd - 1], step = strides[nd - 1];
    long group = row / rowsPerGroup, within = row % rowsPerGroup;
    int rows = (int) Math.min(tileRows, rowsPerGroup - within);
    long base = offset(group, nd - 2) + within;   // the last-but-one dim steps 1
    for (long col = 0; col < inner; col += TILE) {
      int cols = (int) Math.min(TILE, inner - col);
      k.transposeTile(t.rawSeg(), base + col * step, step, tiles.buffer, col, inner, rows, cols);
    }
    tiles.first = row;
    tiles.rows = rows;
  }

  /** A thread's tile buffer for one transposed operand: which output rows it holds. */
  static final class Tiles {
    final FusionGather owner;
    final MemorySegment buffer;
    long first = -1;
    long rows;

    private Tiles(FusionGather owner, MemorySegment buffer) {
      this.owner = owner;
      this.buffer = buffer;
    }

    /** The {@code index}-th tile buffer of this thread (an evaluation's index-th transposed operand). */
    static Tiles take(FusionGather owner, int index) {
      List<MemorySegment> buffers = BUFFERS.get();
      while (buffers.size() <= index) buffers.add(Arena.ofAuto().allocate(TILE_ELEMENTS * 8, 64));
      return new Tiles(owner, buffers.get(index));
    }
  }
}
