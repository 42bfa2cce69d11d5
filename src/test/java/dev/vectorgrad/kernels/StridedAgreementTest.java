package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernels give PyTorch's values on strided inputs: transposed, expanded (stride 0), sliced with
 * steps, and offset by slicing from the end, at odd sizes that leave every kind of vector tail.
 * Each op's result is compared with the same computation done element by element in plain Java
 * from the base arrays the views were made of (where each element of a view lies is worked out
 * here by hand, not read from the tensor): bit for bit for elementwise ops and casts, within a
 * size-scaled rounding bound for sums. The suite runs once with the Vector API kernels and once
 * with {@code -Dvectorgrad.kernels=scalar}, so agreeing with plain Java in both runs means the two
 * providers agree; the kernel-level gather/scatter ({@code copyStrided}) and the int64 kernels are
 * also compared provider against provider directly.
 */
class StridedAgreementTest {
  private static final long END = Long.MAX_VALUE;
  private static final long TWO_53 = 1L << 53;

  private static final long[][] SMALL_SHAPES = {
      {1}, {7}, {31}, {33}, {1000}, {1025},
      {17, 33}, {33, 17}, {1, 7}, {7, 1}, {65, 40},
      {3, 33, 40}, {5, 7, 9}};
  /** Above the parallel grain, so rows are split over threads; fewer cases run on it, to keep the class fast. */
  private static final long[] LARGE_SHAPE = {129, 513};
  private static final long[][] SHAPES = Stream.concat(Arrays.stream(SMALL_SHAPES), Stream.of(LARGE_SHAPE))
      .toArray(long[][]::new);
  /** Elements above which a shape is "large" (above the parallel grain: rows are split over threads). */
  private static final int LARGE = 50_000;
  /** For large shapes, only these layouts (by index in {@link #layouts}), to keep the class fast. */
  private static final List<Integer> LARGE_LAYOUTS = List.of(0, 1, 2, 3, 4, 5, 7, 8);

  private static KernelProvider vector;
  private static final KernelProvider SCALAR = new ScalarKernelProvider();

  @BeforeAll
  static void vectorApiIsUsable() {
    vector = VectorApi.provider();
  }

  // ============================================================================ layouts

  /**
   * A view made from a contiguous base of {@code baseShape}, and for each of the view's elements in
   * row-major order the index of the base element it shows.
   */
  record Layout(String name, long[] shape, long[] baseShape, UnaryOperator<Tensor> view, long[] positions) {
    int baseNumel() {
      return Math.toIntExact(Arrays.stream(baseShape).reduce(1, Math::multiplyExact));
    }

    /** Whether several elements show one base element (an expanded view: not writable). */
    boolean overlaps() {
      return Arrays.stream(positions).distinct().count() < positions.length;
    }

    /** Elements lie one after the other in the base: what {@code isContiguous()} must report. */
    boolean dense() {
      for (int k = 1; k < positions.length; k++) if (positions[k] != positions[0] + k) return false;
      return true;
    }

    /** The view of {@code base}, checked to have the shape, offset and contiguity worked out here. */
    Tensor of(Tensor base) {
      Tensor t = view.apply(base);
      assertArrayEquals(shape, t.shape(), name + ": shape");
      assertEquals(positions[0], t.storageOffset(), name + ": storage offset");
      assertEquals(dense(), t.isContiguous(), name + ": isContiguous " + Arrays.toString(t.stride()));
      return t;
    }

    @Override
    public String toString() {
      return name + " " + Arrays.toString(shape);
    }
  }

  private static Layout layout(String name, long[] shape, long[] baseShape, UnaryOperator<Tensor> view,
                               ToLongFunction<long[]> position) {
    int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
    long[] positions = new long[n];
    long[] idx = new long[shape.length];
    for (int k = 0; k < n; k++) {
      positions[k] = position.applyAsLong(idx);
      for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
    }
    return new Layout(name, shape, baseShape, view, positions);
  }

  /** The layouts tested for {@code shape}: all of them, or for a large shape the chosen few. */
  static List<Layout> layouts(long[] shape) {
    List<Layout> all = allLayouts(shape);
    if (Arrays.stream(shape).reduce(1, Math::multiplyExact) <= LARGE) return all;
    return LARGE_LAYOUTS.stream().map(all::get).toList();
  }

  /** Every way of laying out a tensor of {@code shape} that these tests use (1-D, 2-D or 3-D). */
  static List<Layout> allLayouts(long[] shape) {
    List<Layout> l = new ArrayList<>();
    switch (shape.length) {
      case 1 -> {
        long n = shape[0];
        l.add(layout("contiguous", shape, new long[] {n}, t -> t, i -> i[0]));
        l.add(layout("offset: slice(0, -n, end)", shape, new long[] {n + 5}, t -> t.slice(0, -n, END, 1), i -> 5 + i[0]));
        l.add(layout("step 3: slice(0, 2, end, 3)", shape, new long[] {3 * n + 2}, t -> t.slice(0, 2, END, 3),
            i -> 2 + 3 * i[0]));
        l.add(layout("step 2 from the end: slice(0, -2n, end, 2)", shape, new long[] {2 * n + 3},
            t -> t.slice(0, -2 * n, END, 2), i -> 3 + 2 * i[0]));
        l.add(layout("expanded: expand(n) of (1,)", shape, new long[] {1}, t -> t.expand(n), i -> 0));
        l.add(layout("column: t().select(0, 1) of (n, 3)", shape, new long[] {n, 3}, t -> t.t().select(0, 1),
            i -> 3 * i[0] + 1));
      }
      case 2 -> {
        long r = shape[0], c = shape[1];
        l.add(layout("contiguous", shape, new long[] {r, c}, t -> t, i -> i[0] * c + i[1]));
        l.add(layout("transposed: t() of (c, r)", shape, new long[] {c, r}, Tensor::t, i -> i[1] * r + i[0]));
        l.add(layout("rows expanded: expand of (1, c)", shape, new long[] {1, c}, t -> t.expand(r, c), i -> i[1]));
        l.add(layout("columns expanded: expand of (r, 1)", shape, new long[] {r, 1}, t -> t.expand(r, c), i -> i[0]));
        l.add(layout("one element expanded: expand of (1,)", shape, new long[] {1}, t -> t.expand(r, c), i -> 0));
        l.add(layout("step 2 along columns: slice(1, 1, end, 2)", shape, new long[] {r, 2 * c + 1},
            t -> t.slice(1, 1, END, 2), i -> i[0] * (2 * c + 1) + 1 + 2 * i[1]));
        l.add(layout("step 2 along rows from the end: slice(0, -2r, end, 2)", shape, new long[] {2 * r + 3, c},
            t -> t.slice(0, -2 * r, END, 2), i -> (3 + 2 * i[0]) * c + i[1]));
        l.add(layout("offset in both dims: slice(0, -r, end).slice(1, -c, end)", shape, new long[] {r + 2, c + 3},
            t -> t.slice(0, -r, END, 1).slice(1, -c, END, 1), i -> (2 + i[0]) * (c + 3) + 3 + i[1]));
        l.add(layout("transposed with step 3: slice(1, 0, end, 3).t()", shape, new long[] {c, 3 * r},
            t -> t.slice(1, 0, END, 3).t(), i -> i[1] * 3 * r + 3 * i[0]));
        l.add(layout("transposed expanded: expand(c, r).t() of (c, 1)", shape, new long[] {c, 1},
            t -> t.expand(c, r).t(), i -> i[1]));
      }
      case 3 -> {
        long p = shape[0], q = shape[1], s = shape[2];
        l.add(layout("contiguous", shape, new long[] {p, q, s}, t -> t, i -> (i[0] * q + i[1]) * s + i[2]));
        l.add(layout("permuted: permute(1, 2, 0) of (s, p, q)", shape, new long[] {s, p, q}, t -> t.permute(1, 2, 0),
            i -> i[2] * p * q + i[0] * q + i[1]));
        l.add(layout("batched transpose: mT() of (p, s, q)", shape, new long[] {p, s, q}, Tensor::mT,
            i -> i[0] * s * q + i[2] * q + i[1]));
        l.add(layout("middle expanded: expand of (p, 1, s)", shape, new long[] {p, 1, s}, t -> t.expand(p, q, s),
            i -> i[0] * s + i[2]));
        l.add(layout("from the end and stepped: slice(0, -p, end).slice(2, 1, end, 2)", shape,
            new long[] {p + 1, q, 2 * s}, t -> t.slice(0, -p, END, 1).slice(2, 1, END, 2),
            i -> (1 + i[0]) * q * 2 * s + i[1] * 2 * s + 1 + 2 * i[2]));
      }
      default -> throw new IllegalArgumentException("no layouts for " + Arrays.toString(shape));
    }
    return l;
  }

  // ============================================================================ values

  /**
   * Elements of one dtype in the Java type that holds them exactly: {@code f} for float32 (already
   * rounded) and float64, {@code i} for int64 and bool (0 or 1).
   */
  record Elements(DType dtype, double[] f, long[] i) {
    static Elements floats(DType dtype, double[] f) {
      return new Elements(dtype, f, null);
    }

    static Elements longs(DType dtype, long[] i) {
      return new Elements(dtype, null, i);
    }

    boolean floating() {
      return dtype.isFloatingPoint();
    }

    int size() {
      return floating() ? f.length : i.length;
    }

    /** A contiguous tensor of these elements. */
    Tensor tensor(long[] shape) {
      return switch (dtype) {
        case FLOAT32 -> {
          float[] v = new float[f.length];
          for (int k = 0; k < v.length; k++) v[k] = (float) f[k];
          yield Tensor.of(v, shape);
        }
        case FLOAT64 -> Tensor.of(f.clone(), shape);
        case INT64 -> Tensor.of(i.clone(), shape);
        case BOOL -> {
          boolean[] v = new boolean[i.length];
          for (int k = 0; k < v.length; k++) v[k] = i[k] != 0;
          yield Tensor.of(v, shape);
        }
      };
    }

    /** A tensor's elements, read in its own dtype. */
    static Elements read(Tensor t) {
      return switch (t.dtype()) {
        case FLOAT32 -> {
          float[] v = t.toFloatArray();
          double[] d = new double[v.length];
          for (int k = 0; k < v.length; k++) d[k] = v[k];
          yield floats(DType.FLOAT32, d);
        }
        case FLOAT64 -> floats(DType.FLOAT64, t.toDoubleArray());
        case INT64 -> longs(DType.INT64, t.toLongArray());
        case BOOL -> {
          boolean[] v = t.toBooleanArray();
          long[] b = new long[v.length];
          for (int k = 0; k < v.length; k++) b[k] = v[k] ? 1 : 0;
          yield longs(DType.BOOL, b);
        }
      };
    }

    /** The elements at {@code positions}. */
    Elements at(long[] positions) {
      if (floating()) {
        double[] v = new double[positions.length];
        for (int k = 0; k < v.length; k++) v[k] = f[(int) positions[k]];
        return floats(dtype, v);
      }
      long[] v = new long[positions.length];
      for (int k = 0; k < v.length; k++) v[k] = i[(int) positions[k]];
      return longs(dtype, v);
    }

    /** Element k as a double (exact for floats and bools; int64 rounded to nearest). */
    double asDouble(int k) {
      return floating() ? f[k] : (double) i[k];
    }

    /** Converted as PyTorch's {@code .to(target)}: rounding to nearest, truncation toward zero, nonzero is true. */
    Elements to(DType target) {
      int n = size();
      if (target.isFloatingPoint()) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
          v[k] = target == DType.FLOAT32
              ? (floating() ? (float) f[k] : (float) i[k])   // Java's long -> float rounds once, to nearest
              : (floating() ? f[k] : (double) i[k]);
        }
        return floats(target, v);
      }
      long[] v = new long[n];
      for (int k = 0; k < n; k++) {
        if (target == DType.BOOL) v[k] = (floating() ? f[k] != 0 : i[k] != 0) ? 1 : 0;
        else v[k] = floating() ? (long) f[k] : i[k];
      }
      return longs(target, v);
    }
  }

  /** Base values: mixed signs and magnitudes, signed zeros and tiny values; int64 reaching past 2^53 and 2^63. */
  static Elements randomBase(DType dtype, int n, long seed) {
    Random r = new Random(seed);
    switch (dtype) {
      case FLOAT32, FLOAT64 -> {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
          double x = switch (k % 97) {
            case 13 -> 0.0;
            case 29 -> -0.0;
            case 41 -> 1e-30;
            case 53 -> -2.5;
            default -> (r.nextDouble() - 0.4) * Math.pow(10, r.nextInt(7) - 3);
          };
          v[k] = dtype.round(x);
        }
        return Elements.floats(dtype, v);
      }
      case INT64 -> {
        long[] v = new long[n];
        for (int k = 0; k < n; k++) {
          v[k] = switch (k % 5) {
            case 0 -> r.nextInt(201) - 100;
            case 1 -> (TWO_53 + r.nextInt(1000)) * (r.nextBoolean() ? 1 : -1);   // not exact as a double
            case 2 -> r.nextLong();                                              // products wrap
            case 3 -> k % 3 == 0 ? 0 : r.nextInt(7) + 1;
            default -> (long) r.nextInt();
          };
        }
        return Elements.longs(dtype, v);
      }
      case BOOL -> {
        long[] v = new long[n];
        for (int k = 0; k < n; k++) v[k] = r.nextInt(3) == 0 ? 0 : 1;
        return Elements.longs(dtype, v);
      }
    }
    throw new AssertionError(dtype);
  }

  /** A strided operand: the base it views, the view, and the view's elements worked out in Java. */
  record Operand(Layout layout, Elements base, Tensor tensor, Elements values) {
    static Operand of(Layout layout, DType dtype, long seed) {
      Elements base = randomBase(dtype, layout.baseNumel(), seed);
      Tensor view = layout.of(base.tensor(layout.baseShape()));
      return new Operand(layout, base, view, base.at(layout.positions()));
    }
  }

  // ============================================================================ comparing

  /** Same dtype and the same elements, bit for bit (NaNs alike, zeros by sign). */
  static void assertSameElements(Elements expected, Tensor actual, String what) {
    assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
    Elements got = Elements.read(actual);
    assertEquals(expected.size(), got.size(), what + ": size");
    for (int k = 0; k < expected.size(); k++) {
      boolean same = expected.floating()
          ? Double.doubleToLongBits(expected.f()[k]) == Double.doubleToLongBits(got.f()[k])
          : expected.i()[k] == got.i()[k];
      if (!same) {
        fail(what + ": element " + k + " is " + (got.floating() ? got.f()[k] : got.i()[k]) + ", expected "
            + (expected.floating() ? expected.f()[k] : expected.i()[k]));
      }
    }
  }

  // ============================================================================ elementwise

  enum Op { ADD, SUB, MUL, DIV }

  /** PyTorch's {@code result_type} of two dimensioned tensors, and true division of integers into float32. */
  static DType resultType(Op op, DType a, DType b) {
    DType t = DType.promote(a, b);
    return op == Op.DIV && !t.isFloatingPoint() ? DType.FLOAT32 : t;
  }

  /** {@code x op y} of elements already converted to {@code type}, rounded once into it. */
  static Elements apply(Op op, Elements x, Elements y) {
    DType type = x.dtype();
    int n = x.size();
    if (type.isFloatingPoint()) {
      double[] v = new double[n];
      for (int k = 0; k < n; k++) {
        double a = x.f()[k], b = y.f()[k];
        // float32: exact in double, so the double op rounded to float is the float op
        v[k] = type.round(switch (op) {
          case ADD -> a + b;
          case SUB -> a - b;
          case MUL -> a * b;
          case DIV -> a / b;
        });
      }
      return Elements.floats(type, v);
    }
    long[] v = new long[n];
    for (int k = 0; k < n; k++) {
      long a = x.i()[k], b = y.i()[k];
      long r = switch (op) {
        case ADD -> type == DType.BOOL ? a | b : a + b;
        case MUL -> type == DType.BOOL ? a & b : a * b;
        case SUB -> a - b;
        case DIV -> throw new AssertionError("integer division is true division, in float");
      };
      v[k] = r;
    }
    return Elements.longs(type, v);
  }

  static Elements apply(Op op, Elements a, Elements b, DType resultType) {
    return apply(op, a.to(resultType), b.to(resultType));
  }

  /** A constant of {@code n} elements: a scalar operand in the type the op computes in. */
  static Elements constant(DType type, double value, int n) {
    if (type.isFloatingPoint()) {
      double[] v = new double[n];
      Arrays.fill(v, type.round(value));
      return Elements.floats(type, v);
    }
    long[] v = new long[n];
    Arrays.fill(v, (long) value);
    return Elements.longs(type, v);
  }

  static Elements constantLong(DType type, long value, int n) {
    long[] v = new long[n];
    Arrays.fill(v, value);
    return Elements.longs(type, v);
  }

  static Tensor run(Op op, Tensor a, Tensor b) {
    return switch (op) {
      case ADD -> a.add(b);
      case SUB -> a.sub(b);
      case MUL -> a.mul(b);
      case DIV -> a.div(b);
    };
  }

  static Tensor run(Op op, Tensor a, double s) {
    return switch (op) {
      case ADD -> a.add(s);
      case SUB -> a.sub(s);
      case MUL -> a.mul(s);
      case DIV -> a.div(s);
    };
  }

  static Tensor run(Op op, Tensor a, long s) {
    return switch (op) {
      case ADD -> a.add(s);
      case SUB -> a.sub(s);
      case MUL -> a.mul(s);
      case DIV -> a.div(s);
    };
  }

  /**
   * The layout pairs an elementwise test runs for a shape: each layout with itself (dims coalesce
   * alike), with the next one (the operands step differently), and transposed ones against a
   * contiguous operand (the transposed-tile path).
   */
  static List<Layout[]> pairs(long[] shape) {
    List<Layout> ls = layouts(shape);
    List<Layout[]> out = new ArrayList<>();
    if (Arrays.stream(shape).reduce(1, Math::multiplyExact) > LARGE) {   // the transposed tiles, and a few others
      // contiguous with transposed, both ways round; columns with rows expanded; offset with transposed-stepped
      int[][] picks = {{0, 1}, {1, 0}, {3, 2}, {6, 7}};
      for (int[] p : picks) out.add(new Layout[] {ls.get(p[0]), ls.get(p[1])});
      return out;
    }
    for (int k = 0; k < ls.size(); k++) {
      out.add(new Layout[] {ls.get(k), ls.get(k)});
      out.add(new Layout[] {ls.get(k), ls.get((k + 1) % ls.size())});
      String name = ls.get(k).name();
      if (k > 1 && (name.contains("transpose") || name.contains("permute"))) out.add(new Layout[] {ls.get(0), ls.get(k)});
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> elementwiseOpsOnStridedOperandsMatchPlainJava() {
    List<DynamicTest> tests = new ArrayList<>();
    for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64, DType.INT64)) {
      for (long[] shape : dtype == DType.FLOAT64 ? SMALL_SHAPES : SHAPES) {
        List<Layout[]> pairs = pairs(shape);
        if (shape == LARGE_SHAPE && dtype == DType.INT64) pairs = pairs.subList(0, 1);   // contiguous, transposed
        for (Layout[] pair : pairs) {
          tests.add(DynamicTest.dynamicTest(dtype + " a: " + pair[0] + ", b: " + pair[1],
              () -> elementwise(dtype, pair[0], pair[1])));
        }
      }
    }
    return tests.stream();
  }

  private static void elementwise(DType dtype, Layout la, Layout lb) {
    Operand a = Operand.of(la, dtype, 1), b = Operand.of(lb, dtype, 2);
    int n = a.values().size();
    for (Op op : Op.values()) {
      DType type = resultType(op, dtype, dtype);
      assertSameElements(apply(op, a.values(), b.values(), type), run(op, a.tensor(), b.tensor()), "a." + op + "(b)");
      if (op == Op.SUB || op == Op.DIV) {   // the operands swapped: each stride pattern in either position
        assertSameElements(apply(op, b.values(), a.values(), type), run(op, b.tensor(), a.tensor()), "b." + op + "(a)");
      }
      // a Python float: float32 for an int64 tensor, else the tensor's type
      double s = op == Op.DIV ? 0.3 : -1.7;
      DType withFloat = dtype.isFloatingPoint() ? dtype : DType.FLOAT32;
      assertSameElements(apply(op, a.values(), constant(withFloat, s, n), withFloat), run(op, a.tensor(), s),
          "a." + op + "(" + s + ")");
      // a Python int: keeps an int64 tensor int64 (division is true division)
      long si = op == Op.DIV ? 3 : -7;
      DType withInt = resultType(op, dtype, dtype);
      assertSameElements(apply(op, a.values(), constant(withInt, si, n), withInt), run(op, a.tensor(), si),
          "a." + op + "(" + si + "L)");
    }
    Elements negated = apply(Op.SUB, constant(dtype, 0, n), a.values(), dtype);
    if (dtype.isFloatingPoint()) {
      double[] v = a.values().f().clone();
      for (int k = 0; k < v.length; k++) v[k] = -v[k];   // -0.0 for 0.0, unlike 0 - x
      negated = Elements.floats(dtype, v);
    }
    assertSameElements(negated, a.tensor().neg(), "a.neg()");
  }

  /** Mixed dtypes promote as PyTorch: each operand is converted, strided, then the op runs in the result type. */
  @TestFactory
  Stream<DynamicTest> mixedDtypeOpsOnStridedOperandsMatchPlainJava() {
    DType[][] pairs = {
        {DType.FLOAT32, DType.FLOAT64}, {DType.INT64, DType.FLOAT32}, {DType.INT64, DType.FLOAT64},
        {DType.BOOL, DType.INT64}, {DType.BOOL, DType.FLOAT32}, {DType.FLOAT64, DType.BOOL}};
    List<DynamicTest> tests = new ArrayList<>();
    for (DType[] types : pairs) {
      for (long[] shape : new long[][] {{33}, {17, 33}, {3, 33, 40}}) {
        List<Layout> ls = layouts(shape);
        for (int k = 0; k < ls.size(); k++) {
          Layout la = ls.get(k), lb = ls.get((k + 2) % ls.size());
          tests.add(DynamicTest.dynamicTest(types[0] + " " + la + " op " + types[1] + " " + lb, () -> {
            Operand a = Operand.of(la, types[0], 3), b = Operand.of(lb, types[1], 4);
            for (Op op : Op.values()) {
              if (op == Op.SUB && (types[0] == DType.BOOL || types[1] == DType.BOOL)) {   // refused, as PyTorch
                assertThrows(IllegalArgumentException.class, () -> a.tensor().sub(b.tensor()), "bool subtraction");
                continue;
              }
              DType type = resultType(op, types[0], types[1]);
              assertSameElements(apply(op, a.values(), b.values(), type), run(op, a.tensor(), b.tensor()),
                  types[0] + "." + op + "(" + types[1] + ")");
            }
          }));
        }
      }
    }
    return tests.stream();
  }

  // ============================================================================ copies, fills, casts

  /**
   * Reading a strided view, {@code contiguous()}, {@code clone()} and {@code to(dtype)} into each of
   * the four dtypes give the view's elements converted as PyTorch converts them.
   */
  @TestFactory
  Stream<DynamicTest> copiesAndCastsOfStridedTensorsMatchPlainJava() {
    List<DynamicTest> tests = new ArrayList<>();
    for (DType from : DType.values()) {
      for (long[] shape : SHAPES) {
        List<Layout> ls = layouts(shape);
        if (shape == LARGE_SHAPE) ls = List.of(ls.get(1), ls.get(2));   // transposed, rows expanded
        for (Layout l : ls) {
          tests.add(DynamicTest.dynamicTest(from + " " + l, () -> {
            Operand a = Operand.of(l, from, 5);
            assertSameElements(a.values(), a.tensor(), "reading the view");
            Tensor c = a.tensor().contiguous();
            assertTrue(c.isContiguous(), "contiguous() is contiguous");
            assertSameElements(a.values(), c, "contiguous()");
            Tensor cl = a.tensor().clone();
            assertTrue(cl.isContiguous(), "clone() is contiguous");
            assertSameElements(a.values(), cl, "clone()");
            for (DType to : DType.values()) {
              assertSameElements(a.values().to(to), a.tensor().to(to), from + ".to(" + to + ")");
            }
          }));
        }
      }
    }
    return tests.stream();
  }

  /**
   * {@code fill_} through a view writes exactly the base elements the view shows; through an
   * expanded view too (PyTorch fills it: every alias gets the same value, unlike {@code copy_}).
   */
  @TestFactory
  Stream<DynamicTest> fillThroughAViewWritesExactlyItsElements() {
    List<DynamicTest> tests = new ArrayList<>();
    for (DType dtype : DType.values()) {
      for (long[] shape : SHAPES) {
        for (Layout l : layouts(shape)) {
          tests.add(DynamicTest.dynamicTest(dtype + " " + l, () -> {
            Tensor base = Tensor.zeros(dtype, l.baseShape());
            Tensor view = l.of(base);
            double value = dtype == DType.BOOL ? 1 : -3;
            view.fill_(value);
            Elements expected = Elements.floats(DType.FLOAT64, new double[l.baseNumel()]);
            for (long p : l.positions()) expected.f()[(int) p] = value;
            assertSameElements(expected.to(dtype), base, "the base after fill_ through the view");
            assertEquals(1, base.version(), "the write bumps the version the base shares");
          }));
        }
      }
    }
    return tests.stream();
  }

  /**
   * {@code copy_} from a strided source of another dtype into a strided view writes the converted
   * source into exactly the view's base elements; into an expanded view it is refused with
   * PyTorch's error, as several of its elements share memory.
   */
  @TestFactory
  Stream<DynamicTest> copyBetweenStridedViewsWritesExactlyTheViewsElements() {
    List<DynamicTest> tests = new ArrayList<>();
    DType[] types = DType.values();
    for (int t = 0; t < types.length; t++) {
      DType dstType = types[t], srcType = types[(t + 1) % types.length];
      for (long[] shape : SHAPES) {
        List<Layout> ls = layouts(shape);
        for (int k = 0; k < (shape == LARGE_SHAPE ? 2 : ls.size()); k++) {
          Layout dstLayout = ls.get(k), srcLayout = ls.get((k + 1) % ls.size());
          tests.add(DynamicTest.dynamicTest(dstType + " " + dstLayout + " <- " + srcType + " " + srcLayout, () -> {
            Operand src = Operand.of(srcLayout, srcType, 6);
            Tensor base = Tensor.zeros(dstType, dstLayout.baseShape());
            Tensor dst = dstLayout.of(base);
            if (dstLayout.overlaps()) {
              var e = assertThrows(IllegalArgumentException.class, () -> dst.copy_(src.tensor()));
              assertTrue(e.getMessage().contains("unsupported operation: more than one element of the written-to "
                  + "tensor refers to a single memory location"), e.getMessage());
              return;
            }
            dst.copy_(src.tensor());
            Elements converted = src.values().to(dstType);
            Elements expected = Elements.floats(DType.FLOAT64, new double[dstLayout.baseNumel()]).to(dstType);
            for (int e = 0; e < converted.size(); e++) {
              int p = (int) dstLayout.positions()[e];
              if (expected.floating()) expected.f()[p] = converted.f()[e];
              else expected.i()[p] = converted.i()[e];
            }
            assertSameElements(expected, base, "the base after copy_ through the view");
          }));
        }
      }
    }
    return tests.stream();
  }

  // ============================================================================ sums

  /**
   * {@code sum()} and {@code sum(dims)} of strided tensors: floats within the rounding of a blocked
   * sum of the worked-out elements, int64 exactly (wrapping as PyTorch), bool as an int64 count.
   */
  @TestFactory
  Stream<DynamicTest> sumsOfStridedTensorsMatchPlainJava() {
    List<DynamicTest> tests = new ArrayList<>();
    for (DType dtype : DType.values()) {
      for (long[] shape : SHAPES) {
        for (Layout l : layouts(shape)) {
          tests.add(DynamicTest.dynamicTest(dtype + " " + l, () -> {
            Operand a = Operand.of(l, dtype, 7);
            assertSum(a, new boolean[shape.length], false, "sum()");
            for (int d = 0; d < shape.length; d++) {
              boolean[] reduce = new boolean[shape.length];
              reduce[d] = true;
              assertSum(a, reduce, d % 2 == 0, "sum([" + d + "])");
            }
            if (shape.length == 3) assertSum(a, new boolean[] {true, false, true}, true, "sum([0, 2], keepdim)");
            if (shape.length >= 2) {
              boolean[] all = new boolean[shape.length];
              Arrays.fill(all, true);
              assertSum(a, all, true, "sum(all dims, keepdim)");
            }
          }));
        }
      }
    }
    return tests.stream();
  }

  /** Checks {@code a.sum(dims)} (or {@code a.sum()} when no dim is marked) against exact sums. */
  private static void assertSum(Operand a, boolean[] reduce, boolean keepdim, String what) {
    long[] shape = a.layout().shape();
    int nd = shape.length;
    boolean all = true;
    for (boolean r : reduce) all &= !r;
    Tensor result;
    long[] outShape;
    if (all) {
      result = a.tensor().sum();
      outShape = new long[0];
      Arrays.fill(reduce, true);
    } else {
      int[] dims = java.util.stream.IntStream.range(0, nd).filter(d -> reduce[d]).toArray();
      result = a.tensor().sum(dims, keepdim);
      List<Long> s = new ArrayList<>();
      for (int d = 0; d < nd; d++) if (!reduce[d] || keepdim) s.add(reduce[d] ? 1L : shape[d]);
      outShape = s.stream().mapToLong(Long::longValue).toArray();
    }
    assertArrayEquals(outShape, result.shape(), what + ": shape");
    DType dtype = a.values().dtype();
    assertEquals(dtype.isFloatingPoint() ? dtype : DType.INT64, result.dtype(), what + ": dtype");
    // output element of each input element: the row-major index over the kept dims
    int n = a.values().size();
    long[] kept = new long[nd];
    for (int d = 0; d < nd; d++) kept[d] = reduce[d] ? 1 : shape[d];
    int outN = Math.toIntExact(Arrays.stream(kept).reduce(1, Math::multiplyExact));
    double[] hi = new double[outN], lo = new double[outN];   // double-double sums: exact to far below the tolerance
    double[] magnitude = new double[outN];
    long[] wrapped = new long[outN];
    int[] count = new int[outN];
    long[] idx = new long[nd];
    for (int k = 0; k < n; k++) {
      int o = 0;
      for (int d = 0; d < nd; d++) o = (int) (o * kept[d] + (reduce[d] ? 0 : idx[d]));
      if (dtype.isFloatingPoint()) {
        double x = a.values().f()[k], sum = hi[o] + x;   // Knuth's TwoSum: sum + error is exactly hi + x
        double bp = sum - hi[o], err = (hi[o] - (sum - bp)) + (x - bp);
        hi[o] = sum;
        lo[o] += err;
        magnitude[o] += Math.abs(a.values().f()[k]);
      } else {
        wrapped[o] += a.values().i()[k];
      }
      count[o]++;
      for (int d = nd - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
    }
    if (!dtype.isFloatingPoint()) {
      assertArrayEquals(wrapped, result.toLongArray(), what + ": exact int64 sums");
      return;
    }
    double[] got = result.toDoubleArray();
    double eps = dtype == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
    for (int o = 0; o < outN; o++) {
      double want = hi[o] + lo[o];
      double tolerance = 4 * eps * Math.sqrt(count[o] + 1.0) * magnitude[o] + eps * Math.abs(want) + Double.MIN_VALUE;
      assertEquals(want, got[o], tolerance, what + ": output element " + o + " (a sum of " + count[o]
          + " elements of total magnitude " + magnitude[o] + ", tolerance " + tolerance + ")");
    }
  }

  // ============================================================================ int64 and bool

  private static final long BIG = TWO_53 + 1;   // the smallest positive long a double cannot hold
  private static final long[] AV = {1, BIG, -BIG, Long.MAX_VALUE, Long.MIN_VALUE + 1, (1L << 62) + 1, 3, -5};
  private static final long[] BV = {BIG, 1, BIG, 1, -1, 3, (1L << 61) + 7, -(1L << 60) - 1};

  /**
   * int64 tensor-tensor arithmetic is exact beyond 2^53 (where doubles skip integers) and wraps on
   * overflow, as PyTorch's int64 (Java's long arithmetic is the reference), on contiguous and on
   * transposed and expanded operands.
   */
  @Test
  void int64TensorArithmeticIsExactAbove2To53AndWraps() {
    Tensor a = Tensor.of(AV), b = Tensor.of(BV);
    long[] sum = new long[AV.length], diff = new long[AV.length], prod = new long[AV.length];
    for (int k = 0; k < AV.length; k++) {
      sum[k] = AV[k] + BV[k];
      diff[k] = AV[k] - BV[k];
      prod[k] = AV[k] * BV[k];
    }
    assertArrayEquals(sum, a.add(b).toLongArray(), "a + b");
    assertArrayEquals(diff, a.sub(b).toLongArray(), "a - b");
    assertArrayEquals(prod, a.mul(b).toLongArray(), "a * b (wrapping)");
    // strided: a stored transposed and read back through t(), b's first element expanded
    Tensor at = Tensor.of(AV, 2, 4).t().contiguous().t();
    assertArrayEquals(AV, at.toLongArray(), "a round trip through two transposes");
    assertArrayEquals(sum, at.add(Tensor.of(BV, 2, 4)).toLongArray(), "transposed a + b");
    long[] plusBig = new long[AV.length];
    for (int k = 0; k < AV.length; k++) plusBig[k] = AV[k] + BIG;
    assertArrayEquals(plusBig, a.add(Tensor.of(new long[] {BIG}).expand(8)).toLongArray(), "a + expanded (2^53 + 1)");
    assertArrayEquals(plusBig, a.add(Tensor.of(new long[] {BIG}, new long[0])).toLongArray(), "a + 0-dim (2^53 + 1)");
  }

  /**
   * Python-int scalars (the {@code long} overloads) keep an int64 tensor int64 and are exact beyond
   * 2^53: torch 1.13 gives {@code torch.tensor([1]) + (2**53 + 1) == 9007199254740994}.
   */
  @Test
  void int64PythonIntScalarsAreExactAbove2To53() {
    Tensor a = Tensor.of(AV);
    long[] plus = new long[AV.length], minus = new long[AV.length], times = new long[AV.length];
    for (int k = 0; k < AV.length; k++) {
      plus[k] = AV[k] + BIG;
      minus[k] = AV[k] - BIG;
      times[k] = AV[k] * 3;
    }
    assertArrayEquals(times, a.mul(3L).toLongArray(), "a.mul(3)");
    assertArrayEquals(new long[] {BIG + 1}, Tensor.of(new long[] {1}).add(BIG).toLongArray(),
        "tensor([1]) + (2**53 + 1) is 9007199254740994 in torch");
    Tensor sum = a.add(BIG);
    assertEquals(DType.INT64, sum.dtype());
    assertArrayEquals(plus, sum.toLongArray(), "a.add(2^53 + 1)");
    assertArrayEquals(minus, a.sub(BIG).toLongArray(), "a.sub(2^53 + 1)");
    assertArrayEquals(new long[] {BIG * 5}, Tensor.of(new long[] {5}).mul(BIG).toLongArray(), "tensor([5]) * (2**53 + 1)");
  }

  /** int64 sums are exact and wrap, over all elements and over dims, of contiguous and transposed tensors. */
  @Test
  void int64SumsAreExact() {
    long total = 0;
    for (long v : AV) total += v;
    Tensor a = Tensor.of(AV, 2, 4);
    assertEquals(total, a.sum().toLongArray()[0], "sum()");
    assertEquals(total, a.t().sum().toLongArray()[0], "sum() of the transpose");
    assertArrayEquals(new long[] {AV[0] + AV[4], AV[1] + AV[5], AV[2] + AV[6], AV[3] + AV[7]},
        a.sum(new int[] {0}, false).toLongArray(), "sum([0])");
    assertArrayEquals(new long[] {AV[0] + AV[1] + AV[2] + AV[3], AV[4] + AV[5] + AV[6] + AV[7]},
        a.t().sum(new int[] {0}, false).toLongArray(), "sum([0]) of the transpose");
    assertArrayEquals(new long[] {8 * BIG}, Tensor.of(new long[] {BIG}).expand(8).sum().toLongArray(),
        "sum() of an expanded 2^53 + 1");
  }

  /**
   * int64 to float64 rounds to nearest, to float32 rounds once (not through a double: 2^60 + 2^36 + 1
   * rounds up as a float, down through a double; torch gives 1152921642045800448), back exactly.
   */
  @Test
  void int64CastsRoundOnceToNearest() {
    long halfwayViaDouble = (1L << 60) + (1L << 36) + 1;
    Tensor c = Tensor.of(new long[] {BIG, halfwayViaDouble, 0, halfwayViaDouble}, 2, 2).t();
    long[] logical = {BIG, 0, halfwayViaDouble, halfwayViaDouble};
    double[] asDouble = new double[4];
    float[] asFloat = new float[4];
    for (int k = 0; k < 4; k++) {
      asDouble[k] = (double) logical[k];
      asFloat[k] = (float) logical[k];
    }
    assertArrayEquals(asDouble, c.to(DType.FLOAT64).toDoubleArray(), "to(float64)");
    assertArrayEquals(asFloat, c.to(DType.FLOAT32).toFloatArray(), "to(float32)");
    assertEquals(1152921642045800448L, (long) c.to(DType.FLOAT32).toFloatArray()[2], "torch's float32 of 2^60+2^36+1");
    assertArrayEquals(logical, c.toLongArray(), "reading the transposed int64 tensor");
    assertArrayEquals(new boolean[] {true, false, true, true}, c.to(DType.BOOL).toBooleanArray(), "to(bool)");
  }

  /**
   * Bool tensors, strided too: {@code +} is logical or and {@code *} logical and (bool results), a
   * Python int gives int64 and a float float32, true division is float32, sums count as int64,
   * and subtraction and negation are refused with PyTorch's messages.
   */
  @Test
  void boolOpsFollowPyTorch() {
    Layout transposed = layouts(new long[] {7, 5}).get(1), stepped = layouts(new long[] {7, 5}).get(5);
    Operand a = Operand.of(transposed, DType.BOOL, 8), b = Operand.of(stepped, DType.BOOL, 9);
    assertSameElements(apply(Op.ADD, a.values(), b.values()), a.tensor().add(b.tensor()), "a + b (or)");
    assertSameElements(apply(Op.MUL, a.values(), b.values()), a.tensor().mul(b.tensor()), "a * b (and)");
    int n = a.values().size();
    assertSameElements(apply(Op.ADD, a.values().to(DType.INT64), constantLong(DType.INT64, 1, n)),
        a.tensor().add(1L), "a + 1 is int64");
    assertSameElements(apply(Op.MUL, a.values().to(DType.INT64), constantLong(DType.INT64, 3, n)),
        a.tensor().mul(3L), "a * 3 is int64");
    assertSameElements(apply(Op.ADD, a.values().to(DType.FLOAT32), constant(DType.FLOAT32, 2.5, n)),
        a.tensor().add(2.5), "a + 2.5 is float32");
    assertSameElements(apply(Op.DIV, a.values().to(DType.FLOAT32), b.values().to(DType.FLOAT32)),
        a.tensor().div(b.tensor()), "a / b is float32 (1/0 = inf, 0/0 = nan)");
    long trues = Arrays.stream(a.values().i()).sum();
    Tensor count = a.tensor().sum();
    assertEquals(DType.INT64, count.dtype());
    assertEquals(trues, count.toLongArray()[0], "sum() counts");
    var sub = assertThrows(IllegalArgumentException.class, () -> a.tensor().sub(b.tensor()));
    assertTrue(sub.getMessage().contains("Subtraction, the `-` operator, with two bool tensors is not supported."),
        sub.getMessage());
    var neg = assertThrows(IllegalArgumentException.class, () -> a.tensor().neg());
    assertTrue(neg.getMessage().contains("Negation, the `-` operator, on a bool tensor is not supported."),
        neg.getMessage());
    assertArrayEquals(new boolean[] {true, true, false, false, true},
        Tensor.of(new double[] {0.5, -0.5, 0.0, -0.0, Double.NaN}).slice(0, 0, END, 1).to(DType.BOOL).toBooleanArray(),
        "nonzero (and NaN) is true, as torch");
  }

  // ============================================================================ provider against provider

  /**
   * The gather/scatter kernel of strided iteration gives the same bits in both providers, for
   * every dtype, source and destination steps (0 included) and lengths around the vector widths,
   * and writes nothing outside its elements.
   */
  @Test
  void copyStridedKernelsAgreeBetweenProvidersAndWithPlainJava() {
    int[] lengths = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 1000, 1025};
    long[][] steps = {{1, 1}, {0, 1}, {2, 1}, {3, 1}, {1, 2}, {1, 3}, {5, 7}, {0, 3}, {7, 1}};
    try (Arena arena = Arena.ofConfined()) {
      for (String type : List.of("float32", "float64", "int64", "bool")) {
        ElementKernels v = pick(vector, type), s = pick(SCALAR, type);
        for (int n : lengths) {
          for (long[] st : steps) {
            long aStride = st[0], outStride = st[1];
            long aLen = 3 + Math.max(1, aStride * (n - 1) + 1), outLen = 5 + outStride * (n - 1) + 1 + 2;
            MemorySegment a = arena.allocate(aLen * v.elementBytes(), 64);
            Random r = new Random(n * 31L + aStride);
            for (long k = 0; k < aLen; k++) v.setLong(a, k, type.equals("bool") ? r.nextInt(2) : r.nextInt(2001) - 1000);
            if (type.startsWith("float")) for (long k = 0; k < aLen; k++) v.set(a, k, v.get(a, k) * 0.37);
            MemorySegment outV = arena.allocate(outLen * v.elementBytes(), 64);
            MemorySegment outS = arena.allocate(outLen * v.elementBytes(), 64);
            v.fill(outV, 0, outLen, 1);
            s.fill(outS, 0, outLen, 1);
            v.copyStrided(a, 3, aStride, outV, 5, outStride, n);
            s.copyStrided(a, 3, aStride, outS, 5, outStride, n);
            HashSet<Long> written = new HashSet<>();
            for (long k = 0; k < n; k++) written.add(5 + k * outStride);
            for (long k = 0; k < outLen; k++) {
              String what = type + " n=" + n + " steps " + Arrays.toString(st) + " at " + k;
              assertEquals(Double.doubleToLongBits(s.get(outS, k)), Double.doubleToLongBits(v.get(outV, k)), what);
              if (!written.contains(k)) assertEquals(1.0, v.get(outV, k), what + ": written outside");
            }
            for (long k = 0; k < n; k++) {
              assertEquals(Double.doubleToLongBits(v.get(a, 3 + k * aStride)),
                  Double.doubleToLongBits(v.get(outV, 5 + k * outStride)), type + " element " + k);
            }
          }
        }
      }
    }
  }

  /** The int64 kernels give the same (wrapping, exact) longs in both providers and equal Java's long arithmetic. */
  @Test
  void int64KernelsAgreeBetweenProvidersAndWithJavaLongs() {
    ElementKernels v = vector.int64(), s = SCALAR.int64();
    int[] lengths = {1, 3, 4, 7, 8, 9, 31, 33, 1000, 1025};
    try (Arena arena = Arena.ofConfined()) {
      for (int n : lengths) {
        int off = 3;
        MemorySegment a = arena.allocate((long) (n + off) * 8, 64), b = arena.allocate((long) (n + off) * 8, 64);
        long[] av = new long[n + off], bv = new long[n + off];
        Random r = new Random(n);
        for (int k = 0; k < n + off; k++) {
          av[k] = k % 2 == 0 ? r.nextLong() : TWO_53 + r.nextInt(100);
          bv[k] = k % 3 == 0 ? r.nextLong() : -(TWO_53 + 1) + r.nextInt(100);
          v.setLong(a, k, av[k]);
          v.setLong(b, k, bv[k]);
        }
        for (BinaryOp op : List.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL)) {
          MemorySegment outV = arena.allocate((long) n * 8, 64), outS = arena.allocate((long) n * 8, 64);
          v.binary(op, a, off, b, off, outV, 0, n);
          s.binary(op, a, off, b, off, outS, 0, n);
          for (int k = 0; k < n; k++) {
            long x = av[off + k], y = bv[off + k];
            long want = switch (op) {
              case ADD -> x + y;
              case SUB -> x - y;
              case MUL -> x * y;
              case DIV -> throw new AssertionError();
            };
            assertEquals(want, v.getLong(outV, k), "vector int64 " + op + " n=" + n + " at " + k);
            assertEquals(want, s.getLong(outS, k), "scalar int64 " + op + " n=" + n + " at " + k);
          }
        }
        MemorySegment negV = arena.allocate((long) n * 8, 64), negS = arena.allocate((long) n * 8, 64);
        v.neg(a, off, negV, 0, n);
        s.neg(a, off, negS, 0, n);
        for (int k = 0; k < n; k++) {
          assertEquals(-av[off + k], v.getLong(negV, k), "vector int64 neg");
          assertEquals(-av[off + k], s.getLong(negS, k), "scalar int64 neg");
        }
      }
    }
  }

  private static ElementKernels pick(KernelProvider p, String type) {
    return switch (type) {
      case "float32" -> p.float32();
      case "float64" -> p.float64();
      case "int64" -> p.int64();
      case "bool" -> p.bool();
      default -> throw new IllegalArgumentException(type);
    };
  }
}
