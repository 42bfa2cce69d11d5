package dev.vectorgrad;

/** Pointwise binary math, comparisons, logical ops, lerp, addcmul/addcdiv and in-place arithmetic. */
final class Pointwise {
  private Pointwise() {}

  private static UnsupportedOperationException todo() {
    return new UnsupportedOperationException("not implemented yet");
  }

  static Tensor pow(Tensor a, double exponent) { throw todo(); }
  static Tensor pow(Tensor a, Tensor exponent) { throw todo(); }
  static Tensor pow(double base, Tensor exponent) { throw todo(); }
  static Tensor maximum(Tensor a, Tensor b) { throw todo(); }
  static Tensor minimum(Tensor a, Tensor b) { throw todo(); }
  static Tensor atan2(Tensor a, Tensor b) { throw todo(); }
  static Tensor fmod(Tensor a, double b) { throw todo(); }
  static Tensor fmod(Tensor a, Tensor b) { throw todo(); }
  static Tensor remainder(Tensor a, double b) { throw todo(); }
  static Tensor remainder(Tensor a, Tensor b) { throw todo(); }
  static Tensor compare(String op, Tensor a, Tensor b) { throw todo(); }
  static Tensor compare(String op, Tensor a, double b) { throw todo(); }
  static Tensor logical(String op, Tensor a, Tensor b) { throw todo(); }
  static Tensor logicalNot(Tensor a) { throw todo(); }
  static Tensor lerp(Tensor a, Tensor end, double weight) { throw todo(); }
  static Tensor addcmul(Tensor a, Tensor t1, Tensor t2, double value) { throw todo(); }
  static Tensor addcdiv(Tensor a, Tensor t1, Tensor t2, double value) { throw todo(); }
  static Tensor inPlace(String op, Tensor a, double value) { throw todo(); }
  static Tensor inPlace(String op, Tensor a, Tensor other) { throw todo(); }
}
