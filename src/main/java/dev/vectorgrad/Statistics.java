package dev.vectorgrad;

/** prod, var, std, logsumexp, norm, cumsum, all, any, count_nonzero, with their derivatives. */
final class Statistics {
  private Statistics() {}

  private static UnsupportedOperationException todo() {
    return new UnsupportedOperationException("not implemented yet");
  }

  static Tensor prod(Tensor t) { throw todo(); }
  static Tensor var(Tensor t, int[] dims, long correction, boolean keepdim, boolean std) { throw todo(); }
  static Tensor logsumexp(Tensor t, int[] dims, boolean keepdim) { throw todo(); }
  static Tensor norm(Tensor t, double p, int[] dims, boolean keepdim) { throw todo(); }
  static Tensor cumsum(Tensor t, int dim) { throw todo(); }
  static Tensor all(Tensor t, boolean all) { throw todo(); }
  static Tensor countNonzero(Tensor t, int[] dims) { throw todo(); }
}
