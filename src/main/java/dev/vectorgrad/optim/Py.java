package dev.vectorgrad.optim;

import java.math.BigDecimal;

/** Python's spelling of values in error messages, so that they read as PyTorch's do. */
final class Py {
  private Py() {}

  /** Python's {@code repr(float)}: the shortest digits that round-trip, e.g. {@code 0.1}, {@code 1e-05}, {@code -1.0}. */
  static String repr(double x) {
    if (Double.isNaN(x)) return "nan";
    if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
    if (x == 0) return (1 / x < 0) ? "-0.0" : "0.0";
    BigDecimal d = new BigDecimal(Double.toString(x)).stripTrailingZeros();
    String digits = d.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - d.scale();   // decimal exponent of the first digit
    String sign = x < 0 ? "-" : "";
    if (exp < -4 || exp >= 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    String plain = d.abs().toPlainString();
    return sign + (plain.contains(".") ? plain : plain + ".0");
  }
}
