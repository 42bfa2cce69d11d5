package dev.vectorgrad;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_double;
import static java.lang.constant.ConstantDescs.CD_float;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;

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
 * op runs in the block interpreter. Float32 and float64 only, and only when the
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
  private static final MethodTypeDesc RUN = MethodTypeDesc.of(CD_void, CD_MEMORY_SEGMENT.arrayType(),
      CD_long.arrayType(), CD_double.arrayType(), CD_MEMORY_SEGMENT, CD_long, CD_long);
  private static final MethodTypeDesc SUM_BLOCK = MethodTypeDesc.of(CD_double, CD_MEMORY_SEGMENT.arrayType(),
      CD_long.arrayType(), CD_double.arrayType(), CD_long);
  private static final Map<String, Kernel> CACHE = new ConcurrentHashMap<>();
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
   * The compiled loop of {@code root}, or null when the tree cannot compile; {@code streams} and
   * {@code broadcasts} receive its operands in the order the loop takes them.
   */
  static Kernel compile(Fusion.Computed root, DType dtype, List<Fusion.Leaf> streams, List<Object> broadcasts) {
    if (!available() || !dtype.isFloatingPoint()) return null;
    StringBuilder key = new StringBuilder(dtype.name()).append(':');
    Map<Tensor, Integer> streamIndex = new IdentityHashMap<>();
    if (!shape(root, key, streamIndex, streams, broadcasts, lanes(dtype))) return null;
    String k = key.toString();
    Kernel kernel = CACHE.get(k);
    if (kernel != null) return kernel;
    // A program that makes ever new tree shapes must not fill the JVM with classes: past the cap its
    // new shapes run in the block interpreter.
    if (CACHE.size() >= MAX_KERNELS) return null;
    return CACHE.computeIfAbsent(k, unused -> generate(root, dtype));
  }

  /** Appends the tree's shape to {@code key} and collects its operands; false if a node does not compile. */
  private static boolean shape(Object e, StringBuilder key, Map<Tensor, Integer> streamIndex,
                               List<Fusion.Leaf> streams, List<Object> broadcasts, int lanes) {
    if (e instanceof Fusion.Op op) {
      key.append(op.op.ordinal()).append('(');
      if (!shape(op.a, key, streamIndex, streams, broadcasts, lanes)) return false;
      key.append(',');
      if (!shape(op.b, key, streamIndex, streams, broadcasts, lanes)) return false;
      key.append(')');
      return true;
    }
    if (e instanceof Fusion.Leaf leaf && !leaf.one) {
      // compiled loops take one row repeated, of a length that no vector crosses; others: the interpreter
      if (leaf.inner > 0 && (!leaf.row || leaf.inner % lanes != 0)) return false;
      Integer j = streamIndex.get(leaf.t);
      if (j == null) {
        streamIndex.put(leaf.t, j = streams.size());
        streams.add(leaf);
      }
      key.append(leaf.inner > 0 ? "r" + leaf.inner + ":" : "s").append(j);
      return true;
    }
    if (e instanceof Fusion.Leaf || e instanceof Fusion.Scalar) {
      key.append('v').append(broadcasts.size());
      broadcasts.add(e);
      return true;
    }
    if (e instanceof Fusion.Map map && formulaCalled(map.op)) {
      key.append('u').append(map.op.ordinal()).append('(');
      if (!shape(map.a, key, streamIndex, streams, broadcasts, lanes)) return false;
      key.append(",v").append(broadcasts.size()).append(",v").append(broadcasts.size() + 1).append(')');
      broadcasts.add(map.p1);   // the op's parameters, broadcast once before the loop as its kernel does
      broadcasts.add(map.p2);
      return true;
    }
    return false;   // a unary op at another width than the loop's: the block interpreter runs the tree
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
          cb.withMethodBody("run", RUN, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
              code -> new Loop(code, self, t, Loop.N).emit(root));
          cb.withMethodBody("sumBlock", SUM_BLOCK, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, code -> {
            if (sumsInRegisters(root)) {
              new Loop(code, self, t, Loop.SUM_N).emitSum(root);
            } else {
              code.new_(ClassDesc.of("java.lang.UnsupportedOperationException")).dup()
                  .invokespecial(ClassDesc.of("java.lang.UnsupportedOperationException"), INIT_NAME, MTD_void).athrow();
            }
          });
        });
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
      return (Kernel) lookup.findConstructor(lookup.lookupClass(), java.lang.invoke.MethodType.methodType(void.class))
          .invoke();
    } catch (Throwable e) {
      throw new IllegalStateException("vectorgrad: could not define a fused kernel", e);
    }
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
    /** Elements added to {@code i} by the vector being emitted (the unrolled sum's k * lanes). */
    private long plus;

    Loop(CodeBuilder code, ClassDesc self, Types t, int n) {
      this.code = code;
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
      Label loop = code.newLabel(), end = code.newLabel();
      code.labelBinding(loop);
      code.lload(i).lload(n).lcmp().ifge(end);
      value(root, 0);
      code.aload(OUT).lload(outB).lload(i).loadConstant((long) t.bytes).lmul().ladd();
      code.getstatic(self, "ORDER", CD_BYTE_ORDER);
      code.invokevirtual(t.vector, "intoMemorySegment", MethodTypeDesc.of(CD_void, CD_MEMORY_SEGMENT, CD_long, CD_BYTE_ORDER));
      code.lload(i).loadConstant((long) lanes).ladd().lstore(i);
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
      List<Fusion.Leaf> streams = new ArrayList<>();
      List<Object> broadcasts = new ArrayList<>();
      shape(root, new StringBuilder(), new IdentityHashMap<>(), streams, broadcasts, lanes);
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
      for (int k = 0; k < broadcasts.size(); k++) {
        int slot = code.allocateLocal(TypeKind.REFERENCE);
        species();
        code.aload(VALUES).loadConstant(k).daload();
        if (t.f32) code.d2f();
        code.invokestatic(t.vector, "broadcast", MethodTypeDesc.of(t.vector, CD_SPECIES, t.f32 ? CD_float : CD_double));
        code.astore(slot);
        broadcastSlots.add(slot);
      }
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
        if (leaf.inner > 0) {   // a row: at its column
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
