package dev.vectorgrad;

import dev.vectorgrad.autograd.Node;
import dev.vectorgrad.testsupport.FiniteDifferences;
import dev.vectorgrad.testsupport.NoGrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The pointwise family ({@link Pointwise}): pow, maximum/minimum, atan2, fmod/remainder,
 * comparisons, logical ops, lerp, addcmul/addcdiv and the in-place arithmetic.
 *
 * <ul>
 *   <li>Forward values, dtypes and shapes, error messages and gradients at special points against
 *       PyTorch 1.13 ({@link PointwiseGoldenCases}, written by
 *       {@code src/test/resources/pointwise/PointwiseTestGen.py}); exact unless a case states a
 *       tolerance in ulps (transcendental functions: 1 ulp).
 *   <li>Float64 gradients of every differentiable op against central finite differences (as
 *       {@link GradCheckTest}: eps 1e-6, tolerance 1e-6 * max(1, |numeric|)), on contiguous inputs and
 *       on transposed, stepped (offset), expanded (stride 0) and strided-leaf inputs.
 *   <li>Strided inputs give the same values, bit for bit, as their contiguous copies.
 *   <li>PyTorch's node names and which nodes refuse a second backward (checked with torch 1.13).
 * </ul>
 */
class PointwiseTest {

    // ============================================================================ PyTorch goldens

    /** A forward case: the Java expression and PyTorch's dtype, shape and values (double[] or long[]). */
    record Golden(String name, Supplier<Tensor> f, DType dtype, long[] shape, Object expected, int ulps) {}

    /** A call PyTorch refuses, with the first line of its message. */
    record GoldenError(String name, Supplier<Tensor> f, String message) {}

    /** Float64 leaves, a function, PyTorch's node name and the leaves' gradients for an upstream of ones. */
    record GoldenGrad(String name, double[][] leaves, long[][] shapes, Function<Tensor[], Tensor> f, String node,
                      double[][] grads) {}

    @TestFactory
    Stream<DynamicTest> forwardMatchesPyTorch() {
        return PointwiseGoldenCases.values().stream().map(g -> DynamicTest.dynamicTest(g.name(), () -> {
            Tensor y = g.f().get();
            assertEquals(g.dtype(), y.dtype(), "dtype");
            assertArrayEquals(g.shape(), y.shape(), "shape");
            if (g.expected() instanceof long[] expected) {
                assertArrayEquals(expected, y.toLongArray());
            } else {
                assertClose((double[]) g.expected(), y.toDoubleArray(), g.ulps(), g.dtype());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> errorsMatchPyTorch() {
        return PointwiseGoldenCases.errors().stream().map(g -> DynamicTest.dynamicTest(g.name(), () -> {
            // PyTorch's RuntimeError is IllegalArgumentException for bad dtypes/shapes; its integer
            // ZeroDivisionError is Java's ArithmeticException.
            Class<? extends RuntimeException> type = g.message().equals("ZeroDivisionError")
                    ? ArithmeticException.class : IllegalArgumentException.class;
            RuntimeException e = assertThrows(type, () -> g.f().get());
            assertEquals(g.message(), e.getMessage());
        }));
    }

    @TestFactory
    Stream<DynamicTest> gradientsAtSpecialPointsMatchPyTorch() {
        return PointwiseGoldenCases.grads().stream().map(g -> DynamicTest.dynamicTest(g.name(), () -> {
            Tensor[] leaves = new Tensor[g.leaves().length];
            for (int i = 0; i < leaves.length; i++) {
                leaves[i] = Tensor.of(g.leaves()[i].clone(), g.shapes()[i]).requiresGrad_(true);
            }
            Tensor y = g.f().apply(leaves);
            assertEquals(g.node(), y.gradFn().name());
            y.backward(Tensor.ones(DType.FLOAT64, y.shape()));
            for (int i = 0; i < leaves.length; i++) {
                assertNotNull(leaves[i].grad(), "grad of input " + i);
                assertClose(g.grads()[i], leaves[i].grad().toDoubleArray(), 0, DType.FLOAT64);
            }
        }));
    }

    /** Equal bits (so -0.0 differs from 0.0; any NaN equals NaN), or within {@code ulps} of the expected value. */
    private static void assertClose(double[] expected, double[] actual, int ulps, DType dtype) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a)) continue;
            if (Double.doubleToLongBits(e) == Double.doubleToLongBits(a)) continue;
            double ulp = dtype == DType.FLOAT32 ? Math.ulp((float) e) : Math.ulp(e);
            if (ulps > 0 && Double.isFinite(e) && Math.abs(a - e) <= ulps * ulp) continue;
            fail("element " + i + ": expected " + e + " but was " + a + " (" + ulps + " ulps allowed)\n  expected "
                    + Arrays.toString(expected) + "\n  actual   " + Arrays.toString(actual));
        }
    }

    // ============================================================================ node names, second backward

    private record NodeCase(String expr, String node, boolean refusesSecondBackward, Function<Tensor[], Tensor> f) {}

    /**
     * PyTorch 1.13 with {@code x = tensor([1., 2.], requires_grad=True)}, {@code w = tensor([3., 4.],
     * requires_grad=True)}: {@code z = f(x, w).sum(); z.backward(); z.backward()}. Nodes that saved
     * tensors refuse the second pass; those that kept only scalars or nothing do not.
     */
    private static List<NodeCase> nodeCases() {
        return List.of(
                new NodeCase("x.pow(2.0)", "PowBackward0", true, t -> t[0].pow(2.0)),
                new NodeCase("x.pow(0.0)", "PowBackward0", true, t -> t[0].pow(0.0)),
                new NodeCase("x.pow(w)", "PowBackward1", true, t -> t[0].pow(t[1])),
                new NodeCase("torch.pow(2.0, x)", "PowBackward2", true, t -> Tensor.pow(2.0, t[0])),
                new NodeCase("torch.maximum(x, w)", "MaximumBackward0", true, t -> t[0].maximum(t[1])),
                new NodeCase("torch.minimum(x, w)", "MinimumBackward0", true, t -> t[0].minimum(t[1])),
                new NodeCase("torch.atan2(x, w)", "Atan2Backward0", true, t -> t[0].atan2(t[1])),
                new NodeCase("torch.fmod(x, 2.0)", "FmodBackward0", false, t -> t[0].fmod(2.0)),
                new NodeCase("torch.fmod(x, w)", "FmodBackward1", true, t -> t[0].fmod(t[1])),
                new NodeCase("torch.remainder(x, 2.0)", "RemainderBackward0", false, t -> t[0].remainder(2.0)),
                new NodeCase("torch.remainder(x, w)", "RemainderBackward1", true, t -> t[0].remainder(t[1])),
                new NodeCase("torch.lerp(x, w, 0.3)", "LerpBackward0", false, t -> t[0].lerp(t[1], 0.3)),
                new NodeCase("torch.addcmul(x, x, w)", "AddcmulBackward0", true, t -> t[0].addcmul(t[0], t[1], 1.0)),
                new NodeCase("torch.addcmul(x + 0, x.detach(), x.detach())", "AddcmulBackward0", false,
                        t -> t[0].add(0.0).addcmul(t[0].detach(), t[0].detach(), 1.0)),
                new NodeCase("torch.addcdiv(x + 0, x.detach(), x.detach())", "AddcdivBackward0", true,
                        t -> t[0].add(0.0).addcdiv(t[0].detach(), t[0].detach(), 1.0)),
                new NodeCase("(x + 0).mul_(w)", "MulBackward0", true, t -> t[0].add(0.0).mul_(t[1])),
                new NodeCase("(x + 0).mul_(w.detach())", "MulBackward0", true, t -> t[0].add(0.0).mul_(t[1].detach())),
                new NodeCase("(x.detach() + 0).mul_(w)", "MulBackward0", true, t -> t[0].detach().add(0.0).mul_(t[1])),
                new NodeCase("(x + 0).mul_(2.0)", "MulBackward0", true, t -> t[0].add(0.0).mul_(2.0)),
                new NodeCase("(x + 0).add_(2.0)", "AddBackward0", false, t -> t[0].add(0.0).add_(2.0)),
                new NodeCase("(x + 0).add_(w)", "AddBackward0", false, t -> t[0].add(0.0).add_(t[1])),
                new NodeCase("(x + 0).sub_(2.0)", "SubBackward0", false, t -> t[0].add(0.0).sub_(2.0)),
                new NodeCase("(x + 0).sub_(w)", "SubBackward0", false, t -> t[0].add(0.0).sub_(t[1])),
                new NodeCase("(x + 0).div_(2.0)", "DivBackward0", true, t -> t[0].add(0.0).div_(2.0)),
                new NodeCase("(x + 0).div_(w)", "DivBackward0", true, t -> t[0].add(0.0).div_(t[1])),
                new NodeCase("(x + 0).div_(w.detach())", "DivBackward0", true, t -> t[0].add(0.0).div_(t[1].detach())));
    }

    @TestFactory
    Stream<DynamicTest> nodeNamesAndSecondBackwardAsPyTorch() {
        return nodeCases().stream().map(c -> DynamicTest.dynamicTest(c.expr(), () -> {
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad_(true);
            Tensor w = Tensor.of(new float[] {3, 4}).requiresGrad_(true);
            Tensor y = c.f().apply(new Tensor[] {x, w});
            assertEquals(c.node(), y.gradFn().name());
            Tensor z = y.sum();
            z.backward();
            if (c.refusesSecondBackward()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, z::backward);
                assertEquals(Node.BACKWARD_TWICE_MESSAGE, e.getMessage());
            } else {
                z.backward();
            }
        }));
    }

    @Test
    void mulInPlaceByItselfFailsBackwardAsPyTorch() {
        // PyTorch: y = x * 1; y.mul_(y); y.sum().backward() -> the saved other (y) was modified in place
        Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad_(true);
        Tensor y = x.mul(1.0);
        y.mul_(y);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertEquals("one of the variables needed for gradient computation has been modified by an inplace operation: "
                + "[torch.FloatTensor [2]], which is output 0 of MulBackward0, is at version 1; expected version 0 "
                + "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                + "with torch.autograd.set_detect_anomaly(True).", e.getMessage());
    }

    @Test
    void writingASavedPowResultFailsBackwardAsPyTorch() {
        // PyTorch: y = x.pow(w) (or torch.pow(2.0, x)); y.mul_(2); y.sum().backward(): the saved result
        // changed, and the message names the node that produced it
        Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad_(true);
        Tensor w = Tensor.of(new float[] {3, 4}).requiresGrad_(true);
        for (String node : List.of("PowBackward1", "PowBackward2")) {
            Tensor y = node.equals("PowBackward1") ? x.pow(w) : Tensor.pow(2.0, x);
            y.mul_(2.0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
            assertEquals("one of the variables needed for gradient computation has been modified by an inplace "
                    + "operation: [torch.FloatTensor [2]], which is output 0 of " + node + ", is at version 1; expected "
                    + "version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute "
                    + "its gradient, with torch.autograd.set_detect_anomaly(True).", e.getMessage());
        }
    }

    @Test
    void inPlaceRulesOfLeavesAndGradMode() {
        Tensor leaf = Tensor.of(new float[] {1, 2}).requiresGrad_(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> leaf.mul_(2.0));
        assertEquals("a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
        assertThrows(IllegalStateException.class, () -> leaf.div_(Tensor.of(new float[] {2, 2})));
        // under no_grad a leaf may be written, nothing is recorded, the version moves
        NoGrad.call(() -> leaf.mul_(2.0).sub_(Tensor.of(new float[] {1, 1})));
        assertArrayEquals(new double[] {1, 3}, leaf.toDoubleArray());
        assertTrue(leaf.isLeaf());
        assertEquals(2, leaf.version());
        // an in-place op returns the tensor itself and bumps its version
        Tensor t = Tensor.of(new double[] {1, 2});
        assertSame(t, t.add_(1.0));
        assertSame(t, t.div_(Tensor.of(new double[] {2})));
        assertEquals(2, t.version());
        assertArrayEquals(new double[] {1, 1.5}, t.toDoubleArray());
        // a plain tensor written with a tensor that requires grad joins the graph
        Tensor plain = Tensor.of(new double[] {1, 2});
        Tensor w = Tensor.of(new double[] {3, 4}).requiresGrad_(true);
        plain.mul_(w);
        assertEquals("MulBackward0", plain.gradFn().name());
        plain.sum().backward();
        assertArrayEquals(new double[] {1, 2}, w.grad().toDoubleArray());
    }

    @Test
    void inPlaceThroughAViewRewritesTheBase() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad_(true);
        Tensor s = Tensor.of(new double[] {10, 20}).requiresGrad_(true);
        Tensor b = x.mul(1.0);
        b.t().select(0, 1).mul_(s);   // column 1 of b times s
        assertEquals("CopySlices", b.gradFn().name());
        assertArrayEquals(new double[] {1, 20, 3, 4, 100, 6}, b.toDoubleArray());
        b.sum().backward();
        assertArrayEquals(new double[] {1, 10, 1, 1, 20, 1}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 5}, s.grad().toDoubleArray());
    }

    @Test
    void integerAndBoolResultsNeverRecord() {
        Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad_(true);
        for (Tensor r : List.of(x.eq(1.0), x.lt(Tensor.of(new float[] {2, 2})), x.logicalNot(), x.logicalAnd(x),
                x.ne(x), x.ge(0.0))) {
            assertEquals(DType.BOOL, r.dtype());
            assertFalse(r.requiresGrad());
            assertNull(r.gradFn());
        }
        Tensor l = Tensor.of(new long[] {3, 4});
        assertNull(l.pow(l).gradFn());
        assertNull(l.maximum(l).gradFn());
        // no_grad: nothing recorded for float results either
        Tensor y = NoGrad.call(() -> x.pow(2.0).maximum(x).atan2(x).lerp(x, 0.5).addcmul(x, x, 1.0));
        assertNull(y.gradFn());
        assertFalse(y.requiresGrad());
    }

    // ============================================================================ finite differences
    private static final long END = Long.MAX_VALUE;

    /** How an input's values are drawn: any, positive in [0.5, 2], or either sign with magnitude in [0.5, 2]. */
    private enum Values { NORMAL, POSITIVE, AWAY_FROM_ZERO }

    /** How an input is laid out: see {@link ViewGradCheckTest.Layout}, whose meanings these follow. */
    private enum Layout { CONTIGUOUS, TRANSPOSED, STEPPED, EXPANDED, STRIDED_LEAF;

        boolean appliesTo(long[] s) {
            int nd = s.length;
            return switch (this) {
                case CONTIGUOUS -> true;
                case TRANSPOSED, STRIDED_LEAF -> nd >= 2 && s[0] > 1 && s[nd - 1] > 1;
                case STEPPED, EXPANDED -> nd >= 1 && s[0] > 1;
            };
        }
    }

    private record Input(long[] shape, Values values, Layout layout) {
        Input with(Layout l) {
            return new Input(shape, values, l);
        }

        long[] leafShape() {
            long[] s = shape.clone();
            int last = s.length - 1;
            switch (layout) {
                case CONTIGUOUS, STRIDED_LEAF -> { }
                case TRANSPOSED -> {
                    s[0] = shape[last];
                    s[last] = shape[0];
                }
                case STEPPED -> s[0] = 2 * shape[0] + 1;
                case EXPANDED -> s[0] = 1;
            }
            return s;
        }

        int leafNumel() {
            return Math.toIntExact(Arrays.stream(leafShape()).reduce(1, Math::multiplyExact));
        }

        @Override
        public String toString() {
            return (layout == Layout.CONTIGUOUS ? "" : layout.name().toLowerCase() + " ") + Arrays.toString(shape);
        }
    }

    private static Input x(long... shape) {
        return new Input(shape, Values.NORMAL, Layout.CONTIGUOUS);
    }

    private static Input pos(long... shape) {
        return new Input(shape, Values.POSITIVE, Layout.CONTIGUOUS);
    }

    private static Input away(long... shape) {
        return new Input(shape, Values.AWAY_FROM_ZERO, Layout.CONTIGUOUS);
    }

    private record Check(String name, Function<Tensor[], Tensor> f, List<Input> inputs) {}

    private static Check check(String name, Function<Tensor[], Tensor> f, Input... inputs) {
        return new Check(name, f, List.of(inputs));
    }

    private static List<Check> checks() {
        List<Check> c = new ArrayList<>();
        for (double e : new double[] {2, 3, -2, -1, 1, 0}) {
            c.add(check("a.pow(" + e + ")", t -> t[0].pow(e), away(3, 4)));
        }
        for (double e : new double[] {0.5, -0.5, 1.5, 2.2, -1.3}) {
            c.add(check("a.pow(" + e + ") of positive a", t -> t[0].pow(e), pos(3, 4)));
        }
        c.add(check("a.pow(3.0) at any sign", t -> t[0].pow(3.0), x(3, 4)));
        c.add(check("a.pow(b)", t -> t[0].pow(t[1]), pos(3, 4), x(3, 4)));
        c.add(check("a.pow(b) broadcast (3, 4) (4,)", t -> t[0].pow(t[1]), pos(3, 4), x(4)));
        c.add(check("a.pow(b) broadcast (3, 1) (1, 4)", t -> t[0].pow(t[1]), pos(3, 1), x(1, 4)));
        c.add(check("a.pow(b) 0-dim exponent", t -> t[0].pow(t[1]), pos(3, 4), x()));
        c.add(check("pow(2.5, e)", t -> Tensor.pow(2.5, t[0]), x(3, 4)));
        c.add(check("pow(0.3, e)", t -> Tensor.pow(0.3, t[0]), x(3, 4)));
        c.add(check("maximum(a, b)", t -> t[0].maximum(t[1]), x(3, 4), x(3, 4)));
        c.add(check("minimum(a, b)", t -> t[0].minimum(t[1]), x(3, 4), x(3, 4)));
        c.add(check("maximum broadcast (3, 4) (4,)", t -> t[0].maximum(t[1]), x(3, 4), x(4)));
        c.add(check("minimum broadcast (3, 1) (2, 1, 4)", t -> t[0].minimum(t[1]), x(3, 1), x(2, 1, 4)));
        c.add(check("atan2(a, b)", t -> t[0].atan2(t[1]), x(3, 4), away(3, 4)));
        c.add(check("atan2 broadcast (4,) (3, 4)", t -> t[0].atan2(t[1]), away(4), x(3, 4)));
        c.add(check("a.fmod(0.7)", t -> t[0].fmod(0.7), x(3, 4)));
        c.add(check("a.remainder(-0.7)", t -> t[0].remainder(-0.7), x(3, 4)));
        c.add(check("a.fmod(b)", t -> t[0].fmod(t[1]), x(3, 4), away(3, 4)));
        c.add(check("a.remainder(b)", t -> t[0].remainder(t[1]), x(3, 4), away(3, 4)));
        c.add(check("a.remainder(b) broadcast (3, 4) (3, 1)", t -> t[0].remainder(t[1]), x(3, 4), away(3, 1)));
        c.add(check("a.fmod(b) broadcast (4,) (3, 4)", t -> t[0].fmod(t[1]), x(4), away(3, 4)));
        c.add(check("a.lerp(b, 0.3)", t -> t[0].lerp(t[1], 0.3), x(3, 4), x(3, 4)));
        c.add(check("a.lerp(b, 0.8)", t -> t[0].lerp(t[1], 0.8), x(3, 4), x(3, 4)));
        c.add(check("a.lerp(b, -1.5) broadcast (3, 1) (4,)", t -> t[0].lerp(t[1], -1.5), x(3, 1), x(4)));
        c.add(check("a.addcmul(b, c, 0.7)", t -> t[0].addcmul(t[1], t[2], 0.7), x(3, 4), x(3, 4), x(3, 4)));
        c.add(check("a.addcdiv(b, c, -0.4)", t -> t[0].addcdiv(t[1], t[2], -0.4), x(3, 4), x(3, 4), away(3, 4)));
        c.add(check("a.addcmul(b, c) broadcast (4,) (3, 1) (3, 4)", t -> t[0].addcmul(t[1], t[2], 1.3),
                x(4), x(3, 1), x(3, 4)));
        c.add(check("a.addcdiv(b, c) broadcast (3, 4) (4,) (3, 1)", t -> t[0].addcdiv(t[1], t[2], 2.0),
                x(3, 4), x(4), away(3, 1)));
        c.add(check("a.addcmul(a, a, 0.5) (one input three times)", t -> t[0].addcmul(t[0], t[0], 0.5), x(3, 4)));
        // in place on a non-leaf
        c.add(check("b = a * 1; b.add_(2.5).sub_(0.5).mul_(1.5).div_(0.7)",
                t -> t[0].mul(1.0).add_(2.5).sub_(0.5).mul_(1.5).div_(0.7), x(3, 4)));
        c.add(check("b = a * 1; b.sub_(s)", t -> t[0].mul(1.0).sub_(t[1]), x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.mul_(s)", t -> t[0].mul(1.0).mul_(t[1]), x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.div_(s)", t -> t[0].mul(1.0).div_(t[1]), x(3, 4), away(3, 4)));
        c.add(check("b = a * 1; b.mul_(s (4,)) broadcast", t -> t[0].mul(1.0).mul_(t[1]), x(3, 4), x(4)));
        c.add(check("b = a * 1; b.div_(s (3, 1)) broadcast", t -> t[0].mul(1.0).div_(t[1]), x(3, 4), away(3, 1)));
        c.add(check("b = a * 1; b.add_(s) then b.mul_(s)", t -> t[0].mul(1.0).add_(t[1]).mul_(t[1]), x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.mul_(s); b * a (old values of b saved)", t -> {
            Tensor b = t[0].mul(1.0);
            b.mul_(t[1]);
            return b.mul(t[0]);
        }, x(3, 4), x(3, 4)));
        c.add(check("b = a * 1; b.t().mul_(s) (a view written)", t -> {
            Tensor b = t[0].mul(1.0);
            b.t().mul_(t[1]);
            return b;
        }, x(3, 4), x(4, 3)));
        c.add(check("b = a * 1; b.select(1, 2).div_(s); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.select(1, 2).div_(t[1]);
            return b;
        }, x(3, 4), away(3)));
        c.add(check("b = a * 1; b.narrow(0, 1, 2).sub_(s).mul_(3.0); b", t -> {
            Tensor b = t[0].mul(1.0);
            b.narrow(0, 1, 2).sub_(t[1]).mul_(3.0);
            return b;
        }, x(3, 4), x(4)));
        // chains
        c.add(check("maximum(a, b).pow(2.0).lerp(c, 0.3)", t -> t[0].maximum(t[1]).pow(2.0).lerp(t[2], 0.3),
                x(3, 4), x(3, 4), x(3, 4)));
        c.add(check("a.atan2(b).fmod(0.5).addcmul(a, b, 0.1)", t -> t[0].atan2(t[1]).fmod(0.5).addcmul(t[0], t[1], 0.1),
                x(3, 4), away(3, 4)));
        return c;
    }

    private static final List<Layout> NON_CONTIGUOUS =
            List.of(Layout.TRANSPOSED, Layout.STEPPED, Layout.EXPANDED, Layout.STRIDED_LEAF);

    /** The check on contiguous inputs, then once per non-contiguous layout (on every input it applies to). */
    private static List<Check> variants(Check c) {
        List<Check> out = new ArrayList<>();
        out.add(c);
        for (Layout l : NON_CONTIGUOUS) {
            List<Input> ins = new ArrayList<>();
            boolean changed = false;
            for (Input in : c.inputs()) {
                boolean applies = l.appliesTo(in.shape());
                ins.add(applies ? in.with(l) : in);
                changed |= applies;
            }
            if (changed) out.add(new Check(c.name(), c.f(), ins));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferences() {
        return checks().stream().flatMap(c -> variants(c).stream())
                .map(c -> DynamicTest.dynamicTest(c.name() + " " + c.inputs(), () -> gradcheck(c)));
    }

    /** Guards the claim of the gradcheck: each layout really makes the input it names. */
    @Test
    void layoutsMakeTheInputsTheyName() {
        long[] shape = {3, 4};
        for (Layout l : Layout.values()) {
            Input in = x(shape).with(l);
            double[] values = new double[in.leafNumel()];
            Tensor input = make(in, values, false)[1];
            assertArrayEquals(shape, input.shape(), l.name());
            assertEquals(l == Layout.CONTIGUOUS, input.isContiguous(), l.name());
        }
        assertArrayEquals(new long[] {0, 1}, make(x(shape).with(Layout.EXPANDED), new double[4], false)[1].stride());
    }

    private static void gradcheck(Check c) {
        Random random = new Random((c.name() + c.inputs()).hashCode());
        List<double[]> values = new ArrayList<>();
        for (Input in : c.inputs()) values.add(randomValues(in, random));
        Tensor[] leaves = new Tensor[values.size()];
        Tensor[] inputs = new Tensor[values.size()];
        for (int i = 0; i < leaves.length; i++) {
            Tensor[] made = make(c.inputs().get(i), values.get(i), true);
            leaves[i] = made[0];
            inputs[i] = made[1];
        }
        Tensor y = c.f().apply(inputs);
        assertEquals(DType.FLOAT64, y.dtype(), "output dtype");
        double[] upstream = new double[Math.toIntExact(y.numel())];
        for (int j = 0; j < upstream.length; j++) upstream[j] = random.nextGaussian();
        y.backward(upstream.length == 1 && y.dim() == 0 ? Tensor.full(DType.FLOAT64, upstream[0])
                : Tensor.of(upstream.clone(), y.shape()));
        for (int i = 0; i < leaves.length; i++) {
            Tensor grad = leaves[i].grad();
            assertNotNull(grad, c.name() + ": input " + i + " should have a grad");
            assertArrayEquals(leaves[i].shape(), grad.shape(), "grad shape of input " + i);
            assertEquals(DType.FLOAT64, grad.dtype(), "grad dtype of input " + i);
            FiniteDifferences.assertMatches(c.name() + ": input " + i, values.get(i), grad.toDoubleArray(),
                    () -> weightedOutput(c, values, upstream));
        }
    }

    private static double weightedOutput(Check c, List<double[]> values, double[] upstream) {
        double[] y = NoGrad.call(() -> {
            Tensor[] inputs = new Tensor[values.size()];
            for (int i = 0; i < inputs.length; i++) inputs[i] = make(c.inputs().get(i), values.get(i), false)[1];
            return c.f().apply(inputs).toDoubleArray();
        });
        return FiniteDifferences.weighted(y, upstream);
    }

    private static double[] randomValues(Input in, Random random) {
        double[] v = new double[in.leafNumel()];
        for (int j = 0; j < v.length; j++) {
            v[j] = switch (in.values()) {
                case NORMAL -> random.nextGaussian();
                case POSITIVE -> 0.5 + 1.5 * random.nextDouble();
                case AWAY_FROM_ZERO -> (0.5 + 1.5 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
            };
        }
        return v;
    }

    /** {@code [leaf, input]}: the float64 leaf holding {@code values} and the input made from it in its layout. */
    private static Tensor[] make(Input in, double[] values, boolean requiresGrad) {
        long[] s = in.shape();
        if (in.layout() == Layout.STRIDED_LEAF) {
            // storage laid out with the first and last dims swapped, seen through transpose(0, -1)
            Tensor base = Tensor.of(values.clone(), s).transpose(0, -1).contiguous();
            Tensor leaf = base.transpose(0, -1);
            if (requiresGrad) leaf.requiresGrad_(true);
            return new Tensor[] {leaf, leaf};
        }
        Tensor leaf = s.length == 0 ? Tensor.full(DType.FLOAT64, values[0]) : Tensor.of(values.clone(), in.leafShape());
        if (requiresGrad) leaf.requiresGrad_(true);
        Tensor input = switch (in.layout()) {
            case CONTIGUOUS -> leaf;
            case TRANSPOSED -> leaf.transpose(0, -1);
            case STEPPED -> leaf.slice(0, 1, END, 2);
            case EXPANDED -> leaf.expand(s);
            case STRIDED_LEAF -> throw new AssertionError();
        };
        return new Tensor[] {leaf, input};
    }

    // ============================================================================ strided forward == contiguous forward

    private record Op(String name, Function<Tensor[], Tensor> f, int arity) {}

    private static List<Op> forwardOps() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("pow(2.0)", t -> t[0].pow(2.0), 1));
        ops.add(new Op("pow(3.0)", t -> t[0].pow(3.0), 1));
        ops.add(new Op("pow(-0.5)", t -> t[0].pow(-0.5), 1));
        ops.add(new Op("pow(1.7)", t -> t[0].pow(1.7), 1));
        ops.add(new Op("pow(b)", t -> t[0].pow(t[1]), 2));
        ops.add(new Op("pow(1.3, b)", t -> Tensor.pow(1.3, t[0]), 1));
        ops.add(new Op("maximum", t -> t[0].maximum(t[1]), 2));
        ops.add(new Op("minimum", t -> t[0].minimum(t[1]), 2));
        ops.add(new Op("atan2", t -> t[0].atan2(t[1]), 2));
        ops.add(new Op("fmod(1.5)", t -> t[0].fmod(1.5), 1));
        ops.add(new Op("remainder(b)", t -> t[0].remainder(t[1]), 2));
        ops.add(new Op("fmod(b)", t -> t[0].fmod(t[1]), 2));
        for (String cmp : List.of("eq", "ne", "lt", "le", "gt", "ge")) {
            ops.add(new Op(cmp, t -> Pointwise.compare(cmp, t[0], t[1]), 2));
            ops.add(new Op(cmp + "(0.25)", t -> Pointwise.compare(cmp, t[0], 0.25), 1));
        }
        ops.add(new Op("logicalAnd", t -> t[0].logicalAnd(t[1]), 2));
        ops.add(new Op("logicalXor", t -> t[0].logicalXor(t[1]), 2));
        ops.add(new Op("logicalNot", t -> t[0].logicalNot(), 1));
        ops.add(new Op("lerp(0.3)", t -> t[0].lerp(t[1], 0.3), 2));
        ops.add(new Op("addcmul", t -> t[0].addcmul(t[1], t[0], 0.3), 2));
        ops.add(new Op("addcdiv", t -> t[0].addcdiv(t[1], t[0], 0.3), 2));
        ops.add(new Op("clone().mul_(b)", t -> t[0].clone().mul_(t[1]), 2));
        ops.add(new Op("clone().t().div_(b.t())", t -> {
            Tensor c = t[0].clone();
            c.t().div_(t[1].t());
            return c;
        }, 2));
        ops.add(new Op("clone().t().sub_(0.5)", t -> {
            Tensor c = t[0].clone();
            c.t().sub_(0.5);
            return c;
        }, 1));
        return ops;
    }

    /**
     * Every op on transposed, stepped and expanded views gives, bit for bit, what it gives on
     * contiguous copies of them (float32 with some small integers and a zero among the values, so
     * ties, exact quotients and equal elements occur; and int64 for the ops that take it).
     */
    @TestFactory
    Stream<DynamicTest> stridedInputsGiveTheContiguousResult() {
        Random random = new Random(7);
        float[] av = new float[2 * 33 * 17 + 17];
        float[] bv = new float[av.length];
        for (int i = 0; i < av.length; i++) {
            av[i] = random.nextInt(4) == 0 ? random.nextInt(5) - 2 : (float) random.nextGaussian() * 3;
            bv[i] = random.nextInt(4) == 0 ? random.nextInt(5) - 2 : (float) random.nextGaussian() * 3;
        }
        Tensor a = Tensor.of(av), b = Tensor.of(bv);
        // (33, 17) views: transposed, stepped with an offset, expanded
        List<Tensor[]> views = List.of(
                new Tensor[] {a.narrow(0, 0, 33 * 17).view(17, 33).t(), b.narrow(0, 5, 33 * 17).view(17, 33).t()},
                new Tensor[] {a.narrow(0, 17, 2 * 33 * 17).view(66, 17).slice(0, 1, END, 2),
                    b.narrow(0, 0, 33 * 17).view(33, 17)},
                new Tensor[] {a.narrow(0, 3, 17).expand(33, 17), b.narrow(0, 0, 33 * 17).view(33, 17).t().t()});
        List<DynamicTest> tests = new ArrayList<>();
        for (Op op : forwardOps()) {
            for (int v = 0; v < views.size(); v++) {
                Tensor[] in = views.get(v);
                int variant = v;
                tests.add(DynamicTest.dynamicTest(op.name() + " view " + v, () -> {
                    Tensor expected = op.f().apply(new Tensor[] {in[0].contiguous(), in[1].contiguous()});
                    Tensor actual = op.f().apply(in);
                    assertArrayEquals(expected.shape(), actual.shape());
                    assertEquals(expected.dtype(), actual.dtype());
                    assertBitsEqual(expected, actual, op.name() + " view " + variant);
                    if (op.name().startsWith("clone().") || op.name().startsWith("add")
                            || op.name().startsWith("lerp") || op.name().startsWith("atan2")
                            || op.name().startsWith("pow(1.7)") || op.name().startsWith("pow(-0.5)")
                            || op.name().startsWith("pow(1.3")) {
                        return;   // floating point only
                    }
                    // the same on int64 (comparisons, maximum, remainder, ... on integers)
                    if (op.name().contains("fmod") || op.name().contains("remainder")) return;   // zeros divide
                    Tensor ia = in[0].to(DType.INT64), ib = in[1].to(DType.INT64);
                    Tensor[] strided = {ia.contiguous().t().contiguous().t(), ib};
                    Tensor e2 = op.f().apply(new Tensor[] {ia.contiguous(), ib.contiguous()});
                    Tensor a2 = op.f().apply(strided);
                    assertEquals(e2.dtype(), a2.dtype());
                    assertBitsEqual(e2, a2, op.name() + " int64 view " + variant);
                }));
            }
        }
        return tests.stream();
    }

    private static void assertBitsEqual(Tensor expected, Tensor actual, String what) {
        if (expected.dtype().isFloatingPoint()) {
            double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(a[i])) {
                    fail(what + ": element " + i + " is " + a[i] + ", contiguous gives " + e[i]);
                }
            }
        } else {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
        }
    }

    // ============================================================================ more edge cases

    @Test
    void integerPowAndModuloAreExactBeyondDoublePrecision() {
        // 3^39 and (2^53 + 1) % 10 need all 64 bits; double arithmetic would round them
        assertArrayEquals(new long[] {4052555153018976267L},
                Tensor.of(new long[] {3}).pow(Tensor.of(new long[] {39})).toLongArray());
        assertArrayEquals(new long[] {3, 7},
                Tensor.of(new long[] {9007199254740993L, -9007199254740993L}).remainder(Tensor.of(new long[] {10}))
                        .toLongArray());
        assertArrayEquals(new long[] {3, -3},
                Tensor.of(new long[] {9007199254740993L, -9007199254740993L}).fmod(Tensor.of(new long[] {10}))
                        .toLongArray());
        // Long.MIN_VALUE % -1 is 0 (C++ would trap; PyTorch crashes with SIGFPE here)
        assertArrayEquals(new long[] {0}, Tensor.of(new long[] {Long.MIN_VALUE}).fmod(Tensor.of(new long[] {-1})).toLongArray());
    }

    @Test
    void zeroDivisionIsCheckedOnlyForIntegerTensorDivisors() {
        assertThrows(ArithmeticException.class, () -> Tensor.of(new long[] {1, 2}).fmod(Tensor.of(new long[] {1, 0})));
        // an empty result divides nothing
        Tensor empty = Tensor.of(new long[] {1}).narrow(0, 0, 0);
        assertEquals(0, empty.fmod(Tensor.of(new long[] {0})).numel());
        // float divisors give NaN
        assertTrue(Double.isNaN(Tensor.of(new long[] {1}).fmod(Tensor.of(new double[] {0})).toDoubleArray()[0]));
    }

    @Test
    void comparisonsOfEmptyAndZeroDimTensors() {
        Tensor empty = Tensor.zeros(0, 3);
        Tensor r = empty.lt(Tensor.zeros(3));
        assertArrayEquals(new long[] {0, 3}, r.shape());
        assertEquals(DType.BOOL, r.dtype());
        Tensor s = Tensor.full(DType.FLOAT64, 2.0).gt(Tensor.full(DType.FLOAT32, 1.0));
        assertEquals(0, s.dim());
        assertArrayEquals(new boolean[] {true}, s.toBooleanArray());
    }

    @Test
    void largeTensorsTakeTheParallelPathsWithTheSameValues() {
        int n = 200_003;
        double[] av = new double[n], bv = new double[n];
        Random random = new Random(3);
        for (int i = 0; i < n; i++) {
            av[i] = random.nextGaussian();
            bv[i] = random.nextGaussian();
        }
        Tensor a = Tensor.of(av), b = Tensor.of(bv);
        boolean[] gt = a.gt(b).toBooleanArray();
        boolean[] le = a.le(0.1).toBooleanArray();
        double[] max = a.maximum(b).toDoubleArray();
        double[] lerp = a.lerp(b, 0.25).toDoubleArray();
        double[] cm = a.addcmul(a, b, 0.5).toDoubleArray();
        for (int i = 0; i < n; i++) {
            assertEquals(av[i] > bv[i], gt[i]);
            assertEquals(av[i] <= 0.1, le[i]);
            assertEquals(Math.max(av[i], bv[i]), max[i]);
            assertEquals(Math.fma(0.25, bv[i] - av[i], av[i]), lerp[i]);
            assertEquals(Math.fma(0.5 * av[i], bv[i], av[i]), cm[i]);
        }
    }

    // ============================================================================ helpers for the goldens

    static Tensor F(double... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(f);
    }

    static Tensor D(double... v) {
        return Tensor.of(v.clone());
    }

    static Tensor L(long... v) {
        return Tensor.of(v.clone());
    }

    static Tensor B(boolean... v) {
        return Tensor.of(v.clone());
    }
}
