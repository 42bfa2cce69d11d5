package dev.vectorgrad;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_double;
import static java.lang.constant.ConstantDescs.CD_float;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;

import dev.vectorgrad.kernels.NativeSegments;
import dev.vectorgrad.kernels.UnaryOp;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.AccessFlag;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles a pending expression of binary ops into one Vector API loop (issue 10): a hidden class
 * per tree shape, cached, whose loop loads each operand vector once, applies the tree's ops in
 * registers and stores the result, so a chain reads its inputs and writes its output at memory
 * speed instead of running one kernel pass per op over a block in cache.
 *
 * <p>The loop is what the eager kernels' main loops are, nested: the same species (the kernels'
 * streaming width), the same {@code fromMemorySegment}/{@code add}/{@code sub}/{@code mul}/
 * {@code div}/{@code intoMemorySegment} calls, scalars broadcast from the same float (or double)
 * value. Each element therefore gets the same IEEE operations in the same order as in eager
 * execution, and the same bits. The loop covers the whole vectors of a range; the few tail
 * elements are left to {@link Fusion}'s block interpreter, which runs the eager kernels themselves.
 *
 * <p>Trees of binary ops and of the unary ops whose kernels run at the same width (relu, abs, sqrt,
 * clamp, ...; with 512-bit kernels all of them) compile, calling the kernels' own per-vector
 * formulas ({@code VectorFormulasFloat}, generated from the same table); a tree with another unary
 * op, or a maximum/minimum, runs in the block interpreter. Gathered operands (strided, other
 * dtypes) are streams like full ones: {@link Fusion} reads them per block into scratch and runs the
 * loop block by block. Float32 and float64 only, and only when the
 * Vector API kernels are the ones in use ({@code -Dvectorgrad.kernels=scalar} keeps the scalar
 * twins, which this loop would not match).
 */
final class FusionCompiler {
  private FusionCompiler() {}

  /** A compiled tree: computes {@code n} (a multiple of {@link #lanes}) elements into {@code out}. */
  interface Kernel {
    /**
     * {@code segs[j]} / {@code offs[j]}: the j-th streamed operand and the element offset of the
     * range's first element in it; {@code values[k]}: the k-th broadcast operand (a Python scalar
     * or one tensor value); {@code out} / {@code outOff}: where element 0 of the range goes.
     */
    void run(MemorySegment[] segs, long[] offs, double[] values, MemorySegment out, long outOff, long n);

    /**
     * The vector part of the kernels' block sum of the tree's values over {@code n} elements (a
     * multiple of the lanes, at most a sum block): eight accumulators, then one, combined and
     * their lanes added in double, exactly as {@code blockSum} does it over the stored values.
     * The caller adds the tail elements in double after it, as {@code blockSum} does. Only for
     * the trees {@link #sumsInRegisters} accepts (the loop body is the tree nine times).
     */
    double sumBlock(MemorySegment[] segs, long[] offs, double[] values, long n);
  }

  /** The largest tree whose sum is compiled ({@link Kernel#sumBlock}); larger ones store, then sum. */
  static final int SUM_OPS = 8;

  /**
   * Whether {@code root}'s compiled kernel sums in registers: at most {@link #SUM_OPS} binary ops.
   * Not with unary formulas: called nine times in the unrolled loop, C2 stopped inlining them
   * (a relu chain's sum at 1M elements took 1.8 ms instead of 0.3), and a vector passed to a call
   * that is not inlined is boxed.
   */
  static boolean sumsInRegisters(Fusion.Computed root) {
    return root.ops() <= SUM_OPS && binaryOnly(root);
  }

  /**
   * Binary ops over full and broadcast-value operands only (a row's column counter would wrap in
   * the unrolled body; a gathered operand is read per block of the interpreter's size, smaller
   * than a sum block).
   */
  private static boolean binaryOnly(Object e) {
    if (e instanceof Fusion.Op op) return binaryOnly(op.a) && binaryOnly(op.b);
    return e instanceof Fusion.Scalar || e instanceof Fusion.Leaf l && l.inner == 0 && l.gather == null;
  }

  private static final ClassDesc CD_MEMORY_SEGMENT = ClassDesc.of("java.lang.foreign.MemorySegment");
  private static final ClassDesc CD_BYTE_ORDER = ClassDesc.of("java.nio.ByteOrder");
  private static final ClassDesc CD_VECTOR = ClassDesc.of("jdk.incubator.vector.Vector");
  private static final ClassDesc CD_SPECIES = ClassDesc.of("jdk.incubator.vector.VectorSpecies");
  private static final ClassDesc CD_KERNEL = ClassDesc.of(Kernel.class.getName());
  private static final ClassDesc CD_CLASS = ClassDesc.of("java.lang.Class");
  private static final ClassDesc CD_NATIVE_SEGMENTS = ClassDesc.of(NativeSegments.class.getName());
  private static final MethodTypeDesc RUN = MethodTypeDesc.of(CD_void, CD_MEMORY_SEGMENT.arrayType(),
      CD_long.arrayType(), CD_double.arrayType(), CD_MEMORY_SEGMENT, CD_long, CD_long);
  private static final MethodTypeDesc SUM_BLOCK = MethodTypeDesc.of(CD_double, CD_MEMORY_SEGMENT.arrayType(),
      CD_long.arrayType(), CD_double.arrayType(), CD_long);
  private static final Map<Shape, Kernel> CACHE_F32 = new ConcurrentHashMap<>(), CACHE_F64 = new ConcurrentHashMap<>();
  /** Compiled tree shapes kept at most (each a small hidden class, never unloaded while cached). */
  static final int MAX_KERNELS = 4096;

  /** The streaming vector width of the kernels in use, or 0 when they are not the Vector API ones. */
  private static final int BITS = dev.vectorgrad.kernels.Kernels.vectorBits();

  /** Whether trees compile at all here (Vector API kernels, at a width the loop can name). */
  static boolean available() {
    return BITS == 128 || BITS == 256 || BITS == 512;
  }

  /** Elements per vector of {@code dtype} in the compiled loops. */
  static int lanes(DType dtype) {
    return BITS / 8 / dtype.byteSize();
  }

  /**
   * The compiled loop of {@code root} in {@code dtype}, or null when the tree cannot compile; its
   * operands are {@code root.shape}'s streams and broadcasts, in the order the loop takes them.
   */
  static Kernel compile(Fusion.Computed root, DType dtype) {
    Shape shape = root.shape;
    if (!available() || !shape.compiles || !dtype.isFloatingPoint()) return null;
    Map<Shape, Kernel> cache = dtype == DType.FLOAT32 ? CACHE_F32 : CACHE_F64;
    Kernel kernel = cache.get(shape);
    if (kernel != null) return kernel;
    // A program that makes ever new tree shapes must not fill the JVM with classes: past the cap its
    // new shapes run in the block interpreter.
    if (CACHE_F32.size() + CACHE_F64.size() >= MAX_KERNELS) return null;
    return cache.computeIfAbsent(shape, unused -> generate(root, dtype));
  }

  /**
   * A tree's shape, the key of the compiled-loop cache, with its operands: built with each node
   * from its operands' shapes (once per op, not per evaluation). The code is the tree in prefix
   * order: {@code OP ordinal}, {@code UNARY ordinal} (then its operand and two broadcast
   * parameters), {@code STREAM j} (the j-th distinct streamed tensor, in first-use order: one
   * tensor used twice is one stream), {@code ROW inner j}, {@code VALUE} (a broadcast value).
   */
  static final class Shape {
    private static final int OP = -1, UNARY = -2, STREAM = -3, ROW = -4, VALUE = -5;
    /** A tree that does not compile (a maximum, a unary op at another width, a row that vectors cross). */
    static final Shape NONE = new Shape(new int[0], new Fusion.Leaf[0], new Object[0], false);

    private final int[] code;
    private final int hash;
    final Fusion.Leaf[] streams;
    final Object[] broadcasts;
    final boolean compiles;

    private Shape(int[] code, Fusion.Leaf[] streams, Object[] broadcasts, boolean compiles) {
      this.code = code;
      this.hash = java.util.Arrays.hashCode(code);
      this.streams = streams;
      this.broadcasts = broadcasts;
      this.compiles = compiles;
    }

    /** The shape of an operand: a computed node's own, or a leaf's or scalar's. */
    static Shape of(Fusion.Expr e) {
      if (e instanceof Fusion.Computed c) return c.shape;
      if (!available()) return NONE;   // no loops to key (and no lanes)
      if (e instanceof Fusion.Leaf leaf && !leaf.one) {
        if (leaf.inner == 0) return new Shape(new int[] {STREAM, 0}, new Fusion.Leaf[] {leaf}, new Object[0], true);
        // compiled loops take one row repeated, of a length that no vector crosses; others: the interpreter
        if (!leaf.row || leaf.inner % lanes(leaf.t.dtype) != 0 || leaf.inner > Integer.MAX_VALUE) return NONE;
        return new Shape(new int[] {ROW, (int) leaf.inner, 0}, new Fusion.Leaf[] {leaf}, new Object[0], true);
      }
      return new Shape(new int[] {VALUE}, new Fusion.Leaf[0], new Object[] {e}, true);
    }

    /** {@code op(a, b)}: b's streams numbered after a's, a tensor both read being one stream. */
    static Shape binary(int ordinal, Shape a, Shape b) {
      if (!available() || !a.compiles || !b.compiles) return NONE;
      Fusion.Leaf[] streams = java.util.Arrays.copyOf(a.streams, a.streams.length + b.streams.length);
      int[] index = new int[b.streams.length];
      int n = a.streams.length;
      for (int j = 0; j < b.streams.length; j++) {
        int found = -1;
        for (int i = 0; i < n && found < 0; i++) if (streams[i].t == b.streams[j].t) found = i;
        if (found < 0) streams[found = n++] = b.streams[j];
        index[j] = found;
      }
      int[] code = new int[2 + a.code.length + b.code.length];
      code[0] = OP;
      code[1] = ordinal;
      System.arraycopy(a.code, 0, code, 2, a.code.length);
      int at = 2 + a.code.length;
      for (int i = 0; i < b.code.length; ) {   // b's code with its streams renumbered
        int token = b.code[i];
        code[at + i] = token;
        switch (token) {
          case OP, UNARY -> {
            code[at + i + 1] = b.code[i + 1];
            i += 2;
          }
          case STREAM -> {
            code[at + i + 1] = index[b.code[i + 1]];
            i += 2;
          }
          case ROW -> {
            code[at + i + 1] = b.code[i + 1];
            code[at + i + 2] = index[b.code[i + 2]];
            i += 3;
          }
          default -> i++;   // VALUE
        }
      }
      Object[] broadcasts = java.util.Arrays.copyOf(a.broadcasts, a.broadcasts.length + b.broadcasts.length);
      System.arraycopy(b.broadcasts, 0, broadcasts, a.broadcasts.length, b.broadcasts.length);
      return new Shape(code, java.util.Arrays.copyOf(streams, n), broadcasts, true);
    }

    /** A unary op of {@code a}: its parameters are two broadcast values after a's. */
    static Shape unary(UnaryOp op, double p1, double p2, Shape a) {
      if (!available() || !a.compiles || !formulaCalled(op)) return NONE;
      int[] code = new int[4 + a.code.length];
      code[0] = UNARY;
      code[1] = op.ordinal();
      System.arraycopy(a.code, 0, code, 2, a.code.length);
      code[code.length - 2] = VALUE;
      code[code.length - 1] = VALUE;
      Object[] broadcasts = java.util.Arrays.copyOf(a.broadcasts, a.broadcasts.length + 2);
      broadcasts[a.broadcasts.length] = p1;   // broadcast once before the loop, as the op's kernel does
      broadcasts[a.broadcasts.length + 1] = p2;
      return new Shape(code, a.streams, broadcasts, true);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Shape s && s.hash == hash && java.util.Arrays.equals(s.code, code);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** Whether a compiled loop can call {@code op}'s vector formula: its kernel runs at the loop's width. */
  private static boolean formulaCalled(UnaryOp op) {
    return dev.vectorgrad.kernels.VectorFormulasFloat.streaming(op);
  }

  /** The formula's method name: the generator's camel case of the op's name ({@code LEAKY_RELU} -> leakyRelu). */
  private static String formulaName(UnaryOp op) {
    StringBuilder camel = new StringBuilder();
    for (String part : op.name().toLowerCase(java.util.Locale.ROOT).split("_")) {
      camel.append(camel.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    return camel.toString();
  }

  // ------------------------------------------------------------------ code generation

  private static Kernel generate(Fusion.Computed root, DType dtype) {
    boolean f32 = dtype == DType.FLOAT32;
    Types t = new Types(f32 ? "FloatVector" : "DoubleVector", f32 ? 4 : 8, f32);
    ClassDesc self = ClassDesc.of(FusionCompiler.class.getPackageName() + ".FusedKernel");
    byte[] bytes = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.ofClassLoading(FusionCompiler.class.getClassLoader())))
        .build(self, cb -> {
          cb.withFlags(AccessFlag.FINAL, AccessFlag.SUPER);
          cb.withInterfaceSymbols(CD_KERNEL);
          cb.withField("ORDER", CD_BYTE_ORDER, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL);
          cb.withMethodBody("<clinit>", MTD_void, ClassFile.ACC_STATIC, code -> {
            code.invokestatic(CD_BYTE_ORDER, "nativeOrder", MethodTypeDesc.of(CD_BYTE_ORDER));
            code.putstatic(self, "ORDER", CD_BYTE_ORDER);
            code.return_();
          });
          cb.withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC, code -> {
            code.aload(0);
            code.invokespecial(CD_Object, INIT_NAME, MTD_void);
            code.return_();
          });
          // run and sumBlock check that their segments are plain native ones (NativeSegments) and
          // give other segments to the unchecked copies runAny and sumBlockAny
          for (boolean guarded : new boolean[] {true, false}) {
            cb.withMethodBody(guarded ? "run" : "runAny", RUN, access(guarded),
                code -> new Loop(code, self, t, Loop.N, guarded).emit(root));
            cb.withMethodBody(guarded ? "sumBlock" : "sumBlockAny", SUM_BLOCK, access(guarded), code -> {
              if (sumsInRegisters(root)) {
                new Loop(code, self, t, Loop.SUM_N, guarded).emitSum(root);
              } else {
                code.new_(ClassDesc.of("java.lang.UnsupportedOperationException")).dup()
                    .invokespecial(ClassDesc.of("java.lang.UnsupportedOperationException"), INIT_NAME, MTD_void).athrow();
              }
            });
          }
        });
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
      return (Kernel) lookup.findConstructor(lookup.lookupClass(), java.lang.invoke.MethodType.methodType(void.class))
          .invoke();
    } catch (Throwable e) {
      throw new IllegalStateException("vectorgrad: could not define a fused kernel", e);
    }
  }

  /** The checked methods are the kernel's interface; their unchecked copies are private. */
  private static int access(boolean guarded) {
    return (guarded ? ClassFile.ACC_PUBLIC : ClassFile.ACC_PRIVATE) | ClassFile.ACC_FINAL;
  }

  /** The vector class, element size and scalar kind of one dtype. */
  private record Types(ClassDesc vector, ClassDesc formulas, int bytes, boolean f32) {
    Types(String vector, int bytes, boolean f32) {
      this(ClassDesc.of("jdk.incubator.vector." + vector),
          ClassDesc.of("dev.vectorgrad.kernels.VectorFormulas" + (f32 ? "Float" : "Double")), bytes, f32);
    }

    String speciesField() {
      return "SPECIES_" + BITS;
    }
  }

  /** Emits the body of {@code run}: operand set-up, the vector loop, return. */
  private static final class Loop {
    private static final int SEGS = 1, OFFS = 2, VALUES = 3, OUT = 4, OUT_OFF = 5, N = 7, SUM_N = 4;
    private final CodeBuilder code;
    private final ClassDesc self;
    private final Types t;
    private final int n;
    private final int lanes;
    private final List<Integer> segSlots = new ArrayList<>();
    private final List<Integer> offSlots = new ArrayList<>();
    private final List<Integer> broadcastSlots = new ArrayList<>();
    /** Per streamed operand: the row length of a row operand, 0 for a full one. */
    private final List<Long> inners = new ArrayList<>();
    private int i;
    /** The slot of the element index where the current row starts ({@link #emitByRows}), or -1. */
    private int rowStart = -1;
    /** Elements added to {@code i} by the vector being emitted (the unrolled sum's k * lanes). */
    private long plus;

    /** Whether the method checks its segments first ({@link NativeSegments}) and calls its {@code Any} copy if one is not plain native. */
    private final boolean guarded;

    Loop(CodeBuilder code, ClassDesc self, Types t, int n, boolean guarded) {
      this.code = code;
      this.guarded = guarded;
      this.self = self;
      this.t = t;
      this.n = n;
      this.lanes = BITS / 8 / t.bytes;
    }

    void emit(Fusion.Computed root) {
      prologue(root);
      int outB = code.allocateLocal(TypeKind.LONG);
      code.lload(OUT_OFF).loadConstant((long) t.bytes).lmul().lstore(outB);
      i = code.allocateLocal(TypeKind.LONG);
      code.loadConstant(0L).lstore(i);
      long rows = commonInner();
      if (rows > 0) {
        emitByRows(root, outB, rows);
        return;
      }
      Label loop = code.newLabel(), end = code.newLabel();
      code.labelBinding(loop);
      code.lload(i).lload(n).lcmp().ifge(end);
      store(root, outB);
      for (int j = 0; j < inners.size(); j++) {   // rows: next column, back to 0 at the row's end
        long inner = inners.get(j);
        if (inner == 0) continue;
        Label same = code.newLabel();
        int col = offSlots.get(j);
        code.lload(col).loadConstant((long) lanes).ladd().lstore(col);
        code.lload(col).loadConstant(inner).lcmp().ifne(same);
        code.loadConstant(0L).lstore(col);
        code.labelBinding(same);
      }
      code.goto_(loop);
      code.labelBinding(end);
      code.return_();
    }

    /**
     * The loop when every row operand repeats rows of the same length: one inner loop per row (the
     * first from the range's column), in which each row operand is read at {@code i - rowStart}. The
     * JIT sees every address as linear in {@code i} and hoists the bounds checks out of the inner
     * loop, which a column that wraps inside the loop (the general form) keeps it from doing.
     */
    private void emitByRows(Fusion.Computed root, int outB, long inner) {
      int col = offSlots.get(inners.indexOf(inner));   // every row operand is at the same column
      int stop = code.allocateLocal(TypeKind.LONG);
      rowStart = code.allocateLocal(TypeKind.LONG);
      Label outer = code.newLabel(), loop = code.newLabel(), next = code.newLabel(), end = code.newLabel();
      code.labelBinding(outer);
      code.lload(i).lload(n).lcmp().ifge(end);
      // stop = min(n, i + inner - col); rowStart = i - col
      code.lload(n).lload(i).loadConstant(inner).ladd().lload(col).lsub();
      code.invokestatic(ClassDesc.of("java.lang.Math"), "min", MethodTypeDesc.of(CD_long, CD_long, CD_long));
      code.lstore(stop);
      code.lload(i).lload(col).lsub().lstore(rowStart);
      code.labelBinding(loop);
      code.lload(i).lload(stop).lcmp().ifge(next);
      store(root, outB);
      code.goto_(loop);
      code.labelBinding(next);
      code.loadConstant(0L).lstore(col);
      code.goto_(outer);
      code.labelBinding(end);
      code.return_();
    }

    /** Computes the tree's vector at {@code i}, stores it into the output and steps {@code i}. */
    private void store(Fusion.Computed root, int outB) {
      value(root, 0);
      code.aload(OUT).lload(outB).lload(i).loadConstant((long) t.bytes).lmul().ladd();
      code.getstatic(self, "ORDER", CD_BYTE_ORDER);
      code.invokevirtual(t.vector, "intoMemorySegment", MethodTypeDesc.of(CD_void, CD_MEMORY_SEGMENT, CD_long, CD_BYTE_ORDER));
      code.lload(i).loadConstant((long) lanes).ladd().lstore(i);
    }

    /** The row length shared by every row operand; 0 without row operands or when their lengths differ. */
    private long commonInner() {
      long inner = 0;
      for (long r : inners) {
        if (r == 0) continue;
        if (inner != 0 && r != inner) return 0;
        inner = r;
      }
      return inner;
    }

    /** The body of sumBlock: blockSum's loops and combination over the tree's vectors. */
    void emitSum(Fusion.Computed root) {
      prologue(root);
      int[] acc = new int[8];
      for (int k = 0; k < 8; k++) {
        acc[k] = code.allocateLocal(TypeKind.REFERENCE);
        species();
        code.invokestatic(t.vector, "zero", MethodTypeDesc.of(t.vector, CD_SPECIES)).astore(acc[k]);
      }
      i = code.allocateLocal(TypeKind.LONG);
      code.loadConstant(0L).lstore(i);
      int bound8 = code.allocateLocal(TypeKind.LONG);
      code.lload(n).lload(n).loadConstant(8L * lanes).lrem().lsub().lstore(bound8);
      Label loop8 = code.newLabel(), end8 = code.newLabel(), loop1 = code.newLabel(), end1 = code.newLabel();
      code.labelBinding(loop8);
      code.lload(i).lload(bound8).lcmp().ifge(end8);
      for (int k = 0; k < 8; k++) {
        code.aload(acc[k]);
        value(root, (long) k * lanes);
        code.invokevirtual(t.vector, "add", MethodTypeDesc.of(t.vector, CD_VECTOR)).astore(acc[k]);
      }
      code.lload(i).loadConstant(8L * lanes).ladd().lstore(i);
      code.goto_(loop8);
      code.labelBinding(end8);
      code.labelBinding(loop1);
      code.lload(i).lload(n).lcmp().ifge(end1);
      code.aload(acc[0]);
      value(root, 0);
      code.invokevirtual(t.vector, "add", MethodTypeDesc.of(t.vector, CD_VECTOR)).astore(acc[0]);
      code.lload(i).loadConstant((long) lanes).ladd().lstore(i);
      code.goto_(loop1);
      code.labelBinding(end1);
      // acc0.add(acc1).add(acc2.add(acc3)).add(acc4.add(acc5).add(acc6.add(acc7)))
      MethodTypeDesc add = MethodTypeDesc.of(t.vector, CD_VECTOR);
      code.aload(acc[0]).aload(acc[1]).invokevirtual(t.vector, "add", add);
      code.aload(acc[2]).aload(acc[3]).invokevirtual(t.vector, "add", add).invokevirtual(t.vector, "add", add);
      code.aload(acc[4]).aload(acc[5]).invokevirtual(t.vector, "add", add);
      code.aload(acc[6]).aload(acc[7]).invokevirtual(t.vector, "add", add).invokevirtual(t.vector, "add", add);
      code.invokevirtual(t.vector, "add", add);
      int total = code.allocateLocal(TypeKind.REFERENCE), sum = code.allocateLocal(TypeKind.DOUBLE);
      code.astore(total).loadConstant(0.0).dstore(sum);
      for (int lane = 0; lane < lanes; lane++) {   // s += total.lane(lane), lane by lane in double
        code.dload(sum).aload(total).loadConstant(lane);
        code.invokevirtual(t.vector, "lane", MethodTypeDesc.of(t.f32 ? CD_float : CD_double, java.lang.constant.ConstantDescs.CD_int));
        if (t.f32) code.f2d();
        code.dadd().dstore(sum);
      }
      code.dload(sum).dreturn();
    }

    /** Loads the streamed operands' segments and byte offsets and broadcasts the scalar operands. */
    private void prologue(Fusion.Computed root) {
      List<Fusion.Leaf> streams = List.of(root.shape.streams);
      Object[] broadcasts = root.shape.broadcasts;
      for (int j = 0; j < streams.size(); j++) {
        int seg = code.allocateLocal(TypeKind.REFERENCE), off = code.allocateLocal(TypeKind.LONG);
        code.aload(SEGS).loadConstant(j).aaload().astore(seg);
        code.aload(OFFS).loadConstant(j).laload();
        // a full operand: its byte offset; a row: its current column (the segment starts at the row)
        if (streams.get(j).inner == 0) code.loadConstant((long) t.bytes).lmul();
        code.lstore(off);
        segSlots.add(seg);
        offSlots.add(off);
        inners.add(streams.get(j).inner);
      }
      for (int k = 0; k < broadcasts.length; k++) {
        int slot = code.allocateLocal(TypeKind.REFERENCE);
        species();
        code.aload(VALUES).loadConstant(k).daload();
        if (t.f32) code.d2f();
        code.invokestatic(t.vector, "broadcast", MethodTypeDesc.of(t.vector, CD_SPECIES, t.f32 ? CD_float : CD_double));
        code.astore(slot);
        broadcastSlots.add(slot);
      }
      if (guarded) checkSegments();
    }

    /**
     * Goes on if every segment (the streams', and run's output) is a plain native one; else returns
     * what the method's unchecked copy ({@code runAny}, {@code sumBlockAny}) returns. See NativeSegments.
     */
    private void checkSegments() {
      Label other = code.newLabel(), checked = code.newLabel();
      List<Integer> slots = new ArrayList<>(segSlots);
      if (n == N) slots.add(OUT);
      for (int slot : slots) {
        code.aload(slot).invokevirtual(CD_Object, "getClass", MethodTypeDesc.of(CD_CLASS));
        code.getstatic(CD_NATIVE_SEGMENTS, "NATIVE", CD_CLASS);
        code.if_acmpne(other);
      }
      code.goto_(checked);
      code.labelBinding(other);
      code.aload(0).aload(SEGS).aload(OFFS).aload(VALUES);
      if (n == N) {
        code.aload(OUT).lload(OUT_OFF).lload(N).invokevirtual(self, "runAny", RUN).return_();
      } else {
        code.lload(SUM_N).invokevirtual(self, "sumBlockAny", SUM_BLOCK).dreturn();
      }
      code.labelBinding(checked);
    }

    /** Pushes the tree's vector at element {@code i + plus}. */
    private void value(Fusion.Computed root, long plus) {
      this.plus = plus;
      vector(root, new int[] {0, 0}, new IdentityHashMap<>());
    }

    private void species() {
      code.getstatic(t.vector, t.speciesField(), CD_SPECIES);
    }

    /** Pushes the vector of {@code e} at element {@code i}; operands numbered as {@link #shape} numbers them. */
    private void vector(Object e, int[] counters, Map<Tensor, Integer> streamIndex) {
      if (e instanceof Fusion.Op op) {
        vector(op.a, counters, streamIndex);
        vector(op.b, counters, streamIndex);
        String name = switch (op.op) {
          case ADD -> "add";
          case SUB -> "sub";
          case MUL -> "mul";
          case DIV -> "div";
        };
        code.invokevirtual(t.vector, name, MethodTypeDesc.of(t.vector, CD_VECTOR));
      } else if (e instanceof Fusion.Map map) {
        vector(map.a, counters, streamIndex);
        code.aload(broadcastSlots.get(counters[1]++));
        code.aload(broadcastSlots.get(counters[1]++));
        code.invokestatic(t.formulas, formulaName(map.op), MethodTypeDesc.of(t.vector, t.vector, t.vector, t.vector));
      } else if (e instanceof Fusion.Leaf leaf && !leaf.one) {
        Integer j = streamIndex.get(leaf.t);
        if (j == null) streamIndex.put(leaf.t, j = counters[0]++);
        species();
        if (leaf.inner > 0 && rowStart >= 0) {   // a row, read row by row: at i - rowStart
          code.aload(segSlots.get(j)).lload(i).lload(rowStart).lsub();
          if (plus != 0) code.loadConstant(plus).ladd();
          code.loadConstant((long) t.bytes).lmul();
        } else if (leaf.inner > 0) {   // a row: at its column
          code.aload(segSlots.get(j)).lload(offSlots.get(j)).loadConstant((long) t.bytes).lmul();
        } else {
          code.aload(segSlots.get(j)).lload(offSlots.get(j)).lload(i);
          if (plus != 0) code.loadConstant(plus).ladd();
          code.loadConstant((long) t.bytes).lmul().ladd();
        }
        code.getstatic(self, "ORDER", CD_BYTE_ORDER);
        code.invokestatic(t.vector, "fromMemorySegment",
            MethodTypeDesc.of(t.vector, CD_SPECIES, CD_MEMORY_SEGMENT, CD_long, CD_BYTE_ORDER));
      } else {
        code.aload(broadcastSlots.get(counters[1]++));
      }
    }
  }

}
