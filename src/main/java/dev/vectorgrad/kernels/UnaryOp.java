package dev.vectorgrad.kernels;

/**
 * The unary functions of the floating point kernels, each generated as one vector loop and one
 * scalar loop (see {@code src/build/GenerateKernels.java}). {@code SOFTPLUS} takes (beta,
 * threshold), {@code ELU} (alpha), {@code LEAKY_RELU} (negative slope), {@code CLAMP} (min, max);
 * the others ignore the two parameters. {@code NEG} is {@code -x}: the kernels' {@code neg} as a
 * unary op, so that fusion has a vector formula for it.
 */
public enum UnaryOp {
  EXP, EXP2, EXPM1, LOG, LOG2, LOG10, LOG1P, SQRT, RSQRT, ABS, SIGN, RECIPROCAL, SQUARE,
  SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, TANH, SIGMOID, RELU, ERF,
  FLOOR, CEIL, ROUND, TRUNC, FRAC, GELU, GELU_TANH, SILU, MISH, SOFTPLUS, ELU, LEAKY_RELU, CLAMP, NEG
}
