package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.testsupport.FiniteDifferences;
import dev.vectorgrad.testsupport.NoGrad;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradients of every differentiable unary op of issue 7 ({@code UnaryOps}: exp ... frac, nan_to_num, clamp and its
 * one-sided forms, the in-place exp_/relu_/sigmoid_/tanh_/clamp_, and the activations of {@link Activations}) against
 * central finite differences in float64, as {@link GradCheckTest} does for round 1 (same eps, same tolerance):
 * backward must leave in the leaf's {@code grad()} the gradient of {@code L = sum(f(x) * g)} for a random upstream
 * {@code g}, estimated element by element as {@code (L(x + eps e_j) - L(x - eps e_j)) / (2 eps)}, to within
 * {@code 1e-6 * max(1, |numeric|)}.
 *
 * <p>Inputs are drawn from each op's domain and kept away from its kinks and discontinuities (0 for relu/abs/sign/
 * leaky_relu/elu, the bounds of clamp/hardtanh, integers and halves for the rounding ops, the softplus threshold, the
 * poles of tan and the branch points of log/asin/acos), where a one-sided convention decides and finite differences
 * cannot (the conventions there are pinned by the PyTorch goldens). Every check runs on a contiguous (3, 4) input,
 * on the non-contiguous layouts of {@link ViewGradCheckTest} (transposed, sliced with a step, expanded, contiguous
 * at an offset, a strided leaf), and on a 0-dim input.
 */
class UnaryGradCheckTest {
    private static final long END = Long.MAX_VALUE;
    private static final long[] SHAPE = {3, 4};

    // ------------------------------------------------------------------------------------------ domains

    /** Where an op's inputs are drawn from: a sampler and the points to keep away from (by more than 0.05). */
    record Domain(String name, ToDoubleFunction<Random> sample, DoublePredicate nearKink) {
        double draw(Random r) {
            for (int tries = 0; tries < 10_000; tries++) {
                double v = sample.applyAsDouble(r);
                if (!nearKink.test(v)) return v;
            }
            throw new AssertionError("domain " + name + " rejects everything");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static DoublePredicate near(double... kinks) {
        return v -> Arrays.stream(kinks).anyMatch(k -> Math.abs(v - k) < 0.05);
    }

    private static Domain uniform(String name, double lo, double hi, double... kinks) {
        return new Domain(name, r -> lo + (hi - lo) * r.nextDouble(), near(kinks));
    }

    private static final Domain ANY = new Domain("normal", r -> 1.5 * r.nextGaussian(), v -> false);
    private static final Domain WIDE = new Domain("normal*3", r -> 3 * r.nextGaussian(), v -> false);
    private static final Domain POSITIVE = uniform("(0.2, 4)", 0.2, 4);
    private static final Domain UNIT = uniform("(-0.9, 0.9)", -0.9, 0.9);
    private static final Domain ABOVE_MINUS_ONE = uniform("(-0.8, 4)", -0.8, 4);
    private static final Domain TAN = uniform("(-1.2, 1.2)", -1.2, 1.2);
    private static final Domain NOT_ZERO = uniform("(-3, 3) away from 0", -3, 3, 0);
    /** Away from integers and halves: the rounding ops' steps. */
    private static final Domain NOT_INTEGER = new Domain("(-4, 4) away from k/2", r -> -4 + 8 * r.nextDouble(),
            v -> Math.abs(v * 2 - Math.rint(v * 2)) < 0.1);

    private static Domain awayFrom(double lo, double hi, double... kinks) {
        return uniform("(" + lo + ", " + hi + ") away from " + Arrays.toString(kinks), lo, hi, kinks);
    }

    // ------------------------------------------------------------------------------------------ checks

    record Check(String name, Function<Tensor, Tensor> f, Domain domain) {}

    private static Check check(String name, Function<Tensor, Tensor> f, Domain domain) {
        return new Check(name, f, domain);
    }

    static List<Check> checks() {
        List<Check> c = new ArrayList<>();
        // unary math
        c.add(check("exp", Tensor::exp, WIDE));
        c.add(check("exp2", Tensor::exp2, WIDE));
        c.add(check("expm1", Tensor::expm1, WIDE));
        c.add(check("log", Tensor::log, POSITIVE));
        c.add(check("log2", Tensor::log2, POSITIVE));
        c.add(check("log10", Tensor::log10, POSITIVE));
        c.add(check("log1p", Tensor::log1p, ABOVE_MINUS_ONE));
        c.add(check("sqrt", Tensor::sqrt, POSITIVE));
        c.add(check("rsqrt", Tensor::rsqrt, POSITIVE));
        c.add(check("abs", Tensor::abs, NOT_ZERO));
        c.add(check("sign", Tensor::sign, NOT_ZERO));
        c.add(check("neg", Tensor::neg, ANY));
        c.add(check("reciprocal", Tensor::reciprocal, NOT_ZERO));
        c.add(check("square", Tensor::square, WIDE));
        c.add(check("sin", Tensor::sin, WIDE));
        c.add(check("cos", Tensor::cos, WIDE));
        c.add(check("tan", Tensor::tan, TAN));
        c.add(check("asin", Tensor::asin, UNIT));
        c.add(check("acos", Tensor::acos, UNIT));
        c.add(check("atan", Tensor::atan, WIDE));
        c.add(check("sinh", Tensor::sinh, WIDE));
        c.add(check("cosh", Tensor::cosh, WIDE));
        c.add(check("tanh", Tensor::tanh, WIDE));
        c.add(check("sigmoid", Tensor::sigmoid, WIDE));
        c.add(check("relu", Tensor::relu, NOT_ZERO));
        c.add(check("erf", Tensor::erf, WIDE));
        c.add(check("floor", Tensor::floor, NOT_INTEGER));
        c.add(check("ceil", Tensor::ceil, NOT_INTEGER));
        c.add(check("round", Tensor::round, NOT_INTEGER));
        c.add(check("trunc", Tensor::trunc, NOT_INTEGER));
        c.add(check("frac", Tensor::frac, NOT_INTEGER));
        c.add(check("nanToNum()", Tensor::nanToNum, WIDE));
        c.add(check("nanToNum(0, 1, -1)", t -> t.nanToNum(0, 1, -1), WIDE));
        // clamp
        c.add(check("clamp(-0.5, 0.8)", t -> t.clamp(-0.5, 0.8), awayFrom(-2, 2, -0.5, 0.8)));
        c.add(check("clampMin(-0.25)", t -> t.clampMin(-0.25), awayFrom(-2, 2, -0.25)));
        c.add(check("clampMax(0.3)", t -> t.clampMax(0.3), awayFrom(-2, 2, 0.3)));
        c.add(check("clamp(-inf, 0)", t -> t.clamp(Double.NEGATIVE_INFINITY, 0), awayFrom(-2, 2, 0)));
        // in-place on a non-leaf (and, for the strided layouts, on a strided non-leaf)
        c.add(check("(x * 1).exp_()", t -> t.mul(1.0).exp_(), WIDE));
        c.add(check("(x * 1).relu_()", t -> t.mul(1.0).relu_(), NOT_ZERO));
        c.add(check("(x * 1).sigmoid_()", t -> t.mul(1.0).sigmoid_(), WIDE));
        c.add(check("(x * 1).tanh_()", t -> t.mul(1.0).tanh_(), WIDE));
        c.add(check("(x * 1).clamp_(-0.5, 0.8)", t -> t.mul(1.0).clamp_(-0.5, 0.8), awayFrom(-2, 2, -0.5, 0.8)));
        c.add(check("(x * 2).tanh_().mul(3).sigmoid_()", t -> t.mul(2.0).tanh_().mul(3.0).sigmoid_(), ANY));
        c.add(check("b = x * 1; b.t().exp_(); b", t -> {
            Tensor b = t.mul(1.0);
            if (b.dim() == 2) b.t().exp_();
            else b.exp_();
            return b;
        }, ANY));
        c.add(check("b = x * 1; b.t().sigmoid_(); b * x", t -> {
            Tensor b = t.mul(1.0);
            if (b.dim() == 2) b.t().sigmoid_();
            else b.sigmoid_();
            return b.mul(t);
        }, ANY));
        // activations
        c.add(check("leakyRelu(0.01)", t -> Activations.leakyRelu(t, 0.01), NOT_ZERO));
        c.add(check("leakyRelu(-0.5)", t -> Activations.leakyRelu(t, -0.5), NOT_ZERO));
        c.add(check("elu(1)", t -> Activations.elu(t, 1.0), NOT_ZERO));
        c.add(check("elu(0.5)", t -> Activations.elu(t, 0.5), NOT_ZERO));
        c.add(check("gelu (erf)", t -> Activations.gelu(t, false), WIDE));
        c.add(check("gelu (tanh)", t -> Activations.gelu(t, true), WIDE));
        c.add(check("silu", Activations::silu, WIDE));
        c.add(check("mish", Activations::mish, WIDE));
        c.add(check("softplus(1, 20)", t -> Activations.softplus(t, 1, 20), WIDE));
        c.add(check("softplus(2, 1): both sides of the threshold", t -> Activations.softplus(t, 2, 1),
                awayFrom(-3, 3, 0.5)));
        c.add(check("softplus(0.5, 0.25)", t -> Activations.softplus(t, 0.5, 0.25), awayFrom(-3, 3, 0.5)));
        c.add(check("hardtanh(-1, 1)", t -> Activations.hardtanh(t, -1, 1), awayFrom(-2, 2, -1, 1)));
        c.add(check("hardtanh(-2, 0.5)", t -> Activations.hardtanh(t, -2, 0.5), awayFrom(-3, 1.5, -2, 0.5)));
        // compositions
        c.add(check("tanh(x) * sigmoid(x) + exp(-x^2)", t -> t.tanh().mul(t.sigmoid()).add(t.square().neg().exp()),
                ANY));
        c.add(check("log(1 + exp(x)) vs softplus: log1p(exp(x)) - softplus(x) + x", t ->
                t.exp().log1p().sub(Activations.softplus(t, 1, 20)).add(t), ANY));
        return c;
    }

    // ------------------------------------------------------------------------------------------ layouts

    /** How the (3, 4) input is laid out in memory (as {@link ViewGradCheckTest}'s layouts), or a 0-dim input. */
    enum Layout {
        CONTIGUOUS, TRANSPOSED, STEPPED, EXPANDED, FROM_END, STRIDED_LEAF, ZERO_DIM;

        long[] shape() {
            return this == ZERO_DIM ? new long[0] : SHAPE.clone();
        }

        /** The shape of the tensor that requires grad (and that finite differences perturb). */
        long[] leafShape() {
            return switch (this) {
                case CONTIGUOUS, STRIDED_LEAF -> SHAPE.clone();
                case TRANSPOSED -> new long[] {SHAPE[1], SHAPE[0]};
                case STEPPED -> new long[] {2 * SHAPE[0] + 1, SHAPE[1]};
                case EXPANDED -> new long[] {1, SHAPE[1]};
                case FROM_END -> new long[] {SHAPE[0] + 2, SHAPE[1]};
                case ZERO_DIM -> new long[0];
            };
        }

        int leafNumel() {
            return Math.toIntExact(Arrays.stream(leafShape()).reduce(1, Math::multiplyExact));
        }
    }

    /** {@code [leaf, input]}: the float64 leaf holding {@code values} and the input made from it. */
    private static Tensor[] make(Layout layout, double[] values, boolean requiresGrad) {
        if (layout == Layout.STRIDED_LEAF) {
            // the transpose of storage laid out (4, 3): a non-contiguous leaf whose row-major values are `values`
            double[] base = new double[values.length];
            for (int i = 0; i < SHAPE[0]; i++) {
                for (int j = 0; j < SHAPE[1]; j++) base[(int) (j * SHAPE[0] + i)] = values[(int) (i * SHAPE[1] + j)];
            }
            Tensor leaf = Tensor.of(base, SHAPE[1], SHAPE[0]).transpose(0, 1);
            if (requiresGrad) leaf.requiresGrad_(true);
            return new Tensor[] {leaf, leaf};
        }
        Tensor leaf = layout == Layout.ZERO_DIM ? Tensor.full(DType.FLOAT64, values[0])
                : Tensor.of(values.clone(), layout.leafShape());
        if (requiresGrad) leaf.requiresGrad_(true);
        Tensor input = switch (layout) {
            case CONTIGUOUS, ZERO_DIM -> leaf;
            case TRANSPOSED -> leaf.transpose(0, 1);
            case STEPPED -> leaf.slice(0, 1, END, 2);
            case EXPANDED -> leaf.expand(SHAPE);
            case FROM_END -> leaf.slice(0, -SHAPE[0], END, 1);
            case STRIDED_LEAF -> throw new AssertionError();
        };
        return new Tensor[] {leaf, input};
    }

    @Test
    void everyLayoutMakesTheInputItNames() {
        for (Layout l : Layout.values()) {
            double[] values = new double[l.leafNumel()];
            for (int i = 0; i < values.length; i++) values[i] = i;
            Tensor input = make(l, values, true)[1];
            assertArrayEquals(l.shape(), input.shape(), l.name());
            switch (l) {
                case CONTIGUOUS, ZERO_DIM -> assertTrue(input.isContiguous() && input.storageOffset() == 0, l.name());
                case FROM_END -> assertTrue(input.isContiguous() && input.storageOffset() == 8, l.name());
                case TRANSPOSED, STRIDED_LEAF -> assertArrayEquals(new long[] {1, 3}, input.stride(), l.name());
                case STEPPED -> assertArrayEquals(new long[] {8, 1}, input.stride(), l.name());
                case EXPANDED -> assertArrayEquals(new long[] {0, 1}, input.stride(), l.name());
            }
            if (l != Layout.CONTIGUOUS && l != Layout.FROM_END && l != Layout.ZERO_DIM) {
                assertFalse(input.isContiguous(), l.name());
            }
            if (l == Layout.STRIDED_LEAF) assertArrayEquals(values, input.toDoubleArray(), l.name());
        }
    }

    // ------------------------------------------------------------------------------------------ running

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferences() {
        return checks().stream().flatMap(c -> Arrays.stream(Layout.values()).map(l -> DynamicTest.dynamicTest(
                c.name() + " " + l.name().toLowerCase() + " " + (l == Layout.ZERO_DIM ? "[]" : "[3, 4]") + ", x in "
                        + c.domain(), () -> run(c, l))));
    }

    private static void run(Check c, Layout layout) {
        Random random = new Random((c.name() + layout).hashCode());
        double[] values = new double[layout.leafNumel()];
        for (int j = 0; j < values.length; j++) values[j] = c.domain().draw(random);

        Tensor[] made = make(layout, values, true);
        Tensor leaf = made[0];
        Tensor y = c.f().apply(made[1]);
        assertEquals(DType.FLOAT64, y.dtype(), "output dtype");
        assertArrayEquals(layout.shape(), y.shape(), "output shape");
        assertTrue(y.requiresGrad(), "the output requires grad");
        double[] upstream = new double[Math.toIntExact(y.numel())];
        for (int j = 0; j < upstream.length; j++) upstream[j] = random.nextGaussian();
        y.backward(y.dim() == 0 ? Tensor.full(DType.FLOAT64, upstream[0]) : Tensor.of(upstream.clone(), y.shape()));

        Tensor grad = leaf.grad();
        assertNotNull(grad, c.name() + ": the leaf should have a grad");
        assertArrayEquals(leaf.shape(), grad.shape(), "grad shape");
        assertEquals(DType.FLOAT64, grad.dtype(), "grad dtype");
        FiniteDifferences.assertMatches(c.name(), values, grad.toDoubleArray(), () -> weightedOutput(c, layout, values, upstream));
    }

    /** {@code sum(f(x) * upstream)}, evaluated without recording a graph. */
    private static double weightedOutput(Check c, Layout layout, double[] values, double[] upstream) {
        double[] y = NoGrad.call(() -> c.f().apply(make(layout, values, false)[1]).toDoubleArray());
        return FiniteDifferences.weighted(y, upstream);
    }
}
