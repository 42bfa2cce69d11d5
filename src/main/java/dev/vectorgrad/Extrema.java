package dev.vectorgrad;

/** max, min, amax, amin, argmax, argmin: reductions that pick elements, with their derivatives. */
final class Extrema {
  private Extrema() {}

  private static UnsupportedOperationException todo() {
    return new UnsupportedOperationException("not implemented yet");
  }

  static Tensor all(Tensor t, boolean max) { throw todo(); }
  static ValuesIndices alongDim(Tensor t, int dim, boolean keepdim, boolean max) { throw todo(); }
  static Tensor amax(Tensor t, int[] dims, boolean keepdim, boolean max) { throw todo(); }
  static Tensor argAll(Tensor t, boolean max) { throw todo(); }
}
