package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The backward of softmax and log_softmax along the last dim of contiguous tensors runs row by row
 * in one output (no intermediate tensors), and must give exactly the bits of the composition it
 * replaces, PyTorch's formulas written with the public ops: {@code g - exp(y) * g.sum(-1, keepdim)}
 * for log_softmax and {@code (g - (g * y).sum(-1, keepdim)) * y} for softmax. Rows from 1 element
 * (a masked vector tail only) to several vectors plus a tail, both floating types, values spread
 * over several binades with signs mixed, and an upstream gradient that is not all ones.
 */
class SoftmaxBackwardRowsTest {
  private static final long[][] SHAPES = {{1, 1}, {3, 1}, {32, 10}, {5, 7}, {4, 16}, {3, 33}, {2, 3, 65}, {100}};

  @TestFactory
  List<DynamicTest> backwardRowsEqualTheComposition() {
    List<DynamicTest> tests = new ArrayList<>();
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (long[] shape : SHAPES) {
        for (boolean log : new boolean[] {true, false}) {
          String name = (log ? "log_softmax " : "softmax ") + dtype + " " + java.util.Arrays.toString(shape);
          tests.add(DynamicTest.dynamicTest(name, () -> check(dtype, shape, log)));
        }
      }
    }
    return tests;
  }

  private static void check(DType dtype, long[] shape, boolean log) {
    try (TensorScope scope = TensorScope.open()) {
      Generator gen = new Generator(17);
      Tensor x = Tensor.randn(gen, shape).mul(3.0).to(dtype).requiresGrad_(true);
      Tensor g = Tensor.randn(gen, shape).to(dtype);
      Tensor y = log ? x.logSoftmax(-1) : x.softmax(-1);
      y.backward(g);
      Tensor expected;
      try (var noGrad = GradMode.noGrad()) {
        Tensor yv = y.detach();
        int[] last = {shape.length - 1};
        expected = log ? g.sub(yv.exp().mul(g.sum(last, true))) : g.sub(g.mul(yv).sum(last, true)).mul(yv);
      }
      assertArrayEquals(bits(expected), bits(x.grad()));
    }
  }

  private static long[] bits(Tensor t) {
    return java.util.Arrays.stream(t.toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray();
  }
}
