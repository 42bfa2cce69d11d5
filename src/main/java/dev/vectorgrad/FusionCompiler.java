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
  }

  private static final ClassDesc CD_MEMORY_SEGMENT = ClassDesc.of("java.lang.foreign.MemorySegment");
  private static final ClassDesc CD_BYTE_ORDER = ClassDesc.of("java.nio.ByteOrder");
  private static final ClassDesc CD_VECTOR = ClassDesc.of("jdk.incubator.vector.Vector");
  private static final ClassDesc CD_SPECIES = ClassDesc.of("jdk.incubator.vector.VectorSpecies");
  private static final ClassDesc CD_KERNEL = ClassDesc.of(Kernel.class.getName());
  private static final MethodTypeDesc RUN = MethodTypeDesc.of(CD_void, CD_MEMORY_SEGMENT.arrayType(),
      CD_long.arrayType(), CD_double.arrayType(), CD_MEMORY_SEGMENT, CD_long, CD_long);
  private static final Map<String, Kernel> CACHE = new ConcurrentHashMap<>();

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
  static Kernel compile(Fusion.Computed root, DType dtype, List<Tensor> streams, List<Object> broadcasts) {
    if (!available() || !dtype.isFloatingPoint()) return null;
    StringBuilder key = new StringBuilder(dtype.name()).append(':');
    Map<Tensor, Integer> streamIndex = new IdentityHashMap<>();
    if (!shape(root, key, streamIndex, streams, broadcasts)) return null;
    return CACHE.computeIfAbsent(key.toString(), k -> generate(root, dtype));
  }

  /** Appends the tree's shape to {@code key} and collects its operands; false if a node does not compile. */
  private static boolean shape(Object e, StringBuilder key, Map<Tensor, Integer> streamIndex,
                               List<Tensor> streams, List<Object> broadcasts) {
    if (e instanceof Fusion.Op op) {
      key.append(op.op.ordinal()).append('(');
      if (!shape(op.a, key, streamIndex, streams, broadcasts)) return false;
      key.append(',');
      if (!shape(op.b, key, streamIndex, streams, broadcasts)) return false;
      key.append(')');
      return true;
    }
    if (e instanceof Fusion.Leaf leaf && !leaf.one) {
      Integer j = streamIndex.get(leaf.t);
      if (j == null) {
        streamIndex.put(leaf.t, j = streams.size());
        streams.add(leaf.t);
      }
      key.append('s').append(j);
      return true;
    }
    if (e instanceof Fusion.Leaf || e instanceof Fusion.Scalar) {
      key.append('v').append(broadcasts.size());
      broadcasts.add(e);
      return true;
    }
    if (e instanceof Fusion.Map map && formulaCalled(map.op)) {
      key.append('u').append(map.op.ordinal()).append('(');
      if (!shape(map.a, key, streamIndex, streams, broadcasts)) return false;
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
              code -> new Loop(code, self, t).emit(root));
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
    private static final int SEGS = 1, OFFS = 2, VALUES = 3, OUT = 4, OUT_OFF = 5, N = 7;
    private final CodeBuilder code;
    private final ClassDesc self;
    private final Types t;
    private final List<Integer> segSlots = new ArrayList<>();
    private final List<Integer> offSlots = new ArrayList<>();
    private final List<Integer> broadcastSlots = new ArrayList<>();
    private int i;

    Loop(CodeBuilder code, ClassDesc self, Types t) {
      this.code = code;
      this.self = self;
      this.t = t;
    }

    void emit(Fusion.Computed root) {
      List<Tensor> streams = new ArrayList<>();
      List<Object> broadcasts = new ArrayList<>();
      shape(root, new StringBuilder(), new IdentityHashMap<>(), streams, broadcasts);
      for (int j = 0; j < streams.size(); j++) {
        int seg = code.allocateLocal(TypeKind.REFERENCE), off = code.allocateLocal(TypeKind.LONG);
        code.aload(SEGS).loadConstant(j).aaload().astore(seg);
        code.aload(OFFS).loadConstant(j).laload().loadConstant((long) t.bytes).lmul().lstore(off);
        segSlots.add(seg);
        offSlots.add(off);
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
      int outB = code.allocateLocal(TypeKind.LONG);
      code.lload(OUT_OFF).loadConstant((long) t.bytes).lmul().lstore(outB);
      i = code.allocateLocal(TypeKind.LONG);
      code.loadConstant(0L).lstore(i);
      Label loop = code.newLabel(), end = code.newLabel();
      code.labelBinding(loop);
      code.lload(i).lload(N).lcmp().ifge(end);
      int[] counters = {0, 0};
      vector(root, counters, new IdentityHashMap<>());
      code.aload(OUT).lload(outB).lload(i).loadConstant((long) t.bytes).lmul().ladd();
      code.getstatic(self, "ORDER", CD_BYTE_ORDER);
      code.invokevirtual(t.vector, "intoMemorySegment", MethodTypeDesc.of(CD_void, CD_MEMORY_SEGMENT, CD_long, CD_BYTE_ORDER));
      code.lload(i).loadConstant((long) (BITS / 8 / t.bytes)).ladd().lstore(i);
      code.goto_(loop);
      code.labelBinding(end);
      code.return_();
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
        code.aload(segSlots.get(j)).lload(offSlots.get(j)).lload(i).loadConstant((long) t.bytes).lmul().ladd();
        code.getstatic(self, "ORDER", CD_BYTE_ORDER);
        code.invokestatic(t.vector, "fromMemorySegment",
            MethodTypeDesc.of(t.vector, CD_SPECIES, CD_MEMORY_SEGMENT, CD_long, CD_BYTE_ORDER));
      } else {
        code.aload(broadcastSlots.get(counters[1]++));
      }
    }
  }

}
