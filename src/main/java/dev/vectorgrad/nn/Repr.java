package dev.vectorgrad.nn;

import java.math.BigDecimal;

/** Python's spellings of values in module reprs and error messages (package-private helpers). */
final class Repr {
  private Repr() {}

  /**
   * Python's {@code repr(float)}: the shortest digits that round-trip, fixed notation for decimal
   * exponents in [-4, 16), else {@code d.ddde-XX}; e.g. {@code 0.1}, {@code 1e-05}, {@code 1.0}.
   */
  static String pyFloat(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return 1 / v < 0 ? "-0.0" : "0.0";
    BigDecimal bd = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - bd.scale();
    String sign = v < 0 ? "-" : "";
    if (exp < -4 || exp >= 16) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String e = Integer.toString(Math.abs(exp));
      if (e.length() < 2) e = "0" + e;
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + e;
    }
    StringBuilder sb = new StringBuilder(sign);
    if (exp < 0) {
      sb.append("0.").append("0".repeat(-exp - 1)).append(digits);
    } else if (digits.length() <= exp + 1) {
      sb.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
    } else {
      sb.append(digits, 0, exp + 1).append('.').append(digits.substring(exp + 1));
    }
    return sb.toString();
  }

  /** Python's {@code repr(bool)}. */
  static String pyBool(boolean b) {
    return b ? "True" : "False";
  }

  /** Python's repr of a tuple of ints: {@code (4,)}, {@code (3, 4)}. */
  static String pyTuple(long[] values) {
    if (values.length == 1) return "(" + values[0] + ",)";
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < values.length; i++) {
      if (i > 0) sb.append(", ");
      sb.append(values[i]);
    }
    return sb.append(')').toString();
  }

  /** A list of ints as ATen prints an {@code IntArrayRef}: {@code [2, 3]}. */
  static String list(long[] values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      if (i > 0) sb.append(", ");
      sb.append(values[i]);
    }
    return sb.append(']').toString();
  }

  /** Python's repr of a shape: {@code torch.Size([3, 4])}. */
  static String torchSize(long[] shape) {
    return "torch.Size(" + list(shape) + ")";
  }

  /** Indents every line but the first by {@code spaces} (PyTorch's {@code _addindent}). */
  static String addIndent(String s, int spaces) {
    String[] lines = s.split("\n", -1);
    if (lines.length == 1) return s;
    String pad = " ".repeat(spaces);
    StringBuilder sb = new StringBuilder(lines[0]);
    for (int i = 1; i < lines.length; i++) sb.append('\n').append(pad).append(lines[i]);
    return sb.toString();
  }

  /** A double as C++'s {@code ostream << double} prints it (6 significant digits, {@code %g}): {@code 1.5}, {@code 2}, {@code 1e-07}. */
  static String cppDouble(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return 1 / v < 0 ? "-0" : "0";
    BigDecimal bd = new BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - bd.scale();
    String sign = v < 0 ? "-" : "";
    if (exp < -4 || exp >= 6) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String e = Integer.toString(Math.abs(exp));
      if (e.length() < 2) e = "0" + e;
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + e;
    }
    return sign + bd.abs().toPlainString();
  }
}
