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
    float erfc = t * (float) Math.exp(-ax * ax + poly);
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
    float m = Math.fma(-(float) Math.exp(-(u * u)) * t, q, 1f);
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
  /** sqrt(2 / pi), PyTorch's kBeta of the tanh GELU. */
  static final double GELU_BETA = Math.sqrt(2) * (2 / Math.sqrt(Math.PI)) * 0.5;
  static final double GELU_KAPPA = 0.044715;

  /** GELU, tanh form: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  public static float geluTanh(float x) {
    float inner = (float) GELU_BETA * (x + (float) GELU_KAPPA * (x * x * x));
    return 0.5f * x * (1 + (float) Math.tanh(inner));
  }

  public static double geluTanh(double x) {
    double inner = GELU_BETA * (x + GELU_KAPPA * (x * x * x));
    return 0.5 * x * (1 + Math.tanh(inner));
  }

  /** {@code x * tanh(log1p(exp(x)))}. */
  public static float mish(float x) {
    return x * (float) Math.tanh((float) Math.log1p((float) Math.exp(x)));
  }

  public static double mish(double x) {
    return x * Math.tanh(Math.log1p(Math.exp(x)));
  }

  /** {@code x} where {@code x * beta > threshold}, else {@code log1p(exp(x * beta)) / beta}. */
  public static float softplus(float x, float beta, float threshold) {
    float bx = x * beta;
    return bx > threshold ? x : (float) Math.log1p((float) Math.exp(bx)) / beta;
  }

  public static double softplus(double x, double beta, double threshold) {
    double bx = x * beta;
    return bx > threshold ? x : Math.log1p(Math.exp(bx)) / beta;
  }

  /** {@code x} above 0, else {@code alpha * (exp(x) - 1)} (PyTorch computes exp - 1, not expm1). */
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
