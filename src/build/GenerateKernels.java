import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Expands the kernel templates in {@code src/build/kernels} into one Java class per element type,
 * so that float and double kernels have one source of truth (the JDK's own Vector API sources are
 * generated the same way). Run by Maven in generate-sources:
 * {@code java src/build/GenerateKernels.java <template dir> <output dir>}.
 *
 * <p>Template syntax: {@code $Type$ $type$ $TYPE$ $BYTES$} name the element type; the lines between
 * {@code //#foreach-op} and {@code //#end} are repeated once per binary op with {@code $Op$ $OP$ $op$}
 * (Add, ADD, add) and {@code $sop$} (the Java operator: + - * /). A line {@code //#native} opening
 * a method's body: see {@link #guardNative}.
 */
public final class GenerateKernels {
  private static final List<Map<String, String>> TYPES = List.of(
      Map.of("$Type$", "Float", "$type$", "float", "$TYPE$", "FLOAT", "$BYTES$", "4"),
      Map.of("$Type$", "Double", "$type$", "double", "$TYPE$", "DOUBLE", "$BYTES$", "8"),
      // int64: add, sub, mul in long arithmetic (wrapping as PyTorch's); division never reaches these
      // kernels (PyTorch's div of integers is true division in float32).
      Map.of("$Type$", "Long", "$type$", "long", "$TYPE$", "LONG", "$BYTES$", "8"));
  private static final List<Map<String, String>> OPS = List.of(
      Map.of("$Op$", "Add", "$OP$", "ADD", "$op$", "add", "$sop$", "+"),
      Map.of("$Op$", "Sub", "$OP$", "SUB", "$op$", "sub", "$sop$", "-"),
      Map.of("$Op$", "Mul", "$OP$", "MUL", "$op$", "mul", "$sop$", "*"),
      Map.of("$Op$", "Div", "$OP$", "DIV", "$op$", "div", "$sop$", "/"));

  /**
   * The unary ops of the floating point kernels: {@code $vexpr$} computes a vector from {@code v}
   * (or, for functions too large to be a call, {@code $vbody$} statements compute {@code r}, inline in
   * the loop: a vector passed to a method that C2 does not inline is boxed, 4x slower)
   * (constants {@code zero}, {@code one}, parameters {@code p1}, {@code p2} as vectors), {@code $sexpr$}
   * the same element from {@code x} (parameters {@code s1}, {@code s2}), with the same roundings, so
   * the scalar twin agrees with the vector kernel to the ulp of the transcendental functions.
   * Functions that need more than an expression live in {@code VectorMath} and {@code ScalarMath}.
   */
  /**
   * The unary ops that cost a few instructions per element, so that memory traffic bounds them:
   * they run at the streaming width ({@code SPECIES}); all others at {@code MATH_SPECIES}.
   */
  private static final java.util.Set<String> MEMORY_BOUND = java.util.Set.of("SQRT", "RSQRT", "ABS", "SIGN",
      "RECIPROCAL", "SQUARE", "RELU", "FLOOR", "CEIL", "ROUND", "TRUNC", "FRAC", "LEAKY_RELU", "CLAMP", "NEG");

  private static final List<Map<String, String>> UNARY = List.of(
      // exp and log: IEEE operations only (expBody/logBody here, ScalarMath.exp/log), the same bits
      // before and after C2 compiles the kernel (the sequences inline: as calls C2 would not inline them)
      unaryBody("EXP", expBody("v", "r"), expBodyDouble("v", "r"), "ScalarMath.exp(x)"),
      unary("EXP2", "VectorMath.exp2(v)", "($type$) Math.pow(2, x)"),
      unary("EXPM1", "v.lanewise(VectorOperators.EXPM1)", "($type$) Math.expm1(x)"),
      unaryBody("LOG", logBody("v", "r"), logBodyDouble("v", "r"), "ScalarMath.log(x)"),
      unary("LOG2", "VectorMath.log2(v)", "ScalarMath.log2(x)"),
      unary("LOG10", "v.lanewise(VectorOperators.LOG10)", "($type$) Math.log10(x)"),
      unary("LOG1P", "v.lanewise(VectorOperators.LOG1P)", "($type$) Math.log1p(x)"),
      unary("SQRT", "v.lanewise(VectorOperators.SQRT)", "($type$) Math.sqrt(x)"),
      unary("RSQRT", "one.div(v.lanewise(VectorOperators.SQRT))", "($type$) (1 / ($type$) Math.sqrt(x))"),
      unary("ABS", "v.lanewise(VectorOperators.ABS)", "Math.abs(x)"),
      unary("SIGN", "VectorMath.sign(v)", "ScalarMath.sign(x)"),
      unary("RECIPROCAL", "one.div(v)", "($type$) (1 / x)"),
      unary("SQUARE", "v.mul(v)", "($type$) (x * x)"),
      unary("SIN", "v.lanewise(VectorOperators.SIN)", "($type$) Math.sin(x)"),
      unary("COS", "v.lanewise(VectorOperators.COS)", "($type$) Math.cos(x)"),
      unary("TAN", "v.lanewise(VectorOperators.TAN)", "($type$) Math.tan(x)"),
      unary("ASIN", "v.lanewise(VectorOperators.ASIN)", "($type$) Math.asin(x)"),
      unary("ACOS", "v.lanewise(VectorOperators.ACOS)", "($type$) Math.acos(x)"),
      unary("ATAN", "v.lanewise(VectorOperators.ATAN)", "($type$) Math.atan(x)"),
      unary("SINH", "v.lanewise(VectorOperators.SINH)", "($type$) Math.sinh(x)"),
      unary("COSH", "v.lanewise(VectorOperators.COSH)", "($type$) Math.cosh(x)"),
      // tanh in float: IEEE operations and the inline exp only (ScalarMath.tanh(float)), JIT-independent
      unaryBody("TANH", tanhBody("v", "r"), "var r = v.lanewise(VectorOperators.TANH);", "ScalarMath.tanh(x)"),
      unaryBody("SIGMOID", "var nv_ = v.neg();\n" + expBody("nv_", "e_") + "\nvar r = one.div(one.add(e_));",
          "var nv_ = v.neg();\n" + expBodyDouble("nv_", "e_") + "\nvar r = one.div(one.add(e_));",
          "($type$) (1 / (1 + ScalarMath.exp(-x)))"),
      unary("RELU", "v.blend(zero, v.compare(VectorOperators.LT, zero))", "x < 0 ? 0 : x"),
      unaryBody("ERF", erfBody("v", "r"), "var r = VectorMath.erf(v);", "ScalarMath.erf(x)"),
      unary("FLOOR", "VectorMath.floor(v)", "($type$) Math.floor(x)"),
      unary("CEIL", "VectorMath.ceil(v)", "($type$) Math.ceil(x)"),
      unary("ROUND", "VectorMath.rint(v)", "($type$) Math.rint(x)"),
      unary("TRUNC", "VectorMath.trunc(v)", "ScalarMath.trunc(x)"),
      unary("FRAC", "v.sub(VectorMath.trunc(v))", "($type$) (x - ScalarMath.trunc(x))"),
      // float: PyTorch's vectorised GELU, whose erf is Abramowitz & Stegun 7.1.26 (ScalarMath.gelu(float))
      unaryBody("GELU", ("var u = v.mul(($type$) ScalarMath.SQRT1_2);\n"
          + "var t = one.div(u.lanewise(VectorOperators.ABS).fma(AS(P), one));\n"
          + "var q = t.fma(AS(A5), AS(A4)).fma(t, AS(A3)).fma(t, AS(A2)).fma(t, AS(A1));\n"
          + "var uu_ = u.mul(u).neg();\n" + expNonPositiveBody("uu_", "eu_") + "\n"
          + "var g = eu_.neg().mul(t).fma(q, one);\n"
          + "var e = g.blend(g.neg(), u.compare(VectorOperators.LT, 0));\n"
          + "var r = v.mul(($type$) 0.5).mul(e.add(1));")
              .replace("AS(", "$Type$Vector.broadcast(MATH_SPECIES, ($type$) ScalarMath.AS_"),
          "var r = VectorMath.gelu(v);", "ScalarMath.gelu(x)"),
      unaryBody("GELU_TANH", "var gt_in = v.mul(v).mul(v).mul((float) ScalarMath.GELU_KAPPA).add(v).mul((float) ScalarMath.GELU_BETA);\n"
          + tanhBody("gt_in", "gt_t") + "\nvar r = v.mul(0.5f).mul(gt_t.add(1f));",
          "var r = VectorMath.geluTanh(v);", "ScalarMath.geluTanh(x)"),
      unaryBody("SILU", "var nv_ = v.neg();\n" + expBody("nv_", "e_") + "\nvar r = v.div(one.add(e_));",
          "var nv_ = v.neg();\n" + expBodyDouble("nv_", "e_") + "\nvar r = v.div(one.add(e_));",
          "($type$) (x / (1 + ScalarMath.exp(-x)))"),
      // mish and softplus in float: the inline IEEE-only exp, log and tanh (ScalarMath's same sequences)
      unaryBody("MISH", expBody("v", "mi_e") + "\n" + log1pBody("mi_e", "mi_sp") + "\n" + tanhBody("mi_sp", "mi_t")
          + "\nvar r = v.mul(mi_t);", "var r = VectorMath.mish(v);", "ScalarMath.mish(x)"),
      unaryBody("SOFTPLUS", "var sp_bx = v.mul(p1);\n" + expBody("sp_bx", "sp_e") + "\n" + log1pBody("sp_e", "sp_l")
          + "\nvar r = sp_l.div(p1).blend(v, sp_bx.compare(VectorOperators.GT, p2));",
          "var r = VectorMath.softplus(v, p1, p2);", "ScalarMath.softplus(x, s1, s2)"),
      unary("ELU", "VectorMath.elu(v, p1)", "ScalarMath.elu(x, s1)"),   // Vector API EXP lanes: see ScalarMath.elu
      unary("LEAKY_RELU", "v.blend(v.mul(p1), v.compare(VectorOperators.LE, zero))", "x > 0 ? x : ($type$) (x * s1)"),
      unary("CLAMP", "VectorMath.clamp(v, p1, p2)", "ScalarMath.clamp(x, s1, s2)"),
      // the kernels' neg (a sign flip, exact), as a unary op so that fused chains have its formula
      unary("NEG", "v.neg()", "-x"));

  /**
   * The float erf of {@code ScalarMath.erf(float)} as statements from vector {@code in} to a new
   * vector {@code out}: a Taylor polynomial below 0.5, 1 - erfc (Chebyshev fit) above.
   */
  private static String erfBody(String in, String out) {
    String c = "($type$) ScalarMath.";
    return ("var ax_ = IN.lanewise(VectorOperators.ABS);\n"
        + "var x2_ = IN.mul(IN);\n"
        + "var small_ = IN.mul(x2_.mul(CE5).add(CE4).mul(x2_).add(CE3).mul(x2_).add(CE2).mul(x2_).add(CE1).mul(x2_).add(CE0));\n"
        + "var t_ = one.div(ax_.mul(($type$) 0.5).add(one));\n"
        + "var poly_ = t_.mul(CC9).add(CC8).mul(t_).add(CC7).mul(t_).add(CC6).mul(t_).add(CC5).mul(t_).add(CC4).mul(t_)"
        + ".add(CC3).mul(t_).add(CC2).mul(t_).add(CC1).mul(t_).add(CC0);\n"
        + "var ein_ = ax_.mul(ax_).neg().add(poly_);\n" + expBody("ein_", "eout_") + "\n"
        + "var large_ = one.sub(t_.mul(eout_));\n"
        + "large_ = large_.blend(large_.neg(), IN.compare(VectorOperators.LT, 0));\n"
        + "var OUT = large_.blend(small_, ax_.compare(VectorOperators.LT, ($type$) 0.5));")
        .replace("IN", in).replace("OUT", out).replace("CE", c + "E").replace("CC", c + "C");
  }

  /**
   * {@code ScalarMath.exp(float)} on float lanes as statements from vector {@code in} to a new vector
   * {@code out} (the same operations in the same order, inline in the loop; names prefixed ex_),
   * for the float kernels ({@link #expBodyDouble} for the double ones).
   */
  static String expBody(String in, String out) {
    return ("var ex_x = @IN@.blend(SM.EXP_LO_F, @IN@.compare(VectorOperators.LT, SM.EXP_LO_F));\n"
        + "ex_x = ex_x.blend(SM.EXP_HI_F, ex_x.compare(VectorOperators.GT, SM.EXP_HI_F));\n"
        + expReduction("ex_")
        + "var ex_n1 = ex_n.lanewise(VectorOperators.ASHR, 1);\n"
        + "ex_u = ex_u.mul(ex_n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())"
        + ".mul(ex_n.sub(ex_n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());\n"
        + "var @OUT@ = ex_u.blend(0f, @IN@.compare(VectorOperators.LT, SM.EXP_LO_F));")
        .replace("@IN@", in).replace("@OUT@", out).replace("SM.", "ScalarMath.");
  }

  /**
   * {@code ScalarMath.expNonPositive(float)} on float lanes (names prefixed exn_): exp of arguments
   * at most 0 raised to -87, 2^n one exponent-field factor; {@link #expBody}'s bits from -87 to 0.
   */
  static String expNonPositiveBody(String in, String out) {
    return ("var exn_x = @IN@.blend(SM.EXP_NORMAL_LO_F, @IN@.compare(VectorOperators.LT, SM.EXP_NORMAL_LO_F));\n"
        + expReduction("exn_")
        + "var @OUT@ = exn_u.mul(exn_n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());")
        .replace("@IN@", in).replace("@OUT@", out).replace("SM.", "ScalarMath.");
  }

  /**
   * The float exps' shared part ({@code ScalarMath.expExponent} and {@code expMantissa}) from the
   * clamped argument {@code <p>x}: {@code <p>n = rint(x / ln2)} and {@code <p>u = exp(x) / 2^n}.
   */
  private static String expReduction(String p) {
    return ("var @t = @x.mul(SM.LOG2E_F).add(SM.ROUND_MAGIC_F);\n"
        + "var @n = @t.reinterpretAsInts().sub(SM.ROUND_MAGIC_BITS);\n"
        + "var @nf = @t.sub(SM.ROUND_MAGIC_F);\n"
        + "var @r = @nf.fma(@x.broadcast(-SM.L2U_F), @x);\n"
        + "@r = @nf.fma(@x.broadcast(-SM.L2L_F), @r);\n"
        + "var @u = @r.fma(SM.EXP_P5, SM.EXP_P4).fma(@r, @r.broadcast(SM.EXP_P3)).fma(@r, @r.broadcast(SM.EXP_P2))"
        + ".fma(@r, @r.broadcast(SM.EXP_P1)).fma(@r, @r.broadcast(SM.EXP_P0));\n"
        + "@u = @r.mul(@r).fma(@u, @r).add(1f);\n").replace("@", p);
  }

  /**
   * {@code ScalarMath.exp(double)} on double lanes as statements from vector {@code in} to a new
   * vector {@code out} (names prefixed exd_), inline in the loop: as a method call it is too large
   * for C2 to inline into the kernels' loops, and its vectors would be boxed.
   */
  static String expBodyDouble(String in, String out) {
    StringBuilder poly = new StringBuilder("var exd_u = exd_r.fma(SM.EXP_C13, SM.EXP_C12)");
    for (int k = 11; k >= 2; k--) poly.append(".fma(exd_r, exd_r.broadcast(SM.EXP_C").append(k).append("))");
    return ("var exd_x = @IN@.blend(SM.EXP_LO, @IN@.compare(VectorOperators.LT, SM.EXP_LO));\n"
        + "exd_x = exd_x.blend(SM.EXP_HI, exd_x.compare(VectorOperators.GT, SM.EXP_HI));\n"
        + "var exd_t = exd_x.mul(SM.LOG2E).add(SM.ROUND_MAGIC);\n"
        + "var exd_n = exd_t.reinterpretAsLongs().sub(SM.ROUND_MAGIC_BITS_D);\n"
        + "var exd_nf = exd_t.sub(SM.ROUND_MAGIC);\n"
        + "var exd_r = exd_nf.fma(exd_x.broadcast(-SM.LN2_HI), exd_x);\n"
        + "exd_r = exd_nf.fma(exd_x.broadcast(-SM.LN2_LO), exd_r);\n"
        + poly + ";\n"
        + "exd_u = exd_r.mul(exd_r).fma(exd_u, exd_r).add(1.0);\n"
        + "var exd_n1 = exd_n.add(2048).lanewise(VectorOperators.LSHR, 1).sub(1024);\n"
        + "exd_u = exd_u.mul(exd_n1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())"
        + ".mul(exd_n.sub(exd_n1).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles());\n"
        + "exd_u = exd_u.blend(Double.POSITIVE_INFINITY, @IN@.compare(VectorOperators.GT, SM.EXP_OVERFLOW));\n"
        + "var @OUT@ = exd_u.blend(0.0, @IN@.compare(VectorOperators.LT, SM.EXP_LO));")
        .replace("@IN@", in).replace("@OUT@", out).replace("SM.", "ScalarMath.");
  }

  /** {@code ScalarMath.log(double)} on double lanes as statements (names prefixed lgd_), inline as {@link #expBodyDouble}. */
  static String logBodyDouble(String in, String out) {
    return ("var lgd_tiny = @IN@.compare(VectorOperators.LT, Double.MIN_NORMAL);\n"
        + "var lgd_bits = @IN@.blend(@IN@.mul(0x1p54), lgd_tiny).reinterpretAsLongs();\n"
        + "var lgd_kb = lgd_bits.sub(SM.SQRT_HALF_BITS_D).add(SM.LOG_BIAS).lanewise(VectorOperators.LSHR, 52);\n"
        + "var lgd_f = lgd_bits.sub(lgd_kb.sub(1024).lanewise(VectorOperators.LSHL, 52)).reinterpretAsDoubles().sub(1.0);\n"
        + "lgd_kb = lgd_kb.blend(lgd_kb.sub(54), lgd_tiny.cast(lgd_kb.species()));\n"
        + "var lgd_s = lgd_f.div(lgd_f.add(2.0));\n"
        + "var lgd_z = lgd_s.mul(lgd_s);\n"
        + "var lgd_w = lgd_z.mul(lgd_z);\n"
        + "var lgd_t1 = lgd_w.mul(lgd_w.fma(lgd_w.fma(SM.LGD6, SM.LGD4), lgd_w.broadcast(SM.LGD2)));\n"
        + "var lgd_t2 = lgd_z.mul(lgd_w.fma(lgd_w.fma(lgd_w.fma(SM.LGD7, SM.LGD5), lgd_w.broadcast(SM.LGD3)), lgd_w.broadcast(SM.LGD1)));\n"
        + "var lgd_rr = lgd_t2.add(lgd_t1);\n"
        + "var lgd_hfsq = lgd_f.mul(0.5).mul(lgd_f);\n"
        + "var lgd_dk = lgd_kb.add(SM.ROUND_MAGIC_BITS_D - 1024).reinterpretAsDoubles().sub(SM.ROUND_MAGIC);\n"
        + "var lgd_r = lgd_dk.fma(lgd_dk.broadcast(SM.LN2_HI), lgd_hfsq.sub(lgd_s.fma(lgd_hfsq.add(lgd_rr), lgd_dk.mul(SM.LN2_LO))).sub(lgd_f).neg());\n"
        + "lgd_r = lgd_r.blend(@IN@, @IN@.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY));\n"
        + "lgd_r = lgd_r.blend(Double.NEGATIVE_INFINITY, @IN@.compare(VectorOperators.EQ, 0.0));\n"
        + "var @OUT@ = lgd_r.blend(Double.NaN, @IN@.compare(VectorOperators.LT, 0.0).or(@IN@.test(VectorOperators.IS_NAN)));")
        .replace("@IN@", in).replace("@OUT@", out).replace("SM.", "ScalarMath.");
  }

  /** {@code ScalarMath.tanh(float)} on float lanes as statements (names prefixed th_), float kernels only. */
  static String tanhBody(String in, String out) {
    return ("var th_z = @IN@.mul(@IN@);\n"
        + "var th_q = th_z.fma(SM.TH6, SM.TH5).fma(th_z, th_z.broadcast(SM.TH4)).fma(th_z, th_z.broadcast(SM.TH3))"
        + ".fma(th_z, th_z.broadcast(SM.TH2)).fma(th_z, th_z.broadcast(SM.TH1)).fma(th_z, th_z.broadcast(SM.TH0));\n"
        + "var th_small = @IN@.mul(th_z).fma(th_q, @IN@);\n"
        + "var th_a = @IN@.lanewise(VectorOperators.ABS);\n"
        + "var th_2a = th_a.add(th_a);\n"
        + expBody("th_2a", "th_e").replace("ex_", "thx_") + "\n"   // its own names: mish has an exp before it
        + "var th_large = th_e.broadcast(1f).sub(th_e.broadcast(2f).div(th_e.add(1f)));\n"
        + "th_large = th_large.blend(th_large.neg(), @IN@.compare(VectorOperators.LT, 0f));\n"
        + "th_large = th_large.blend(th_small, th_a.compare(VectorOperators.LT, SM.TANH_SMALL));\n"
        + "var @OUT@ = th_large.blend(@IN@, @IN@.compare(VectorOperators.EQ, 0f));")
        .replace("@IN@", in).replace("@OUT@", out).replace("SM.", "ScalarMath.");
  }

  /** {@code ScalarMath.log1pOfNonNegative(float)} on float lanes as statements (names prefixed l1_, lg_). */
  static String log1pBody(String in, String out) {
    return ("var l1_u = @IN@.add(1f);\n"
        + logBody("l1_u", "l1_l") + "\n"
        + "var l1_c = @IN@.sub(l1_u.sub(1f)).div(l1_u);\n"
        + "var @OUT@ = l1_l.add(l1_c).blend(l1_l, l1_u.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));")
        .replace("@IN@", in).replace("@OUT@", out);
  }

  /** {@code ScalarMath.log(float)} on float lanes as statements (names prefixed lg_), float kernels only. */
  static String logBody(String in, String out) {
    return ("var lg_tiny = @IN@.compare(VectorOperators.LT, Float.MIN_NORMAL);\n"
        + "var lg_bits = @IN@.blend(@IN@.mul(0x1p23f), lg_tiny).reinterpretAsInts();\n"
        + "var lg_k = lg_bits.sub(SM.SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 23);\n"
        + "var lg_f = lg_bits.sub(lg_k.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats().sub(1f);\n"
        + "lg_k = lg_k.blend(lg_k.sub(23), lg_tiny.cast(lg_k.species()));\n"
        + "var lg_s = lg_f.div(lg_f.add(2f));\n"
        + "var lg_z = lg_s.mul(lg_s);\n"
        + "var lg_w = lg_z.mul(lg_z);\n"
        + "var lg_rr = lg_w.fma(lg_w.fma(SM.LG4, SM.LG2), lg_z.mul(lg_w.fma(SM.LG3, SM.LG1)));\n"
        + "var lg_hfsq = lg_f.mul(0.5f).mul(lg_f);\n"
        + "var lg_dk = (FloatVector) lg_k.convert(VectorOperators.I2F, 0);\n"
        + "var lg_r = lg_dk.fma(lg_dk.broadcast(SM.LN2_HI_F), lg_hfsq.sub(lg_s.fma(lg_hfsq.add(lg_rr), lg_dk.mul(SM.LN2_LO_F))).sub(lg_f).neg());\n"
        + "lg_r = lg_r.blend(@IN@, @IN@.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));\n"
        + "lg_r = lg_r.blend(Float.NEGATIVE_INFINITY, @IN@.compare(VectorOperators.EQ, 0f));\n"
        + "var @OUT@ = lg_r.blend(Float.NaN, @IN@.compare(VectorOperators.LT, 0f).or(@IN@.test(VectorOperators.IS_NAN)));")
        .replace("@IN@", in).replace("@OUT@", out).replace("SM.", "ScalarMath.");
  }

  /** A unary op whose vector version is statements (float and double differ) ending in {@code var r = ...;}. */
  private static Map<String, String> unaryBody(String name, String floatBody, String doubleBody, String sexpr) {
    Map<String, String> m = new java.util.HashMap<>(unary(name, "r", sexpr));
    m.put("$vbodyFloat$", floatBody);
    m.put("$vbodyDouble$", doubleBody);
    return m;
  }

  private static Map<String, String> unary(String name, String vexpr, String sexpr) {
    StringBuilder camel = new StringBuilder();
    for (String part : name.toLowerCase(java.util.Locale.ROOT).split("_")) {
      camel.append(camel.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    String body = "var r = " + vexpr + ";";
    boolean math = !MEMORY_BOUND.contains(name);
    return Map.of("$UOP$", name, "$uop$", camel.toString(), "$vbodyFloat$", body, "$vbodyDouble$", body, "$sexpr$", sexpr,
        "$USPECIES$", math ? "MATH_SPECIES" : "SPECIES", "$ULANES$", math ? "MATH_LANES" : "LANES");
  }

  public static void main(String[] args) throws IOException {
    Path templates = Path.of(args[0]);
    Path out = Path.of(args[1]).resolve("dev/vectorgrad/kernels");
    Files.createDirectories(out);
    try (Stream<Path> files = Files.list(templates)) {
      for (Path template : files.filter(p -> p.toString().endsWith(".java.template")).toList()) {
        List<String> lines = Files.readAllLines(template);
        // A first line "//#types Float Double" limits a template to those element types (default: all).
        List<String> only = !lines.isEmpty() && lines.get(0).startsWith("//#types")
            ? List.of(lines.get(0).substring("//#types".length()).trim().split("\\s+")) : null;
        if (only != null) lines = lines.subList(1, lines.size());
        String name = template.getFileName().toString().replace(".java.template", "");
        for (Map<String, String> type : TYPES) {
          if (only != null && !only.contains(type.get("$Type$"))) continue;
          String source = guardNative(expand(lines, type));
          Path target = out.resolve(substitute(name, type) + ".java");
          // Rewriting an unchanged file would make every build recompile the whole module.
          if (!Files.exists(target) || !Files.readString(target).equals(source)) {
            Files.writeString(target, source);
          }
        }
      }
    }
  }

  private static String expand(List<String> lines, Map<String, String> type) {
    StringBuilder sb = new StringBuilder("// GENERATED by src/build/GenerateKernels.java from a template in src/build/kernels: do not edit.\n");
    List<String> block = null;
    List<Map<String, String>> blockOps = null;
    boolean floating = !type.get("$type$").equals("long");
    boolean skipping = false;
    for (String line : lines) {
      String trimmed = line.trim();
      if (trimmed.equals("//#if-floating")) {
        skipping = !floating;   // lines up to //#end-floating exist only in the float and double classes
      } else if (trimmed.equals("//#else-floating")) {
        skipping = floating;
      } else if (trimmed.equals("//#end-floating")) {
        skipping = false;
      } else if (skipping) {
        continue;
      } else if (trimmed.startsWith("//#exp ") && block == null) {
        // "//#exp OUT IN": statements computing vector OUT = exp(IN), IN an expression used once
        // (expBody's or expBodyDouble's IEEE-only sequence, inline)
        String[] io = trimmed.substring("//#exp ".length()).split(" ", 2);
        String indent = line.substring(0, line.indexOf("//#exp"));
        String body = type.get("$Type$").equals("Float")
            ? "var in_ = " + io[1] + ";\n" + expBody("in_", io[0])
            : "var in_ = " + io[1] + ";\n" + expBodyDouble("in_", io[0]);
        for (String b : body.split("\n")) sb.append(indent).append(substitute(b, type)).append('\n');
      } else if (trimmed.equals("//#foreach-op") || trimmed.equals("//#foreach-unary")) {
        block = new ArrayList<>();
        blockOps = trimmed.equals("//#foreach-op") ? OPS : UNARY;
      } else if (trimmed.equals("//#end") && block != null) {
        for (Map<String, String> op : blockOps) {
          Map<String, String> tokens = op;
          if (op.containsKey("$vbodyFloat$")) {   // the unary table: the vector body of this element type
            tokens = new java.util.HashMap<>(op);
            tokens.put("$vbody$", op.get(type.get("$Type$").equals("Double") ? "$vbodyDouble$" : "$vbodyFloat$")
                .replace("\n", "\n      "));
          }
          for (String b : block) sb.append(substitute(substitute(b, tokens), type)).append('\n');
        }
        block = null;
      } else if (block != null) {
        block.add(line);
      } else {
        sb.append(substitute(line, type)).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * Expands each {@code //#native} line, the first of a method's body, into a check that every
   * {@code MemorySegment} parameter is exactly a plain native segment ({@code NativeSegments.NATIVE}),
   * else the call goes to a copy of the method without the check ({@code <name>OfAnySegment}).
   *
   * <p>Why: the vector loads and stores of the Vector API go through JDK methods shared by every
   * caller in the JVM, whose type profile of the segment decides how C2 compiles them into a kernel.
   * The Vector API's own fallback code (run while kernels are interpreted, e.g. reinterpreting lanes
   * through a {@code byte[]} segment) fills that profile with heap segments, and a kernel compiled
   * afterwards then calls a virtual method per vector instead of storing directly: relu of 65,536
   * floats after exp had run took 25 us instead of 5. After the check C2 knows the segment's exact
   * class, whatever the shared profile says. Other segments (mapped files, heap arrays wrapped by
   * the user) take the copy: correct, compiled from the shared profile.
   */
  static String guardNative(String source) {
    if (!source.contains("//#native")) return source;
    List<String> lines = new ArrayList<>(List.of(source.split("\n", -1)));
    for (int at = 0; at < lines.size(); at++) {
      if (!lines.get(at).trim().equals("//#native")) continue;
      int head = at - 1;   // the declaration's first line: the last line above with a modifier and "("
      while (!java.util.regex.Pattern.compile("^\\s*(public|private|protected|static)\\b.*\\(").matcher(lines.get(head)).find()) head--;
      String indent = lines.get(head).substring(0, lines.get(head).indexOf(lines.get(head).trim()));
      int end = at + 1;
      while (!lines.get(end).equals(indent + "}")) end++;
      String header = String.join("\n", lines.subList(head, at));
      var sig = java.util.regex.Pattern.compile("(\\S+)\\s+(\\w+)\\(([^)]*)\\)").matcher(header.replace("\n", " "));
      if (!sig.find()) throw new IllegalStateException("//#native: no method declaration above line " + at);
      String returns = sig.group(1), name = sig.group(2);
      List<String> args = new ArrayList<>(), segments = new ArrayList<>();
      for (String param : sig.group(3).split(",")) {
        String[] words = param.trim().split("\\s+");
        args.add(words[words.length - 1]);
        if (words[words.length - 2].equals("MemorySegment")) segments.add(words[words.length - 1]);
      }
      String body = indent + "  ";
      StringBuilder check = new StringBuilder(body + "if (");
      for (int i = 0; i < segments.size(); i++) {
        check.append(i == 0 ? "" : " || ").append(segments.get(i)).append(".getClass() != NativeSegments.NATIVE");
      }
      String call = name + "OfAnySegment(" + String.join(", ", args) + ")";
      check.append(") ").append(returns.equals("void") ? "{\n" + body + "  " + call + ";\n" + body + "  return;\n" + body + "}"
          : "{\n" + body + "  return " + call + ";\n" + body + "}");
      List<String> copy = new ArrayList<>(lines.subList(head, end + 1));
      copy.remove(at - head);
      copy.set(0, copy.get(0).replace(" " + name + "(", " " + name + "OfAnySegment(").replace("public ", "private ")
          .replace("protected ", "private "));
      copy.add(0, "");
      copy.add(1, indent + "/** {@link #" + name + "} for segments other than plain native ones (see NativeSegments). */");
      lines.set(at, check.toString());
      lines.addAll(end + 1, copy);
      at = end + copy.size();
    }
    return String.join("\n", lines);
  }

  private static String substitute(String s, Map<String, String> tokens) {
    for (var e : tokens.entrySet()) s = s.replace(e.getKey(), e.getValue());
    return s;
  }
}
