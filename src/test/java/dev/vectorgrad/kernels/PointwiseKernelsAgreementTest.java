package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vectorgrad.kernels.PointwiseKernels.Binary;
import dev.vectorgrad.kernels.PointwiseKernels.Comparison;
import dev.vectorgrad.kernels.PointwiseKernels.WithScalar;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Vector API pointwise kernels against the scalar ones, bit for bit, at odd sizes (every tail
 * length of every packing step) and offsets, on values with NaN, infinities, signed zeros and ties
 * between the operands; and the scalar ones against their reference semantics written out here.
 */
class PointwiseKernelsAgreementTest {
  private static final int[] SIZES = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 63, 64, 65, 100, 257};
  private static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0,
      1.0, -1.0, 0.5, 2.0, -2.5, 1e-40, 3.4e38, 1e300};

  private record Pair(String type, PointwiseKernels vector, PointwiseKernels scalar, int bytes) {}

  private static List<Pair> pairs() {
    List<Pair> list = new ArrayList<>();
    list.add(new Pair("float", vectorOrNull("Float"), new PointwiseScalarFloatKernels(), 4));
    list.add(new Pair("double", vectorOrNull("Double"), new PointwiseScalarDoubleKernels(), 8));
    return list;
  }

  private static PointwiseKernels vectorOrNull(String type) {
    if (Kernels.vectorOrNull() == null) return null;
    try {
      return (PointwiseKernels) Class.forName("dev.vectorgrad.kernels.PointwiseVector" + type + "Kernels")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Operand values: random, with specials, and with b equal to a at some positions (ties). */
  private static double[][] operands(int n, long seed) {
    Random r = new Random(seed);
    double[] a = new double[n], b = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt(5) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : r.nextGaussian() * 4;
      b[i] = switch (r.nextInt(6)) {
        case 0 -> SPECIAL[r.nextInt(SPECIAL.length)];
        case 1 -> a[i];
        case 2 -> -a[i];
        default -> r.nextGaussian() * 4;
      };
    }
    return new double[][] {a, b};
  }

  private interface Call {
    void run(PointwiseKernels k, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment out, int n);
  }

  private record Case(String name, Call call, boolean bools) {}

  private static final int OFF = 3;   // operands and output start off the vector alignment

  private static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (Binary op : Binary.values()) {
      cases.add(new Case(op.name(), (k, a, b, c, o, n) -> k.binary(op, a, OFF, b, OFF + 1, o, OFF, n), false));
    }
    for (WithScalar op : WithScalar.values()) {
      for (double s : new double[] {0.7, -2.5, 3.0, Double.NaN}) {
        cases.add(new Case(op.name() + "(" + s + ")", (k, a, b, c, o, n) -> k.withScalar(op, a, OFF, s, o, OFF, n), false));
      }
    }
    for (double w : new double[] {0.3, 0.5, -1.5, 0.8, 2.0}) {
      cases.add(new Case("lerp(" + w + ")", (k, a, b, c, o, n) -> k.lerp(a, OFF, b, OFF, w, o, OFF, n), false));
    }
    cases.add(new Case("fma", (k, a, b, c, o, n) -> k.fma(a, OFF, b, OFF, c, OFF, o, OFF, n), false));
    for (Comparison op : Comparison.values()) {
      cases.add(new Case(op.name(), (k, a, b, c, o, n) -> k.compare(op, a, OFF, b, OFF, o, OFF, n), true));
      for (double s : new double[] {0.0, 1.0, Double.NaN, Double.NEGATIVE_INFINITY}) {
        cases.add(new Case(op.name() + "(" + s + ")", (k, a, b, c, o, n) -> k.compareScalar(op, a, OFF, s, o, OFF, n),
            true));
      }
    }
    return cases;
  }

  @TestFactory
  Stream<DynamicTest> vectorKernelsEqualScalarKernels() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Pair p : pairs()) {
      for (Case c : cases()) {
        tests.add(DynamicTest.dynamicTest(p.type() + " " + c.name(), () -> {
          assumeTrue(p.vector() != null, "no Vector API in this JVM");
          for (int n : SIZES) {
            try (Arena arena = Arena.ofConfined()) {
              double[][] v = operands(n + OFF + 1, n * 31L + c.name().hashCode());
              MemorySegment a = fill(arena, v[0], p.bytes()), b = fill(arena, v[1], p.bytes());
              MemorySegment cc = fill(arena, v[1].clone(), p.bytes());
              long outBytes = (long) (n + 2 * OFF) * (c.bools() ? 1 : p.bytes());
              MemorySegment ov = arena.allocate(outBytes), os = arena.allocate(outBytes);
              ov.fill((byte) 0x5a);
              os.fill((byte) 0x5a);
              c.call().run(p.vector(), a, b, cc, ov, n);
              c.call().run(p.scalar(), a, b, cc, os, n);
              // equal bits, except that any NaN equals any NaN (the sign of a NaN made by inf - inf
              // depends on the operand order inside the instruction)
              int width = c.bools() ? 1 : p.bytes();
              for (long i = 0; i < outBytes / width; i++) {
                if (!sameValue(ov, os, i, width)) {
                  fail(p.type() + " " + c.name() + " n=" + n + ": vector and scalar differ at element " + (i - OFF)
                      + ": " + value(ov, i, width) + " vs " + value(os, i, width));
                }
              }
              // nothing written outside [OFF, OFF + n)
              int unit = c.bools() ? 1 : p.bytes();
              for (long i = 0; i < OFF * unit; i++) assertEquals((byte) 0x5a, os.get(ValueLayout.JAVA_BYTE, i));
              for (long i = (OFF + n) * (long) unit; i < outBytes; i++) {
                assertEquals((byte) 0x5a, ov.get(ValueLayout.JAVA_BYTE, i), "vector wrote past the end");
              }
            }
          }
        }));
      }
    }
    return tests.stream();
  }

  private static double value(MemorySegment s, long i, int width) {
    return switch (width) {
      case 1 -> s.get(ValueLayout.JAVA_BYTE, i);
      case 4 -> s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
      default -> s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
    };
  }

  private static boolean sameValue(MemorySegment x, MemorySegment y, long i, int width) {
    double a = value(x, i, width), b = value(y, i, width);
    if (Double.isNaN(a) && Double.isNaN(b)) return true;
    return switch (width) {
      case 1 -> x.get(ValueLayout.JAVA_BYTE, i) == y.get(ValueLayout.JAVA_BYTE, i);
      case 4 -> x.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i) == y.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
      default -> x.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i) == y.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
    };
  }

  private static MemorySegment fill(Arena arena, double[] v, int bytes) {
    MemorySegment s = arena.allocate((long) v.length * bytes);
    for (int i = 0; i < v.length; i++) {
      if (bytes == 4) s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) v[i]);
      else s.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, v[i]);
    }
    return s;
  }

  /** The scalar float64 kernels against the reference semantics of {@link PointwiseKernels}, element by element. */
  @Test
  void scalarKernelsFollowTheirDocumentedSemantics() {
    PointwiseKernels k = new PointwiseScalarDoubleKernels();
    int n = 2000;
    try (Arena arena = Arena.ofConfined()) {
      double[][] v = operands(n, 99);
      MemorySegment a = fill(arena, v[0], 8), b = fill(arena, v[1], 8), out = arena.allocate(8L * n);
      MemorySegment bools = arena.allocate(n);
      k.binary(Binary.MAXIMUM, a, 0, b, 0, out, 0, n);
      check(v, out, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x < y ? y : x);
      k.binary(Binary.MINIMUM, a, 0, b, 0, out, 0, n);
      check(v, out, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : y < x ? y : x);
      k.binary(Binary.FMOD, a, 0, b, 0, out, 0, n);
      check(v, out, (x, y) -> x % y);
      k.binary(Binary.REMAINDER, a, 0, b, 0, out, 0, n);
      check(v, out, (x, y) -> {
        double m = x % y;
        return m != 0 && (y < 0) != (m < 0) ? m + y : m;
      });
      k.binary(Binary.ATAN2, a, 0, b, 0, out, 0, n);
      check(v, out, Math::atan2);
      k.binary(Binary.POW, a, 0, b, 0, out, 0, n);
      check(v, out, (x, y) -> x == 1 || y == 0 || (x == -1 && Double.isInfinite(y)) ? 1 : Math.pow(x, y));
      k.lerp(a, 0, b, 0, 0.25, out, 0, n);
      check(v, out, (x, y) -> Math.fma(0.25, y - x, x));
      k.lerp(a, 0, b, 0, 0.75, out, 0, n);
      check(v, out, (x, y) -> Math.fma(-0.25, y - x, y));
      k.compare(Comparison.NE, a, 0, b, 0, bools, 0, n);
      for (int i = 0; i < n; i++) {
        assertEquals(v[0][i] != v[1][i] ? 1 : 0, bools.get(ValueLayout.JAVA_BYTE, i), "NE at " + i);
      }
      k.compareScalar(Comparison.LE, a, 0, 0.0, bools, 0, n);
      for (int i = 0; i < n; i++) assertEquals(v[0][i] <= 0.0 ? 1 : 0, bools.get(ValueLayout.JAVA_BYTE, i), "LE at " + i);
    }
  }

  private static void check(double[][] v, MemorySegment out, java.util.function.DoubleBinaryOperator f) {
    for (int i = 0; i < v[0].length; i++) {
      double expected = f.applyAsDouble(v[0][i], v[1][i]);
      double actual = out.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
      if (Double.doubleToLongBits(expected) != Double.doubleToLongBits(actual)
          && !(Double.isNaN(expected) && Double.isNaN(actual))) {
        fail("element " + i + " of (" + v[0][i] + ", " + v[1][i] + "): expected " + expected + ", got " + actual);
      }
    }
  }
}
