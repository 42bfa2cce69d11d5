package dev.vectorgrad;

/** softmax and log_softmax along a dim, numerically stable, with their derivatives. */
final class Softmax {
  private Softmax() {}

  static Tensor softmax(Tensor t, int dim, boolean log) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
