package dev.vectorgrad.kernels;

/**
 * The element functions of the scalar kernels that need more than one expression, for float and
 * double, written with the same operations in the same order as {@link VectorMath}'s vector
 * versions so that both kernels round alike. No Vector API types here: the scalar kernels must
 * run without the incubator module.
 */
public final class ScalarMath {
  private ScalarMath() {}

  private static final double LN2 = Math.log(2);

  /** Taylor coefficients of erf around 0: 2/sqrt(pi) * (-1)^n / (n! (2n+1)). */
  static final double E0 = 1.1283791670955126, E1 = -0.37612638903183754, E2 = 0.11283791670955126,
      E3 = -0.026866170645131252, E4 = 0.005223977625442188, E5 = -8.548327023450852e-4;
  /** Numerical Recipes' erfc Chebyshev fit (fractional error below 1.2e-7): the float erf for |x| >= 0.5. */
  static final double C0 = -1.26551223, C1 = 1.00002368, C2 = 0.37409196, C3 = 0.09678418, C4 = -0.18628806,
      C5 = 0.27886807, C6 = -1.13520398, C7 = 1.48851587, C8 = -0.82215223, C9 = 0.17087277;

  // ------------------------------------------------------------------ float exp and log
  // Written with IEEE operations only (+ - * /, fma, bit moves, compares), so that every step rounds
  // the same in the interpreter, C1 and C2; GenerateKernels.expBody/logBody are the same sequence
  // on lanes. The Vector API's EXP and LOG lanes are SVML's once C2 compiles a kernel and the Java
  // fallback's before, which can differ in the last bit.

  /** 1/ln 2 as float (Sleef's R_LN2f). */
  static final float LOG2E_F = 1.442695040888963407359924681001892137f;
  /** ln 2 in two parts (Sleef's L2Uf, L2Lf): {@code n * L2U_F} is exact for |n| &lt; 2^9. */
  static final float L2U_F = 0.693145751953125f, L2L_F = 1.428606765330187045e-06f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, found in the low bits. */
  static final float ROUND_MAGIC_F = 0x1.8p23f;
  static final int ROUND_MAGIC_BITS = 0x4b400000;
  /** exp(r) = 1 + r + r^2 (P0 + r (P1 + ...)) on |r| &lt;= ln2/2 (Sleef's expf minimax coefficients). */
  static final float EXP_P0 = 0.5f, EXP_P1 = 0.166666671633720397949219f, EXP_P2 = 0.0416664853692054748535156f,
      EXP_P3 = 0.00833336077630519866943359f, EXP_P4 = 0.00139304355252534151077271f,
      EXP_P5 = 0.000198527617612853646278381f;
  /** Below this exp rounds to +0 (exp(-103.97) = 2^-150), above this (clamped) it overflows to inf. */
  static final float EXP_LO_F = -104f, EXP_HI_F = 100f;

  /**
   * exp in float, within 1 ulp, identical bits in every compilation state: {@code n = rint(x / ln2)}
   * (by the 1.5 * 2^23 rounding trick), {@code r = x - n ln2} in two fused multiply-adds, a degree-7
   * polynomial, and 2^n as two exponent-field factors (so that results near the overflow and in the
   * subnormal range are rounded once). NaN gives NaN, exp(x &gt; 88.72...) = inf, exp(x &lt; -104) = 0
   * (PyTorch's values).
   */
  public static float exp(float d) {
    float x = d < EXP_LO_F ? EXP_LO_F : d;
    x = x > EXP_HI_F ? EXP_HI_F : x;
    int n = expExponent(x);
    float u = expMantissa(x);
    int n1 = n >> 1;
    u = u * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n - n1 + 127) << 23);
    return d < EXP_LO_F ? 0f : u;
  }

  /** Arguments below this are raised to it by {@link #expNonPositive}: 2^n stays a normal float. */
  static final float EXP_NORMAL_LO_F = -87f;

  /**
   * {@link #exp(float)} of an argument that is at most 0 (or NaN), for a caller to whom values below
   * exp(-87) ~ 1.6e-38 are all alike (GELU's erf: 1 - t q exp(-u^2) is 1 once exp(-u^2) is that small):
   * the argument raised to -87, and 2^n as one exponent-field factor, with no clamp above and no
   * underflow branch. From -87 to 0 the bits are exp's: u 2^n is rounded once both ways.
   */
  static float expNonPositive(float d) {
    float x = d < EXP_NORMAL_LO_F ? EXP_NORMAL_LO_F : d;
    return expMantissa(x) * Float.intBitsToFloat((expExponent(x) + 127) << 23);
  }

  /** exp's {@code n = rint(x / ln2)}, by the 1.5 * 2^23 rounding trick. */
  private static int expExponent(float x) {
    return Float.floatToRawIntBits(x * LOG2E_F + ROUND_MAGIC_F) - ROUND_MAGIC_BITS;
  }

  /** exp's {@code exp(x) / 2^n}: {@code r = x - n ln2} in two fused multiply-adds, then the polynomial. */
  private static float expMantissa(float x) {
    float t = x * LOG2E_F + ROUND_MAGIC_F;
    float nf = t - ROUND_MAGIC_F;
    float r = Math.fma(nf, -L2U_F, x);
    r = Math.fma(nf, -L2L_F, r);
    float u = Math.fma(EXP_P5, r, EXP_P4);
    u = Math.fma(u, r, EXP_P3);
    u = Math.fma(u, r, EXP_P2);
    u = Math.fma(u, r, EXP_P1);
    u = Math.fma(u, r, EXP_P0);
    return Math.fma(r * r, u, r) + 1f;
  }

  // ------------------------------------------------------------------ double exp and log
  // The same idea as the float pair: IEEE operations only, GenerateKernels.expBodyDouble/logBodyDouble
  // the same sequence on lanes. Shifts are logical on biased values (no 64-bit arithmetic shift, which AVX2
  // lacks) and k -> double goes through the 1.5 * 2^52 bits (no long -> double conversion, also
  // missing before AVX-512DQ), so the vector versions compile to plain instructions on AVX2 too.

  /** 1/ln 2 rounded to double. */
  static final double LOG2E = 0x1.71547652b82fep0;
  /** ln 2 in two parts (fdlibm's ln2_hi, ln2_lo): ln2_hi has 32 trailing zero bits. */
  static final double LN2_HI = 0x1.62e42feep-1, LN2_LO = 0x1.a39ef35793c76p-33;
  /** 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer, found in the low bits. */
  static final double ROUND_MAGIC = 0x1.8p52;
  static final long ROUND_MAGIC_BITS_D = 0x4338000000000000L;
  /**
   * exp(r) = 1 + r + r^2 (1/2! + r/3! + ... + r^11/13!) on |r| &lt;= ln2/2: the Taylor series, whose
   * first omitted term (r^14/14!) is below 4.3e-18, a 50th of an ulp of the result.
   */
  static final double EXP_C2 = 1.0 / 2, EXP_C3 = 1.0 / 6, EXP_C4 = 1.0 / 24, EXP_C5 = 1.0 / 120, EXP_C6 = 1.0 / 720,
      EXP_C7 = 1.0 / 5040, EXP_C8 = 1.0 / 40320, EXP_C9 = 1.0 / 362880, EXP_C10 = 1.0 / 3628800,
      EXP_C11 = 1.0 / 39916800, EXP_C12 = 1.0 / 479001600, EXP_C13 = 1.0 / 6227020800.0;
  /** Below this exp rounds to +0 (exp(-745.14) = 2^-1075), above this (clamped) it overflows to inf. */
  static final double EXP_LO = -746, EXP_HI = 710;
  /**
   * PyTorch's float64 exp (Sleef's) is inf above this, a little before the true overflow at
   * 709.782712893384 (exp(709.7827111495576) = 1.79769e308 is finite): torch.exp gives inf there, so
   * do we.
   */
  static final double EXP_OVERFLOW = 709.78271114955742909217217426;

  /**
   * exp in double, identical bits in every compilation state and in the vector kernels (which is
   * not true of {@code Math.exp} against the Vector API's EXP lanes): {@code n = rint(x / ln2)} by
   * the 1.5 * 2^52 trick, {@code r = x - n ln2} in two fused multiply-adds, the degree-13 Taylor
   * polynomial, and 2^n as two exponent-field factors (one rounding for subnormal results).
   * exp(NaN) = NaN, exp(x &gt; 709.7827111495575) = inf (PyTorch's threshold), exp(x &lt; -745.2) = 0.
   */
  public static double exp(double d) {
    double x = d < EXP_LO ? EXP_LO : d;
    x = x > EXP_HI ? EXP_HI : x;
    double t = x * LOG2E + ROUND_MAGIC;
    long n = Double.doubleToRawLongBits(t) - ROUND_MAGIC_BITS_D;
    double nf = t - ROUND_MAGIC;
    double r = Math.fma(nf, -LN2_HI, x);
    r = Math.fma(nf, -LN2_LO, r);
    double u = Math.fma(EXP_C13, r, EXP_C12);
    u = Math.fma(u, r, EXP_C11);
    u = Math.fma(u, r, EXP_C10);
    u = Math.fma(u, r, EXP_C9);
    u = Math.fma(u, r, EXP_C8);
    u = Math.fma(u, r, EXP_C7);
    u = Math.fma(u, r, EXP_C6);
    u = Math.fma(u, r, EXP_C5);
    u = Math.fma(u, r, EXP_C4);
    u = Math.fma(u, r, EXP_C3);
    u = Math.fma(u, r, EXP_C2);
    u = Math.fma(r * r, u, r) + 1.0;
    long n1 = ((n + 2048) >>> 1) - 1024;   // floor(n / 2) for |n| <= 2048 with a logical shift
    u = u * Double.longBitsToDouble((n1 + 1023) << 52) * Double.longBitsToDouble((n - n1 + 1023) << 52);
    u = d > EXP_OVERFLOW ? Double.POSITIVE_INFINITY : u;
    return d < EXP_LO ? 0 : u;
  }

  /** ln 2 in two parts (fdlibm's e_logf.c): {@code k * LN2_HI_F} is exact for |k| &lt; 2^8. */
  static final float LN2_HI_F = 0x1.62e3p-1f, LN2_LO_F = 0x1.2fefa2p-17f;
  /** log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f) (fdlibm's e_logf.c Lg1..Lg4). */
  static final float LG1 = 0xaaaaaa.0p-24f, LG2 = 0xccce13.0p-25f, LG3 = 0x91e9ee.0p-25f, LG4 = 0xf89e26.0p-26f;
  /** The bits of sqrt(1/2): mantissas are reduced to [sqrt(1/2), sqrt(2)). */
  static final int SQRT_HALF_BITS = 0x3f3504f3;

  /**
   * log in float, within 1 ulp, identical bits in every compilation state: {@code x = 2^k m} with
   * m in [sqrt(1/2), sqrt(2)) by exponent bits (subnormals scaled by 2^23 first), {@code f = m - 1},
   * fdlibm's {@code log1p(f)} in s = f / (2 + f), plus {@code k ln2} in two parts. log(0) = -inf,
   * log(x &lt; 0) = NaN, log(inf) = inf, NaN gives NaN (PyTorch's values).
   */
  public static float log(float d) {
    boolean tiny = d < Float.MIN_NORMAL;
    float x = tiny ? d * 0x1p23f : d;
    int bits = Float.floatToRawIntBits(x);
    int k = (bits - SQRT_HALF_BITS) >> 23;
    float m = Float.intBitsToFloat(bits - (k << 23));
    k = tiny ? k - 23 : k;
    float f = m - 1f;
    float s = f / (f + 2f);
    float z = s * s;
    float w = z * z;
    float rr = Math.fma(w, Math.fma(w, LG4, LG2), z * Math.fma(w, LG3, LG1));
    float hfsq = 0.5f * f * f;
    float dk = (float) k;
    float r = Math.fma(dk, LN2_HI_F, -((hfsq - Math.fma(s, hfsq + rr, dk * LN2_LO_F)) - f));
    r = d == Float.POSITIVE_INFINITY ? d : r;
    r = d == 0f ? Float.NEGATIVE_INFINITY : r;
    return d < 0f || d != d ? Float.NaN : r;
  }

  /** log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f) (fdlibm's e_log.c Lg1..Lg7). */
  static final double LGD1 = 6.666666666666735130e-01, LGD2 = 3.999999999940941908e-01,
      LGD3 = 2.857142874366239149e-01, LGD4 = 2.222219843214978396e-01, LGD5 = 1.818357216161805012e-01,
      LGD6 = 1.531383769920937332e-01, LGD7 = 1.479819860511658591e-01;
  /** The bits of sqrt(1/2) rounded to double: mantissas are reduced to [sqrt(1/2), sqrt(2)). */
  static final long SQRT_HALF_BITS_D = 0x3fe6a09e667f3bcdL;
  /** 2^62, added before the exponent field is shifted out so that the shift may be logical. */
  static final long LOG_BIAS = 1L << 62;

  /**
   * log in double, identical bits in every compilation state and in the vector kernels:
   * {@code x = 2^k m} with m in [sqrt(1/2), sqrt(2)) by exponent bits (subnormals scaled by 2^54
   * first), {@code f = m - 1}, fdlibm's {@code log1p(f)} in s = f / (2 + f), plus {@code k ln2} in
   * two parts. log(0) = -inf, log(x &lt; 0) = NaN, log(inf) = inf, NaN gives NaN.
   */
  public static double log(double d) {
    boolean tiny = d < Double.MIN_NORMAL;
    double x = tiny ? d * 0x1p54 : d;
    long bits = Double.doubleToRawLongBits(x);
    long kb = (bits - SQRT_HALF_BITS_D + LOG_BIAS) >>> 52;   // k + 1024
    double m = Double.longBitsToDouble(bits - ((kb - 1024) << 52));
    kb = tiny ? kb - 54 : kb;
    double f = m - 1.0;
    double s = f / (f + 2.0);
    double z = s * s;
    double w = z * z;
    double t1 = w * Math.fma(w, Math.fma(w, LGD6, LGD4), LGD2);
    double t2 = z * Math.fma(w, Math.fma(w, Math.fma(w, LGD7, LGD5), LGD3), LGD1);
    double rr = t2 + t1;
    double hfsq = 0.5 * f * f;
    double dk = Double.longBitsToDouble(ROUND_MAGIC_BITS_D + kb - 1024) - ROUND_MAGIC;   // exact: |k| < 2^11
    double r = Math.fma(dk, LN2_HI, -((hfsq - Math.fma(s, hfsq + rr, dk * LN2_LO)) - f));
    r = d == Double.POSITIVE_INFINITY ? d : r;
    r = d == 0 ? Double.NEGATIVE_INFINITY : r;
    return d < 0 || d != d ? Double.NaN : r;
  }

  public static float log2(float x) {
    return (float) (Math.log(x) / LN2);
  }

  public static double log2(double x) {
    return Math.log(x) / LN2;
  }

  /** 1, -1 or 0 (also for NaN, as PyTorch). */
  public static float sign(float x) {
    return x > 0 ? 1 : x < 0 ? -1 : 0;
  }

  public static double sign(double x) {
    return x > 0 ? 1 : x < 0 ? -1 : 0;
  }

  /** Rounding toward zero; -0.5 gives -0.0 as C's trunc. */
  public static float trunc(float x) {
    return (float) (x < 0 ? Math.ceil(x) : Math.floor(x));
  }

  public static double trunc(double x) {
    return x < 0 ? Math.ceil(x) : Math.floor(x);
  }

  /**
   * erf in float: a Taylor polynomial below 0.5, 1 - erfc (Chebyshev fit) above; within 1.2e-7
   * relative of the exact value, evaluated in float exactly as {@link VectorMath#erf} does.
   */
  public static float erf(float x) {
    float ax = Math.abs(x);
    if (ax < 0.5f) {
      float x2 = x * x;
      return x * ((float) E0 + x2 * ((float) E1 + x2 * ((float) E2 + x2 * ((float) E3 + x2 * ((float) E4 + x2 * (float) E5)))));
    }
    float t = 1 / (1 + 0.5f * ax);
    float poly = (float) C0 + t * ((float) C1 + t * ((float) C2 + t * ((float) C3 + t * ((float) C4 + t * ((float) C5
        + t * ((float) C6 + t * ((float) C7 + t * ((float) C8 + t * (float) C9))))))));
    float erfc = t * exp(-ax * ax + poly);
    return Math.copySign(1 - erfc, x);
  }

  /**
   * erf in double to the last bits: below 2.5 the everywhere-positive series
   * {@code 2/sqrt(pi) exp(-x^2) sum (2x^2)^n x / (1*3*...*(2n+1))}, above it 1 - erfc from erfc's
   * continued fraction (no cancellation in either).
   */
  public static double erf(double x) {
    double ax = Math.abs(x);
    if (Double.isNaN(x)) return x;
    if (ax >= 6) return Math.copySign(1, x);
    double r;
    if (ax < 2.5) {
      double x2 = ax * ax, term = ax, sum = ax;
      for (int n = 1; term > sum * 1e-17; n++) {
        term *= 2 * x2 / (2 * n + 1);
        sum += term;
      }
      r = 2 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
    } else {
      double f = ax;
      for (int n = 60; n >= 1; n--) f = ax + (n / 2.0) / f;
      r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    }
    return Math.copySign(r, x);
  }

  /**
   * GELU, erf form: {@code x * 0.5 * (1 + erf(x / sqrt 2))} as PyTorch's vectorised float kernel
   * computes it: erf by Abramowitz and Stegun 7.1.26, {@code sign(u) (1 - t (a1 + t (a2 + t (a3 +
   * t (a4 + t a5)))) exp(-u^2))} with {@code t = 1 / (1 + p |u|)} (absolute error below 1.5e-7),
   * in the same fused multiply-adds ({@code Vectorized<float>::erf}); one division and one exp
   * where an accurate erf takes two polynomial branches.
   */
  public static float gelu(float x) {
    float u = x * (float) SQRT1_2;
    float t = 1 / Math.fma((float) AS_P, Math.abs(u), 1f);
    float q = Math.fma(Math.fma(Math.fma(Math.fma((float) AS_A5, t, (float) AS_A4), t, (float) AS_A3), t,
        (float) AS_A2), t, (float) AS_A1);
    float m = Math.fma(-expNonPositive(-(u * u)) * t, q, 1f);
    float e = u < 0 ? -m : m;
    return x * 0.5f * (e + 1);
  }

  /** Abramowitz and Stegun 7.1.26's constants (PyTorch's {@code Vectorized<float>::erf}). */
  static final double AS_P = 0.3275911, AS_A1 = 0.254829592, AS_A2 = -0.284496736, AS_A3 = 1.421413741,
      AS_A4 = -1.453152027, AS_A5 = 1.061405429;

  public static double gelu(double x) {
    return x * 0.5 * (1 + erf(x * SQRT1_2));
  }

  static final double SQRT1_2 = Math.sqrt(0.5);
  /** Below this |x| tanh is its odd polynomial; above, 1 - 2 / (exp(2|x|) + 1). */
  static final float TANH_SMALL = 0.9f;
  /**
   * tanh(x) = x + x^3 Q(x^2) on |x| &lt; 0.9: Q's coefficients a near-minimax fit of the relative
   * error (Lawson-weighted least squares in float64 with mpmath's tanh as reference, then rounded to
   * float; generator: src/build/kernels/fit_tanh.py).
   */
  static final float TH0 = -0.33333322405815125f, TH1 = 0.13332977890968323f, TH2 = -0.053929299116134644f,
      TH3 = 0.02166352979838848f, TH4 = -0.008264519274234772f, TH5 = 0.0025826457422226667f,
      TH6 = -0.00045545215834863484f;

  /**
   * tanh in float from IEEE operations and {@link #exp(float)} only, so the same bits in every
   * compilation state and in the vector kernels (GenerateKernels.tanhBody; the Vector API's TANH
   * lanes are SVML's under C2 and {@code Math.tanh}'s before): the odd polynomial below 0.9, else
   * {@code 1 - 2 / (exp(2|x|) + 1)} with x's sign. Within 1 ulp of the float64 value over every
   * float (0.996 ulp, measured exhaustively; TanhTest samples it); tanh(+-0) = +-0, tanh(+-inf) = +-1, NaN gives NaN.
   */
  public static float tanh(float x) {
    float z = x * x;
    float q = Math.fma(TH6, z, TH5);
    q = Math.fma(q, z, TH4);
    q = Math.fma(q, z, TH3);
    q = Math.fma(q, z, TH2);
    q = Math.fma(q, z, TH1);
    q = Math.fma(q, z, TH0);
    float small = Math.fma(x * z, q, x);
    float a = Math.abs(x);
    float large = 1f - 2f / (exp(a + a) + 1f);
    large = x < 0 ? -large : large;
    float r = a < TANH_SMALL ? small : large;
    return x == 0 ? x : r;   // the polynomial's sum gives +0 for -0
  }

  /** The double kernels' tanh: {@code Math.tanh} (the Vector API's TANH lanes on the vector side). */
  public static double tanh(double x) {
    return Math.tanh(x);
  }

  /** sqrt(2 / pi), PyTorch's kBeta of the tanh GELU. */
  static final double GELU_BETA = Math.sqrt(2) * (2 / Math.sqrt(Math.PI)) * 0.5;
  static final double GELU_KAPPA = 0.044715;

  /** GELU, tanh form: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  public static float geluTanh(float x) {
    float inner = (float) GELU_BETA * (x + (float) GELU_KAPPA * (x * x * x));
    return 0.5f * x * (1 + tanh(inner));
  }

  public static double geluTanh(double x) {
    double inner = GELU_BETA * (x + GELU_KAPPA * (x * x * x));
    return 0.5 * x * (1 + Math.tanh(inner));
  }

  /** {@code x * tanh(log1p(exp(x)))}, with the IEEE-only exp, log and tanh (the same bits in every JIT state). */
  public static float mish(float x) {
    return x * tanh(log1pOfNonNegative(exp(x)));
  }

  /**
   * log1p(y) for y &gt;= 0 (softplus's and mish's exp) from the IEEE-only log: {@code log(u) + (y - (u -
   * 1)) / u} with u = 1 + y rounded, the second term the first order correction for that rounding
   * (u - 1 is exact here); within about 1 ulp. log1p(inf) = inf.
   */
  static float log1pOfNonNegative(float y) {
    float u = y + 1f;
    float l = log(u);
    float c = (y - (u - 1f)) / u;
    return u == Float.POSITIVE_INFINITY ? l : l + c;
  }

  public static double mish(double x) {
    return x * Math.tanh(Math.log1p(Math.exp(x)));
  }

  /** {@code x} where {@code x * beta > threshold}, else {@code log1p(exp(x * beta)) / beta}. */
  public static float softplus(float x, float beta, float threshold) {
    float bx = x * beta;
    return bx > threshold ? x : log1pOfNonNegative(exp(bx)) / beta;
  }

  public static double softplus(double x, double beta, double threshold) {
    double bx = x * beta;
    return bx > threshold ? x : Math.log1p(Math.exp(bx)) / beta;
  }

  /**
   * {@code x} above 0, else {@code alpha * (exp(x) - 1)}: PyTorch's elementwise loop computes exp - 1
   * (its vector body expm1), and exp - 1 cancels near 0, so matching it needs a correctly rounded
   * float exp; {@code Math.exp} rounded to float is, the IEEE-only {@link #exp(float)} (99.2%) is not.
   * So elu stays on {@code Math.exp} here and on the Vector API's EXP lanes in the vector kernels:
   * deterministic only once a JVM is warm (docs/reliability.md).
   */
  public static float elu(float x, float alpha) {
    return x > 0 ? x : ((float) Math.exp(x) - 1) * alpha;
  }

  public static double elu(double x, double alpha) {
    return x > 0 ? x : (Math.exp(x) - 1) * alpha;
  }

  /**
   * C++'s {@code std::min(std::max(x, lo), hi)} as PyTorch computes clamp: a bound replaces x only
   * when strictly beyond it, so NaN stays NaN and -0.0 stays -0.0 at a bound of 0.
   */
  public static float clamp(float x, float lo, float hi) {
    float y = x < lo ? lo : x;
    return hi < y ? hi : y;
  }

  public static double clamp(double x, double lo, double hi) {
    double y = x < lo ? lo : x;
    return hi < y ? hi : y;
  }
}
