package dev.vectorgrad.kernels;

/** The four arithmetic operations every elementwise kernel implements for each element type. */
public enum BinaryOp {
  ADD, SUB, MUL, DIV;

  /** Reference semantics in double precision, used by tests and by element-at-a-time code. */
  public double apply(double a, double b) {
    return switch (this) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
    };
  }
}
