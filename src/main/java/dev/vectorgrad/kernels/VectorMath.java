package dev.vectorgrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector versions of {@link ScalarMath}'s functions, for float and double lanes, with the same
 * operations in the same order (so the two kernels agree to the ulp of the Vector API's
 * transcendental functions). Functions without a Vector API operation (floor, ceil, rint, the
 * double erf) run per lane.
 */
final class VectorMath {
  private VectorMath() {}

  // The kernels inline GenerateKernels' exp and log sequences (the float ones below are the same
  // operations, for erf and gelu here); double exp and log have no method: C2 does not inline one
  // that large into a kernel's loop and would box its vectors.

  private static final float INV_LN2_F = (float) (1 / Math.log(2));
  private static final double INV_LN2 = 1 / Math.log(2);

  /**
   * {@link ScalarMath#exp(float)} on lanes, the same operations in the same order: add, sub, mul,
   * fma, compare/blend and exponent bits only, each exact-rounded by IEEE 754 whether the Vector
   * API runs its Java fallback (interpreter, C1) or C2's instructions, so the bits do not depend on
   * the JIT (the {@code EXP} operator's lanes are SVML's under C2 and {@code Math.exp}'s before).
   */
  static FloatVector exp(FloatVector d) {
    var x = d.blend(ScalarMath.EXP_LO_F, d.compare(VectorOperators.LT, ScalarMath.EXP_LO_F));
    x = x.blend(ScalarMath.EXP_HI_F, x.compare(VectorOperators.GT, ScalarMath.EXP_HI_F));
    var t = x.mul(ScalarMath.LOG2E_F).add(ScalarMath.ROUND_MAGIC_F);
    var n = ((IntVector) t.reinterpretAsInts()).sub(ScalarMath.ROUND_MAGIC_BITS);
    var nf = t.sub(ScalarMath.ROUND_MAGIC_F);
    var r = nf.fma(x.broadcast(-ScalarMath.L2U_F), x);
    r = nf.fma(x.broadcast(-ScalarMath.L2L_F), r);
    var u = r.fma(ScalarMath.EXP_P5, ScalarMath.EXP_P4);   // fma(P5, r, P4): the product commutes exactly
    u = u.fma(r, r.broadcast(ScalarMath.EXP_P3));
    u = u.fma(r, r.broadcast(ScalarMath.EXP_P2));
    u = u.fma(r, r.broadcast(ScalarMath.EXP_P1));
    u = u.fma(r, r.broadcast(ScalarMath.EXP_P0));
    u = r.mul(r).fma(u, r).add(1f);
    var n1 = n.lanewise(VectorOperators.ASHR, 1);
    var s1 = ((IntVector) n1.add(127).lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
    var s2 = ((IntVector) n.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
    u = u.mul((FloatVector) s1).mul((FloatVector) s2);
    return u.blend(0f, d.compare(VectorOperators.LT, ScalarMath.EXP_LO_F));
  }

  /** {@link ScalarMath#log(float)} on lanes, the same operations in the same order (see {@link #exp(FloatVector)}). */
  static FloatVector log(FloatVector d) {
    var tiny = d.compare(VectorOperators.LT, Float.MIN_NORMAL);
    var x = d.blend(d.mul(0x1p23f), tiny);
    var bits = (IntVector) x.reinterpretAsInts();
    var k = bits.sub(ScalarMath.SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 23);
    var m = (FloatVector) bits.sub(k.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats();
    k = k.blend(k.sub(23), tiny.cast(k.species()));
    var f = m.sub(1f);
    var s = f.div(f.add(2f));
    var z = s.mul(s);
    var w = z.mul(z);
    var rr = w.fma(w.fma(ScalarMath.LG4, ScalarMath.LG2), z.mul(w.fma(ScalarMath.LG3, ScalarMath.LG1)));
    var hfsq = f.mul(0.5f).mul(f);
    var dk = (FloatVector) k.convert(VectorOperators.I2F, 0);
    var r = dk.fma(dk.broadcast(ScalarMath.LN2_HI_F), hfsq.sub(s.fma(hfsq.add(rr), dk.mul(ScalarMath.LN2_LO_F))).sub(f).neg());
    r = r.blend(d, d.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    r = r.blend(Float.NEGATIVE_INFINITY, d.compare(VectorOperators.EQ, 0f));
    return r.blend(Float.NaN, d.compare(VectorOperators.LT, 0f).or(d.test(VectorOperators.IS_NAN)));
  }

  static FloatVector exp2(FloatVector v) {
    return FloatVector.broadcast(v.species(), 2).lanewise(VectorOperators.POW, v);
  }

  static DoubleVector exp2(DoubleVector v) {
    return DoubleVector.broadcast(v.species(), 2).lanewise(VectorOperators.POW, v);
  }

  static FloatVector log2(FloatVector v) {
    return v.lanewise(VectorOperators.LOG).mul(INV_LN2_F);
  }

  static DoubleVector log2(DoubleVector v) {
    return v.lanewise(VectorOperators.LOG).mul(INV_LN2);
  }

  static FloatVector sign(FloatVector v) {
    var zero = FloatVector.zero(v.species());
    return zero.blend(1, v.compare(VectorOperators.GT, 0)).blend(-1, v.compare(VectorOperators.LT, 0));
  }

  static DoubleVector sign(DoubleVector v) {
    var zero = DoubleVector.zero(v.species());
    return zero.blend(1, v.compare(VectorOperators.GT, 0)).blend(-1, v.compare(VectorOperators.LT, 0));
  }

  /** A function applied lane by lane, for the functions the Vector API lacks. */
  private interface FloatOp {
    float apply(float x);
  }

  private interface DoubleOp {
    double apply(double x);
  }

  private static FloatVector perLane(FloatVector v, FloatOp f) {
    float[] a = v.toArray();
    for (int i = 0; i < a.length; i++) a[i] = f.apply(a[i]);
    return FloatVector.fromArray(v.species(), a, 0);
  }

  private static DoubleVector perLane(DoubleVector v, DoubleOp f) {
    double[] a = v.toArray();
    for (int i = 0; i < a.length; i++) a[i] = f.apply(a[i]);
    return DoubleVector.fromArray(v.species(), a, 0);
  }

  static FloatVector floor(FloatVector v) {
    return perLane(v, x -> (float) Math.floor(x));
  }

  static DoubleVector floor(DoubleVector v) {
    return perLane(v, Math::floor);
  }

  static FloatVector ceil(FloatVector v) {
    return perLane(v, x -> (float) Math.ceil(x));
  }

  static DoubleVector ceil(DoubleVector v) {
    return perLane(v, Math::ceil);
  }

  static FloatVector rint(FloatVector v) {
    return perLane(v, x -> (float) Math.rint(x));
  }

  static DoubleVector rint(DoubleVector v) {
    return perLane(v, Math::rint);
  }

  static FloatVector trunc(FloatVector v) {
    return perLane(v, ScalarMath::trunc);
  }

  static DoubleVector trunc(DoubleVector v) {
    return perLane(v, ScalarMath::trunc);
  }

  /** {@link ScalarMath#erf(float)} on lanes: both branches computed, the lane's chosen by |x| &lt; 0.5. */
  static FloatVector erf(FloatVector v) {
    var ax = v.lanewise(VectorOperators.ABS);
    var x2 = v.mul(v);
    var small = v.mul(x2.mul((float) ScalarMath.E5).add((float) ScalarMath.E4).mul(x2).add((float) ScalarMath.E3)
        .mul(x2).add((float) ScalarMath.E2).mul(x2).add((float) ScalarMath.E1).mul(x2).add((float) ScalarMath.E0));
    var one = FloatVector.broadcast(v.species(), 1);
    var t = one.div(ax.mul(0.5f).add(one));
    var poly = t.mul((float) ScalarMath.C9).add((float) ScalarMath.C8).mul(t).add((float) ScalarMath.C7).mul(t)
        .add((float) ScalarMath.C6).mul(t).add((float) ScalarMath.C5).mul(t).add((float) ScalarMath.C4).mul(t)
        .add((float) ScalarMath.C3).mul(t).add((float) ScalarMath.C2).mul(t).add((float) ScalarMath.C1).mul(t)
        .add((float) ScalarMath.C0);
    var erfc = t.mul(exp(ax.mul(ax).neg().add(poly)));
    var large = one.sub(erfc);
    large = large.blend(large.neg(), v.compare(VectorOperators.LT, 0));
    return large.blend(small, ax.compare(VectorOperators.LT, 0.5f));
  }

  static DoubleVector erf(DoubleVector v) {
    return perLane(v, ScalarMath::erf);
  }

  static FloatVector gelu(FloatVector v) {
    return v.mul(0.5f).mul(erf(v.mul((float) ScalarMath.SQRT1_2)).add(1));
  }

  static DoubleVector gelu(DoubleVector v) {
    return v.mul(0.5).mul(erf(v.mul(ScalarMath.SQRT1_2)).add(1));
  }

  static DoubleVector geluTanh(DoubleVector v) {
    var inner = v.mul(v).mul(v).mul(ScalarMath.GELU_KAPPA).add(v).mul(ScalarMath.GELU_BETA);
    return v.mul(0.5).mul(inner.lanewise(VectorOperators.TANH).add(1));
  }

  static DoubleVector mish(DoubleVector v) {
    return v.mul(v.lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P).lanewise(VectorOperators.TANH));
  }

  static DoubleVector softplus(DoubleVector v, DoubleVector beta, DoubleVector threshold) {
    var bx = v.mul(beta);
    var soft = bx.lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P).div(beta);
    return soft.blend(v, bx.compare(VectorOperators.GT, threshold));
  }

  static FloatVector elu(FloatVector v, FloatVector alpha) {
    var neg = v.lanewise(VectorOperators.EXP).sub(1).mul(alpha);
    return neg.blend(v, v.compare(VectorOperators.GT, 0));
  }

  static DoubleVector elu(DoubleVector v, DoubleVector alpha) {
    var neg = v.lanewise(VectorOperators.EXP).sub(1).mul(alpha);
    return neg.blend(v, v.compare(VectorOperators.GT, 0));
  }

  static FloatVector clamp(FloatVector v, FloatVector lo, FloatVector hi) {
    var y = v.blend(lo, v.compare(VectorOperators.LT, lo));
    return y.blend(hi, hi.compare(VectorOperators.LT, y));
  }

  static DoubleVector clamp(DoubleVector v, DoubleVector lo, DoubleVector hi) {
    var y = v.blend(lo, v.compare(VectorOperators.LT, lo));
    return y.blend(hi, hi.compare(VectorOperators.LT, y));
  }
}
