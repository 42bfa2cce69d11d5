package dev.vectorgrad.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.testsupport.ScopePerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The differences from PyTorch 1.13 that the differential fuzzer found (issue 11), each as a small explicit case.
 * Each names the program that found it: {@code gen_fuzz.py --only SEED} prints that program. Expected values and
 * messages are PyTorch 1.13's (checked with Debian's python3-torch when the case was written).
 */
@ExtendWith(ScopePerTest.class)
class FuzzRegressionTest {

  private static Tensor leaf(float... values) {
    return Tensor.of(values, values.length).requiresGrad_(true);
  }

  // ------------------------------------------------------------------------------------------- factories

  /** Program 1000013: torch.randn(...)._version is 0; vectorgrad's fill counted as an in-place write (1). */
  @Test
  void randomFactoriesStartAtVersionZero() {
    assertEquals(0, Tensor.randn(new Generator(0), 2, 3).version());
    assertEquals(0, Tensor.rand(new Generator(0), 2).version());
    assertEquals(0, Tensor.randn(2).version());
    // filling an existing tensor is an in-place write
    assertEquals(1, Tensor.zeros(2).uniform_(0, 1, new Generator(0)).version());
    assertEquals(1, Tensor.zeros(2).normal_(0, 1, new Generator(0)).version());
  }

  // ------------------------------------------------------------------------------------------- matmul

  /**
   * Program 7004509 (long profile, seed 7): torch's dot checks the dtypes before the sizes, with its
   * own text; vectorgrad reported the size mismatch first.
   */
  @Test
  void dotChecksDtypesBeforeSizes() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.ones(2).dot(Tensor.ones(DType.FLOAT64, 3)));
    assertEquals("dot : expected both vectors to have same dtype, but found Float and Double", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.FLOAT64, 3).dot(Tensor.ones(3)));
    assertEquals("dot : expected both vectors to have same dtype, but found Double and Float", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2).dot(Tensor.ones(3)));
    assertTrue(e.getMessage().startsWith("inconsistent tensor size"), e.getMessage());
  }

  /** Program 1000057: 1-D @ 2-D ends with squeeze_(0) in torch: SqueezeBackward3, version 1. */
  @Test
  void vectorTimesMatrixEndsWithAnInPlaceSqueeze() {
    Tensor a = leaf(1, 2, 3);
    Tensor b = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
    Tensor r = a.matmul(b);
    assertArrayEquals(new float[] {4, 5}, r.toFloatArray());
    assertEquals("SqueezeBackward3", r.gradFn().name());
    assertEquals(1, r.version());
    r.sum().backward();
    assertArrayEquals(new float[] {1, 1, 2}, a.grad().toFloatArray());
    assertEquals(1, Tensor.of(new float[] {1, 2, 3}, 3).matmul(b).version());
  }

  /**
   * Programs 1000039 and 1000133: a 2-D matrix times a batch folds into one mm through the transpose,
   * {@code (b^T a^T)^T}, then contiguous(): CloneBackward0, or TransposeBackward0 where the transpose is contiguous.
   */
  @Test
  void matrixTimesBatchFoldsThroughTheTranspose() {
    Tensor batch = Tensor.arange(0.0, 24.0, 1.0).reshape(2, 3, 4);
    Tensor r = Tensor.ones(2, 3).requiresGrad_(true).matmul(batch);
    assertArrayEquals(new long[] {2, 2, 4}, r.shape());
    assertEquals("CloneBackward0", r.gradFn().name());
    assertTrue(r.isContiguous());
    assertArrayEquals(new float[] {12, 15, 18, 21, 12, 15, 18, 21, 48, 51, 54, 57, 48, 51, 54, 57}, r.toFloatArray());
    assertEquals("TransposeBackward0", Tensor.ones(1, 3).requiresGrad_(true).matmul(batch).gradFn().name());
    assertEquals("UnsafeViewBackward0", Tensor.ones(2, 2, 3).requiresGrad_(true).matmul(Tensor.ones(3, 4))
        .gradFn().name());
  }

  /** Program 1000302: a folded matmul fails as the mm (or mv) it runs, with torch's messages. */
  @Test
  void foldedMatmulFailsAsItsMatrixProduct() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 4, 5).matmul(Tensor.ones(4, 2)));
    assertEquals("mat1 and mat2 shapes cannot be multiplied (8x5 and 4x2)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 4).mv(Tensor.ones(5)));
    assertEquals("size mismatch, got 2, 2x4,5", e.getMessage());
  }

  // ------------------------------------------------------------------------------------------- pointwise

  /** Program 7080658 (long profile, seed 7): remainder of bool tensors fails on the broadcast before the dtype. */
  @Test
  void remainderChecksTheShapesBeforeTheBoolKernel() {
    Tensor a = Tensor.of(new boolean[] {true, true}, 2);
    Tensor b = Tensor.of(new boolean[] {true, true, false, false}, 4);
    var e = assertThrows(IllegalArgumentException.class, () -> a.remainder(b));
    assertEquals("The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> a.fmod(b));
    assertTrue(e.getMessage().startsWith("The size of tensor a (2) must match"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> b.fmod(b));
    assertEquals("\"fmod_cpu\" not implemented for 'Bool'", e.getMessage());
  }

  /**
   * Program 17086207 (long profile, seed 17): pow of two bool tensors whose shapes do not broadcast reports the
   * shapes (torch's iterator) before the bool dtype (its kernel).
   */
  @Test
  void powChecksTheShapesBeforeRefusingBool() {
    Tensor a = Tensor.of(new boolean[4], 4);
    var e = assertThrows(IllegalArgumentException.class, () -> a.pow(Tensor.of(new boolean[9], 3, 1, 3)));
    assertEquals("The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 2",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> a.pow(Tensor.of(new boolean[4], 4)));
    assertEquals("\"pow\" not implemented for 'Bool'", e.getMessage());
  }

  // ------------------------------------------------------------------------------------------- the sign of zero

  /** The bits of a 0-dim tensor's value: -0.0 and 0.0 differ. */
  private static long bits(Tensor t) {
    return Double.doubleToRawLongBits(t.item());
  }

  private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0), ZERO = Double.doubleToRawLongBits(0.0);

  /**
   * Program 7004540 (long profile, seed 7): min() and max() of equal zeros of both signs return the zero PyTorch's AVX2
   * reduction ends on (its lanes' min_ps/max_ps return the second operand on ties). Each row: the values, then torch
   * 1.13's min() and its max() of the negated values, 0.0 or -0.0.
   */
  @Test
  void minAndMaxOfZerosPickTorchsZero() {
    float z = -0f;
    Object[][] float32 = {
        {new float[] {z, z, z, 0, 0, 0, z, z, z, 0, 0, 0}, -0.0, 0.0},   // the program's, shape [2, 2, 3]
        {new float[] {z, 2, 2}, -0.0, 0.0},
        {new float[] {z, z, z, z, z, z, z, z, 0}, -0.0, 0.0},
        {new float[] {0, 0, 0, 0, 0, 0, 0, 0, z}, 0.0, -0.0},
        {new float[] {z, 1, z, z, z, z, z, z, z, z, z, z, z, z, z, 0}, 0.0, -0.0}};
    for (Object[] row : float32) {
      float[] v = (float[]) row[0];
      float[] negated = new float[v.length];
      for (int i = 0; i < v.length; i++) negated[i] = -v[i];
      assertEquals(Double.doubleToRawLongBits((double) row[1]), bits(Tensor.of(v, v.length).min()),
          () -> java.util.Arrays.toString(v));
      assertEquals(Double.doubleToRawLongBits((double) row[2]), bits(Tensor.of(negated, v.length).max()),
          () -> java.util.Arrays.toString(negated));
    }
    assertEquals(NEGATIVE_ZERO, bits(Tensor.of((float[]) float32[0][0], 2, 2, 3).min()));
    double[][] float64 = {{-0.0, -0.0, 0.0, 1.0}, {0.0, -0.0, 0.0, 1.0, -0.0}, {-0.0, 1.0, 1.0, 1.0, 0.0}};
    for (double[] v : float64) {   // torch: min 0.0, max of the negated values -0.0, for each
      double[] negated = java.util.Arrays.stream(v).map(x -> -x).toArray();
      assertEquals(ZERO, bits(Tensor.of(v, v.length).min()), () -> java.util.Arrays.toString(v));
      assertEquals(NEGATIVE_ZERO, bits(Tensor.of(negated, v.length).max()), () -> java.util.Arrays.toString(v));
    }
  }

  /**
   * Program 7067550 (long profile, seed 7): a sum is never -0.0 (torch's accumulator starts at +0), not even over a
   * dim of size 1 or of a 0-dim tensor; the program divided such a sum, and the quotient's sign showed it.
   */
  @Test
  void sumsOfNegativeZerosArePositiveZero() {
    Tensor t = Tensor.of(new float[] {0, -0f}, 1, 2);
    Tensor sum = t.sum(new int[] {-2}, false);
    assertEquals(ZERO, Double.doubleToRawLongBits(sum.toFloatArray()[1]));
    Tensor q = sum.div(Tensor.of(new double[] {0.875, 0.625}, 2));
    assertEquals(ZERO, Double.doubleToRawLongBits(q.toDoubleArray()[1]));
    assertEquals(ZERO, bits(Tensor.scalar(-0.0).sum(new int[] {0}, false)));
    assertEquals(ZERO, bits(Tensor.scalar(-0.0).mean(new int[] {0}, false)));
    assertEquals(ZERO, Double.doubleToRawLongBits(t.mean(new int[] {0}, true).toFloatArray()[1]));
    // also of a pending (fused) chain, over leading or last dims
    Tensor zeros = Tensor.of(new float[] {-0f, -0f, -0f, -0f}, 2, 2);
    for (float v : zeros.mul(2.0).sum(new int[] {0}, false).toFloatArray()) {
      assertEquals(ZERO, Double.doubleToRawLongBits(v));
    }
    for (float v : zeros.mul(2.0).sum(new int[] {1}, false).toFloatArray()) {
      assertEquals(ZERO, Double.doubleToRawLongBits(v));
    }
  }

  /**
   * Program 7074673 (long profile, seed 7): cumsum of a 0-dim tensor is a copy in torch (-0.0 stays -0.0), of a 1-D
   * one a running sum from +0 (-0.0 becomes 0.0); where() then passed the value on unchanged.
   */
  @Test
  void cumsumOfAZeroDimTensorKeepsItsSign() {
    Tensor c = Tensor.scalar(-0.0).cumsum(0);
    assertEquals(NEGATIVE_ZERO, bits(c));
    Tensor w = Tensor.where(Tensor.of(new boolean[] {true}, new long[0]), c, Tensor.full(DType.INT64, 3, new long[0]));
    assertEquals(NEGATIVE_ZERO, bits(w));
    assertEquals(ZERO, Double.doubleToRawLongBits(Tensor.of(new float[] {-0f}, 1).cumsum(0).toFloatArray()[0]));
  }

  // ------------------------------------------------------------------------------------------- views

  /** Program 1000227: expand's new leading dims of size 1 keep a contiguous stride (PyTorch's inferExpandGeometry). */
  @Test
  void expandKeepsContiguousStridesForNewSizeOneDims() {
    assertArrayEquals(new long[] {3, 1}, Tensor.ones(3).expand(1, 3).stride());
    assertArrayEquals(new long[] {3, 3, 1}, Tensor.ones(3).expand(1, 1, 3).stride());
    assertArrayEquals(new long[] {0, 3, 1}, Tensor.ones(3).expand(2, 1, 3).stride());
    assertArrayEquals(new long[] {0, 0}, Tensor.scalar(2).expand(1, 1).stride());
  }

  // ------------------------------------------------------------------------------------------- in place

  /**
   * Programs 1000217 and 1000388's neighbours: autograd refuses an in-place write on a leaf (or a view of one) before
   * the kernel's shape and overlap checks run, as PyTorch's VariableType does.
   */
  @Test
  void inPlaceOnALeafIsRefusedBeforeShapeAndOverlapChecks() {
    Tensor l = leaf(1);
    var e = assertThrows(IllegalStateException.class, () -> l.expand(3).add_(0.5));
    assertEquals("a view of a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> l.add_(Tensor.ones(2, 2)));
    assertEquals("a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> l.expand(2).mul_(Tensor.ones(2)));
    assertEquals("a view of a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
  }

  /** Programs 1000380, 1000388 and 1000496: relu_ on bool, clamp_ on int64 / bool fail with torch's own words. */
  @Test
  void inPlaceUnaryOnIntegersFailsWithTorchsMessages() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.BOOL, 2).relu_());
    assertEquals("Boolean inputs not supported for relu", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.INT64, 2).clamp_(0.5, 1.5));
    assertEquals("result type Float can't be cast to the desired output type long int", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.BOOL, 2).clamp_(0.5, 1.5));
    assertEquals("result type Float can't be cast to the desired output type bool", e.getMessage());
  }

  /**
   * Programs 7049789, 7078219, 7081127, 7086944, 7088807 and 7099025 (long profile, seed 7): clamp_ with float bounds
   * of an expanded int64 or bool tensor fails on the bounds' type before the overlap (torch's clamp meta function
   * promotes the bounds itself, before it builds the iterator); an expanded float tensor fails on the overlap.
   */
  @Test
  void clampInPlaceChecksTheBoundsTypeBeforeTheOverlap() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.full(DType.INT64, -1, new long[0]).expand(3).clamp_(0.75, 1.75));
    assertEquals("result type Float can't be cast to the desired output type long int", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.BOOL, 1).expand(3).clamp_(0.5, 1.5));
    assertEquals("result type Float can't be cast to the desired output type bool", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1).expand(3).clamp_(0.5, 1.5));
    assertTrue(e.getMessage().startsWith("unsupported operation: more than one element of the written-to tensor "
        + "refers to a single memory location."), e.getMessage());
  }

  /**
   * Programs 7003451, 7021303, 7066186, 7070025, 7079534 and 7087522 (long profile, seed 7): float to int64 converts
   * as torch's static_cast on x86 (cvttsd2si): truncation, and INT64_MIN for NaN, the infinities and values out of
   * range (Java's cast gives 0 for NaN and saturates).
   */
  @Test
  void floatToInt64GivesInt64MinForNaNInfinitiesAndOutOfRange() {
    double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e19, -1e19, 2.75, -2.75};
    long min = Long.MIN_VALUE;
    Tensor into = Tensor.zeros(DType.INT64, 7);
    into.copy_(Tensor.of(values, 7).to(DType.FLOAT64));
    assertArrayEquals(new long[] {min, min, min, min, min, 2, -2}, into.toLongArray());
    assertArrayEquals(new long[] {min, 9200000267938955264L, min, -2},
        Tensor.of(new float[] {Float.NaN, 9.2e18f, -9.3e18f, -2.75f}, 4).to(DType.INT64).toLongArray());
    // -2^63 itself is in range
    assertArrayEquals(new long[] {min}, Tensor.of(new double[] {-0x1p63}, 1).to(DType.INT64).toLongArray());
  }

  /**
   * Program 7086964 (long profile, seed 7): an in-place op whose operand is a strided view of the written tensor
   * (torch's overlap check lets it through) reads each operand element just before writing, in the written tensor's
   * memory order, so later elements see earlier writes; torch 1.13's results, int64 and float32.
   */
  @Test
  void inPlaceOpsSeeTheirOwnEarlierWritesThroughAStridedOperand() {
    Tensor t = Tensor.of(new long[] {1, 2, 3, 3, 1, 1, 0, 1, 3}, 3, 3);
    t.add_(t.select(1, -3));
    assertArrayEquals(new long[] {2, 5, 3, 5, 6, 1, 2, 6, 5}, t.toLongArray());
    Tensor m = Tensor.of(new long[] {1, 2, 3, 3, 1, 1, 0, 1, 3}, 3, 3);
    m.mul_(m.select(1, 0));
    assertArrayEquals(new long[] {1, 6, 0, 3, 3, 0, 0, 3, 0}, m.toLongArray());
    Tensor f = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    f.add_(f.slice(1, 0, 1, 1));   // a broadcast column: short rows read it element by element
    assertArrayEquals(new float[] {2, 4, 6, 10}, f.toFloatArray());
    // a row of 17 float32: its first 16 run vectorized with the column's value read once, the 17th reads it anew
    Tensor w = Tensor.arange(0.0, 34.0, 1.0).reshape(2, 17);
    w.add_(w.slice(1, 5, 6, 1));
    float[] expected = new float[34];
    for (int i = 0; i < 17; i++) {
      expected[i] = i + 5;
      expected[17 + i] = 17 + i + 22;
    }
    expected[16] = 16 + 10;
    expected[33] = 33 + 44;
    assertArrayEquals(expected, w.toFloatArray());
  }

  /** Program 1000168: the version error names CopyBackwards as torch does, with its namespace. */
  @Test
  void savedTensorErrorNamesCopyBackwardsWithItsNamespace() {
    Tensor w = Tensor.ones(2).requiresGrad_(true);
    Tensor y = Tensor.zeros(2);
    y.copy_(w);
    Tensor z = y.mul(y);
    try (GradMode.Guard g = GradMode.noGrad()) {
      y.add_(1.0);
    }
    var e = assertThrows(IllegalStateException.class, () -> z.sum().backward());
    assertTrue(e.getMessage().startsWith("one of the variables needed for gradient computation has been modified by an "
        + "inplace operation: [torch.FloatTensor [2]], which is output 0 of torch::autograd::CopyBackwards, is at "
        + "version 2; expected version 1 instead."), e.getMessage());
  }

  /** Program 3001408: an in-place write into an empty tensor (its strides may be 0) is not an overlapping write. */
  @Test
  void inPlaceWriteIntoAnEmptyTensorIsAllowed() {
    Tensor empty = Tensor.zeros(3, 2, 0);
    assertEquals(1, empty.add_(Tensor.zeros(3, 2, 0)).version());
  }

  /**
   * Programs 2000201, 2000437 and 2001249: an operand that shares part of the written tensor's memory is refused
   * before shapes are checked (PyTorch's assert_no_partial_overlap); the very same tensor is fine.
   */
  @Test
  void partiallyOverlappingOperandsAreRefused() {
    String message = "unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
        + "single memory location. Please clone() the tensor before performing the operation.";
    Tensor a = Tensor.arange(0.0, 4.0, 1.0);
    var e = assertThrows(IllegalArgumentException.class, () -> a.slice(0, 1, 4, 1).add_(a.slice(0, 0, 3, 1)));
    assertEquals(message, e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> a.slice(0, 1, 4, 1).copy_(a.slice(0, 0, 3, 1)));
    assertEquals(message, e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> a.slice(0, 1, 4, 1).mul_(a.slice(0, 0, 3, 1)));
    assertEquals(message, e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> a.slice(0, 1, 3, 1).add_(a.slice(0, 0, 4, 1)));
    assertEquals(message, e.getMessage());   // before the shape check
    assertArrayEquals(new float[] {0, 2, 4, 6}, a.add_(a).toFloatArray());
    assertArrayEquals(new float[] {4, 8}, a.slice(0, 0, 2, 1).add_(a.slice(0, 2, 4, 1)).toFloatArray());
  }

  /** Programs 3002006 and 3003275: masked_fill_ writes into an expanded tensor (as fill_; torch only warns). */
  @Test
  void maskedFillWritesIntoAnExpandedTensor() {
    Tensor x = Tensor.zeros(1);
    Tensor e = x.expand(3);
    e.maskedFill_(Tensor.of(new boolean[] {true, false, false}, 3), 1.0);
    assertArrayEquals(new float[] {1, 1, 1}, e.toFloatArray());
    assertArrayEquals(new float[] {1}, x.toFloatArray());
  }

  private static final String VIEW_OF_LEAF =
      "a view of a leaf Variable that requires grad is being used in an in-place operation.";

  /**
   * Program 13017095 (hook profile, seed 13): torch refuses an in-place op on a view that requires grad whose root
   * base is a leaf, whether or not that base requires grad; vectorgrad asked whether the base required grad, so a
   * view made to require grad with requires_grad_() (or a view of such a view) was written.
   */
  @Test
  void aViewThatRequiresGradOfALeafIsRefusedThoughItsBaseDoesNot() {
    // the program: copy_ into an expand of a 0-dim view made to require grad
    Tensor t1 = Tensor.scalar(-1.625f);
    Tensor t2 = t1.transpose(-1, -1).requiresGrad_(true);
    Tensor t6 = t2.expand();
    var e = assertThrows(IllegalStateException.class, () -> t6.copy_(t2.tanh()));
    assertEquals(VIEW_OF_LEAF, e.getMessage());
    assertEquals(0, t1.version());
    // the view itself, and an op whose operands do not require grad (torch: requires_grad is the op's, not the view's)
    Tensor a = Tensor.zeros(3);
    Tensor v = a.narrow(0, 1, 2).requiresGrad_(true);
    e = assertThrows(IllegalStateException.class, () -> v.add_(Tensor.scalar(1)));
    assertEquals(VIEW_OF_LEAF, e.getMessage());
    // still allowed, as in torch: a view that does not require grad written with one that does, and no_grad
    Tensor u = Tensor.zeros(3).narrow(0, 1, 2);
    u.mul_(leaf(2, 3));
    assertTrue(u.requiresGrad());
    try (GradMode.Guard g = GradMode.noGrad()) {
      v.add_(Tensor.scalar(1));
    }
    assertArrayEquals(new float[] {0, 1, 1}, a.toFloatArray());
  }

  /** Programs 2000785, 2000816: a view that one op returned among several is refused as such, even of a leaf. */
  @Test
  void inPlaceOnOneOfSeveralViewsOfALeafNamesTheMultiOutputRule() {
    Tensor x = leaf(1, 2);
    var e = assertThrows(IllegalStateException.class, () -> x.unbind(0).get(0).exp_());
    assertTrue(e.getMessage().startsWith("Output 0 of UnbindBackward0 is a view and is being modified inplace."),
        e.getMessage());
  }

  private static final String NO_GRAD_VIEW = "A view was created in no_grad mode and is being modified inplace with "
      + "grad mode enabled.";
  private static final String AMBIGUOUS = " Given that this use case is ambiguous and error-prone, it is forbidden.";
  private static final String MULTIPLE = " This view is the output of a function that returns multiple views.";

  /** A view made under no_grad. */
  private static Tensor noGrad(java.util.function.Supplier<Tensor> view) {
    try (GradMode.Guard g = GradMode.noGrad()) {
      return view.get();
    }
  }

  /**
   * Program 7020694 (long profile, seed 7): a view made with grad mode on of a view made under no_grad inherits its
   * rule (torch's propagate_creation_meta): writing a tensor that requires grad into it is refused.
   */
  @Test
  void aViewOfANoGradViewInheritsItsRule() {
    Tensor t1 = Tensor.of(new float[] {0.25f}, 1);
    Tensor t3 = noGrad(() -> t1.select(0, 0)).transpose(-1, -1);
    var e = assertThrows(IllegalStateException.class, () -> t3.sub_(leaf(0.25f).reshape()));
    assertTrue(e.getMessage().startsWith(NO_GRAD_VIEW + AMBIGUOUS), e.getMessage());
    assertEquals(0, t3.version());
    t3.sub_(Tensor.scalar(0.25));   // nothing requires grad: allowed
    assertArrayEquals(new float[] {0}, t1.toFloatArray());
  }

  /**
   * Programs 7000866, 7008081, 7031463, 7034822, 7036373, 7043783 and 7058983 (long profile, seed 7): copy_ into an
   * int64 or bool tensor is never recorded, so autograd's view rules do not refuse it (torch's copy_:
   * requires_grad &= isDifferentiableType(self)) and a shape error is the kernel's; other in-place ops are refused.
   */
  @Test
  void copyIntoAnIntegerViewIsNotRefusedByTheViewRules() {
    Tensor rg = leaf(2.125f);
    Tensor squeezed = noGrad(() -> Tensor.of(new long[] {3, -5}, 2).squeeze());
    squeezed.copy_(rg);
    assertArrayEquals(new long[] {2, 2}, squeezed.toLongArray());
    assertEquals(1, squeezed.version());
    assertTrue(!squeezed.requiresGrad());
    Tensor flag = Tensor.of(new boolean[] {false, false, true}, 3).unbind(0).get(2);
    flag.copy_(Tensor.scalar(0.625).requiresGrad_(true));
    assertTrue(flag.item() != 0);
    Tensor indices = Tensor.of(new long[] {0, 1, 2, 3}, 4, 1).split(4, 0).get(0);
    var e = assertThrows(IllegalArgumentException.class, () -> indices.copy_(leaf(-0.5f, -1.125f, 3, -1.125f)));
    assertEquals("output with shape [4, 1] doesn't match the broadcast shape [4, 4]", e.getMessage());
    var s = assertThrows(IllegalStateException.class, () -> squeezed.mul_(rg));
    assertTrue(s.getMessage().startsWith(NO_GRAD_VIEW + AMBIGUOUS), s.getMessage());
  }

  /**
   * The multi-output rule as torch 1.13 applies it: views made of an unbind/split output inherit it and are named by
   * their own node; outputs made under no_grad follow the no_grad rule instead; of a base that does not require grad
   * the message starts as the no_grad one.
   */
  @Test
  void viewsOfMultiOutputViewsInheritTheirRule() {
    Tensor x = leaf(1, 2, 3, 4).reshape(2, 2).clone();
    var e = assertThrows(IllegalStateException.class, () -> x.unbind(0).get(1).view(2).mul_(2.0));
    assertTrue(e.getMessage().startsWith("Output 0 of ViewBackward0 is a view and is being modified inplace."
        + MULTIPLE), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> x.split(1, 0).get(1).select(0, 0).mul_(2.0));
    assertTrue(e.getMessage().startsWith("Output 0 of SelectBackward0 is a view and is being modified inplace."
        + MULTIPLE), e.getMessage());
    Tensor rg = leaf(1);
    Tensor plain = Tensor.of(new float[] {1, 2}, 2);
    e = assertThrows(IllegalStateException.class, () -> plain.unbind(0).get(0).copy_(rg.reshape()));
    assertTrue(e.getMessage().startsWith(NO_GRAD_VIEW + MULTIPLE), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> noGrad(() -> plain.unbind(0).get(0)).copy_(rg.reshape()));
    assertTrue(e.getMessage().startsWith(NO_GRAD_VIEW + AMBIGUOUS), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> plain.unbind(0).get(0).reshape(1).copy_(rg));
    assertTrue(e.getMessage().startsWith(NO_GRAD_VIEW + MULTIPLE), e.getMessage());
  }

  /** Program 2001893: sub_ of a bool operand into a leaf: autograd's refusal comes first. */
  @Test
  void boolSubtractionIntoALeafIsRefusedAsALeafWrite() {
    Tensor x = leaf(1, 2);
    var e = assertThrows(IllegalStateException.class, () -> x.sub_(Tensor.of(new boolean[] {true, false}, 2)));
    assertEquals("a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
  }

  // ------------------------------------------------------------------------------------------- autograd

  /**
   * Program 13011147 (hook profile, seed 13): the gradient of a 0-dim leaf broadcast over 4 elements is the sum of
   * var's 4 float32 gradient terms, which cancel: torch adds them in float32 in its order and gets exactly 0; a
   * float64 sum rounded once gives -1.49e-8 (the float terms' exact sum). vectorgrad now adds short sums in torch's
   * order (SumOrderTest holds the order's goldens).
   */
  @Test
  void theGradientOfABroadcastLeafAddsItsTermsInTorchsOrder() {
    Tensor t3 = leaf(-0.625f, 1.375f, 0.875f, 1.25f);
    Tensor t8 = Tensor.scalar(1.875f).requiresGrad_(true);
    Tensor t10 = t3.add(t8).var();
    assertEquals(0.84765625, t10.item(), 0.0);
    t10.sum().backward();
    assertArrayEquals(new float[] {-0.8958333730697632f, 0.4375f, 0.1041666716337204f, 0.3541666865348816f},
        t3.grad().toFloatArray());
    assertEquals(0.0, t8.grad().item(), 0.0);
  }

  /** Program 2000490: retain_grad() follows the tensor through an in-place op (the gradient of its new value). */
  @Test
  void retainedGradFollowsAnInPlaceOp() {
    Tensor x = leaf(1, 2);
    Tensor t = Tensor.stack(0, x, x);
    t.retainGrad();
    t.mul_(3.0);
    t.sum().backward();
    assertArrayEquals(new float[] {1, 1, 1, 1}, t.grad().toFloatArray());
    assertArrayEquals(new float[] {6, 6}, x.grad().toFloatArray());
  }

  /**
   * Program 5005878: an in-place op through a view of it leaves the retained gradient where it was (torch 1.13: the
   * gradient of the value before the write).
   */
  @Test
  void retainedGradStaysPutThroughAViewsInPlaceOp() {
    Tensor x = leaf(2);
    Tensor t = x.mul(x);
    t.retainGrad();
    t.expand(3).slice(0, 0, 1, 1).mul_(3.0);
    t.sum().backward();
    assertArrayEquals(new float[] {3}, t.grad().toFloatArray());
    assertArrayEquals(new float[] {12}, x.grad().toFloatArray());
  }

  /**
   * Programs 7001290, 7039998 and 7097083 (long profile, seed 7): gather saves its input for backward (torch 1.13's
   * gather_backward takes self, though it reads only its shape), so writing the input in place before backward fails
   * with the saved-tensor version error, naming the input's node at the time.
   */
  @Test
  void gatherSavesItsInputForBackward() {
    Tensor a = leaf(1.5f).atan();
    Tensor g = a.gather(0, Tensor.of(new long[] {0}, 1));
    try (GradMode.Guard off = GradMode.noGrad()) {
      a.maskedFill_(Tensor.of(new boolean[] {false}, new long[0]), 1.0 / 3);
    }
    var e = assertThrows(IllegalStateException.class, () -> g.sum().backward());
    assertTrue(e.getMessage().startsWith("one of the variables needed for gradient computation has been modified by an "
        + "inplace operation: [torch.FloatTensor [1]], which is output 0 of AtanBackward0, is at version 1; expected "
        + "version 0 instead."), e.getMessage());

    Tensor x = Tensor.of(new double[] {0.375, -2.875, 3.0}, 3).requiresGrad_(true);
    Tensor c = x.clampMin(-0.5);
    Tensor h = c.gather(-1, Tensor.of(new long[] {2, 2, 2}, 3));
    c.sub_(c);
    e = assertThrows(IllegalStateException.class, () -> h.sum().backward());
    assertTrue(e.getMessage().startsWith("one of the variables needed for gradient computation has been modified by an "
        + "inplace operation: [torch.DoubleTensor [3]], which is output 0 of SubBackward0, is at version 1; expected "
        + "version 0 instead."), e.getMessage());

    Tensor y = leaf(1, 2);
    y.exp().gather(0, Tensor.of(new long[] {1, 1}, 2)).sum().backward();   // untouched: the gradient as before
    assertArrayEquals(new float[] {0, (float) (2 * Math.exp(2))}, y.grad().toFloatArray(), 1e-5f);
  }

  /**
   * Program 7062864 (long profile, seed 7): a view with history (expand) of a view made a leaf by requires_grad_,
   * whose base does not require grad: when the storage is written in place, torch regenerates the view's history as
   * AsStridedBackward0 of the base, which leads nowhere, so the leaf gets no gradient (torch: .grad is None).
   * Without the write the gradient reaches it.
   */
  @Test
  void aViewWithHistoryIsCutOffWhenItsBaseWithoutGradIsWritten() {
    Tensor base = Tensor.of(new float[] {-2.375f, 1}, 2);
    Tensor v = base.slice(0, 1, 2, 1).requiresGrad_(true);
    Tensor e = v.expand(1);
    base.zero_();
    assertEquals("AsStridedBackward0", e.gradFn().name());
    assertTrue(e.requiresGrad());
    assertEquals(null, v.gradFn());
    e.sum().backward();
    assertEquals(null, v.grad());

    Tensor base2 = Tensor.of(new float[] {-2.375f, 1}, 2);
    Tensor v2 = base2.slice(0, 1, 2, 1).requiresGrad_(true);
    Tensor s2 = v2.expand(1).sum();   // recorded before the write: its ExpandBackward0 still reaches v2
    base2.zero_();
    s2.backward();
    assertArrayEquals(new float[] {1}, v2.grad().toFloatArray());
  }

  /**
   * Program 7015680 (long profile, seed 7): copy_ of a float64 scalar into a float32 tensor: torch's CopyBackwards
   * converts the gradient to float64 first, so it is summed to the scalar in double (a float32 sum would lose the
   * 2^-24 terms: 1.0).
   */
  @Test
  void copyBackwardsConvertsTheGradientBeforeSummingIt() {
    Tensor x = Tensor.scalar(1.625).to(DType.FLOAT64).requiresGrad_(true);
    Tensor y = Tensor.zeros(4);
    y.copy_(x);
    float tiny = 0x1p-24f;
    y.mul(Tensor.of(new float[] {1, tiny, tiny, tiny}, 4)).sum().backward();
    assertEquals(1 + 3 * 0x1p-24, x.grad().item());
  }

  /** Program 2001107: a leaf whose requires_grad was switched off after use takes no gradient. */
  @Test
  void leafSwitchedOffAfterUseTakesNoGradient() {
    Tensor x = leaf(1, 2);
    Tensor y = x.exp();
    x.requiresGrad_(false);
    y.sum().backward();
    assertEquals(null, x.grad());
  }

  /**
   * Program 17074599 (long profile, seed 17): a leaf whose requires_grad was switched off and which an in-place op
   * through a view then gave a history (CopySlices) is refused by its accumulator in a graph recorded before (torch's
   * AccumulateGrad checks grad_fn before requires_grad).
   */
  @Test
  void aLeafMovedIntoTheGraphInteriorIsRefusedByItsAccumulator() {
    Tensor t1 = leaf(-1.75f, 0f);
    Tensor t2 = t1.div(0L);
    Tensor t3 = leaf(2.25f, -0.125f);
    t2.sub_(t3);
    t3.requiresGrad_(false);
    t3.view(2).add_(t2);
    assertEquals("CopySlices", t3.gradFn().name());
    var e = assertThrows(IllegalStateException.class, () -> t2.backward(Tensor.of(new float[] {-1.375f, -3f}, 2)));
    assertEquals("leaf variable has been moved into the graph interior", e.getMessage());
  }

  /**
   * Program 17087150 (long profile, seed 17): a backward pass that does not retain the graph frees CopySlices (torch
   * drops the node it wraps, whatever that saved), so a second pass through it is refused.
   */
  @Test
  void copySlicesIsFreedByABackwardThatDoesNotRetainTheGraph() {
    Tensor base = Tensor.zeros(3);
    Tensor w = leaf(1, 1);
    base.narrow(0, 1, 2).add_(w);
    base.sum().backward();
    var e = assertThrows(IllegalStateException.class, () -> base.sum().backward());
    assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"), e.getMessage());
    // retained, it runs again
    Tensor base2 = Tensor.zeros(3);
    Tensor w2 = leaf(1, 1);
    base2.narrow(0, 1, 2).add_(w2);
    base2.sum().backward(null, true);
    base2.sum().backward();
    assertArrayEquals(new float[] {2, 2}, w2.grad().toFloatArray());
  }

  /** Program 3001606: backward checks the gradient's shape before whether the root requires grad. */
  @Test
  void backwardChecksTheGradientBeforeTheRoot() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 2).backward(Tensor.ones(3)));
    assertEquals("Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of "
        + "torch.Size([2, 2]).", e.getMessage());
    var s = assertThrows(IllegalStateException.class, () -> Tensor.ones(2, 2).backward());
    assertEquals("element 0 of tensors does not require grad and does not have a grad_fn", s.getMessage());
  }

  /** Program 3001812: cat skips empty 1-D inputs for the shape, not for requires_grad (nor their zero gradient). */
  @Test
  void catOfAnEmptyInputThatRequiresGradRequiresGrad() {
    Tensor x = leaf(1, 2, 3);
    Tensor r = Tensor.cat(0, Tensor.ones(0), Tensor.ones(2), x.slice(0, 3, 3, 1));
    assertTrue(r.requiresGrad());
    assertEquals("CatBackward0", r.gradFn().name());
    r.sum().backward();
    assertArrayEquals(new float[] {0, 0, 0}, x.grad().toFloatArray());
  }

  /** Programs 4005294 and 4007744: sigmoid_ of an expanded int64 tensor fails on the overlap before the dtype. */
  @Test
  void inPlaceUnaryChecksOverlapBeforeDtype() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.INT64, 1).expand(3).sigmoid_());
    assertTrue(e.getMessage().startsWith("unsupported operation: more than one element of the written-to tensor "
        + "refers to a single memory location."), e.getMessage());
  }

  /** Programs 4000805 and 4008136: stack checks its dim before the sizes of its tensors. */
  @Test
  void stackChecksTheDimBeforeTheSizes() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.stack(5, Tensor.ones(2), Tensor.ones(3)));
    assertEquals("Dimension out of range (expected to be in range of [-2, 1], but got 5)", e.getMessage());
  }

  /** Program 2503 (of the committed corpus): copying a tensor onto itself is a no-op, even an expanded one. */
  @Test
  void copyOntoItselfIsANoOp() {
    Tensor e = Tensor.zeros(1).expand(3);
    assertEquals(e, e.copy_(e));
    assertEquals(1, e.version());
  }

  /** Program 4305: chunk of an empty dim keeps the number of chunks (torch's split_with_sizes). */
  @Test
  void chunkOfAnEmptyDimSplitsWithSizes() {
    var parts = Tensor.ones(0, 2).requiresGrad_(true).chunk(3, 0);
    assertEquals(3, parts.size());
    for (Tensor p : parts) {
      assertArrayEquals(new long[] {0, 2}, p.shape());
      assertEquals("SplitWithSizesBackward0", p.gradFn().name());
    }
  }

  /** Program 442: log_softmax of an integer tensor over another dim than the last names softmax's kernel. */
  @Test
  void logSoftmaxOfIntegersOverAnInnerDimNamesSoftmaxsKernel() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.BOOL, 2, 3).logSoftmax(0));
    assertEquals("\"softmax_kernel_impl\" not implemented for 'Bool'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.ones(DType.INT64, 2, 3).logSoftmax(-1));
    assertEquals("\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'", e.getMessage());
  }

  // ------------------------------------------------------------------------------------------- indexing

  /** Program 4007143: index_select from a dim of size 0 of a 2-D tensor fails with torch's own message. */
  @Test
  void indexSelectFromAnEmptyDimOfAMatrix() {
    var e = assertThrows(IndexOutOfBoundsException.class,
        () -> Tensor.ones(2, 0).indexSelect(1, Tensor.of(new long[] {0}, 1)));
    assertEquals("index_select(): self indexing axis dim should be positive", e.getMessage());
    assertArrayEquals(new long[] {2, 0}, Tensor.ones(2, 0).indexSelect(1, Tensor.of(new long[0], 0)).shape());
  }

  /** Program 1000451: index_select along dim 1 reports a bad index with the message of torch's dim-1 kernel. */
  @Test
  void indexSelectAlongDimOneReportsTorchsDimOneMessage() {
    var e = assertThrows(IndexOutOfBoundsException.class,
        () -> Tensor.ones(3, 2).indexSelect(1, Tensor.of(new long[] {0, 2}, 2)));
    assertEquals("INDICES element is out of DATA bounds, id=2 axis_dim=2", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class,
        () -> Tensor.ones(3, 2).indexSelect(0, Tensor.of(new long[] {0, 3}, 2)));
    assertEquals("index out of range in self", e.getMessage());
  }

  /**
   * Program 17096899 (long profile, seed 17): torch checks the indices into an empty tensor of two or more dims with
   * its dim-1 kernel's message along any dim (its own along a dim of size 0); a non-empty one keeps "index out of
   * range in self" off dim 1.
   */
  @Test
  void indexSelectFromAnEmptyTensorReportsTheDimOneKernelsMessageAlongAnyDim() {
    Tensor one = Tensor.of(new long[] {1}, 1);
    var e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(DType.INT64, 1, 0).indexSelect(0, one));
    assertEquals("INDICES element is out of DATA bounds, id=1 axis_dim=1", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3, 0).indexSelect(0, Tensor.of(new long[] {9}, 1)));
    assertEquals("INDICES element is out of DATA bounds, id=9 axis_dim=2", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3, 4).indexSelect(2, Tensor.of(new long[] {9}, 1)));
    assertEquals("index out of range in self", e.getMessage());
    e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(0).indexSelect(0, one));
    assertEquals("index out of range in self", e.getMessage());
    assertArrayEquals(new long[] {1, 0}, Tensor.zeros(2, 0).indexSelect(0, one).shape());
  }

  // ------------------------------------------------------------------------------------------- empty views

  /**
   * Program 17093105 (long profile, seed 17): a slice of a (0, 2, 8) int64 tensor along dim 1 from 2 has storage
   * offset 16, past its storage's end (torch does not mind: nothing is read); reading its values or summing it
   * sliced the memory there and failed.
   */
  @Test
  void anEmptyViewWhoseOffsetLiesPastItsStorageReadsAsEmpty() {
    for (DType dtype : new DType[] {DType.INT64, DType.FLOAT64, DType.FLOAT32, DType.BOOL}) {
      Tensor v = Tensor.zeros(dtype, 0, 2, 8).slice(1, 2, -2, 2);
      assertArrayEquals(new long[] {0, 0, 8}, v.shape());
      assertEquals(16, v.storageOffset());
      assertEquals(0, v.toLongArray().length);
      assertEquals(0, v.toDoubleArray().length);
      assertEquals(0, v.toFloatArray().length);
      assertArrayEquals(new long[] {0, 0}, v.sum(new int[] {2}, false).shape());
      assertArrayEquals(new long[] {1, 0, 8}, v.sum(new int[] {0}, true).shape());
      assertEquals(0.0, v.sum().item(), 0.0);
    }
  }
}
