package dev.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradients of the losses, normalizations, embedding, dropout and linear layer from {@code backward} against
 * central finite differences in float64 (PyTorch's {@code torch.autograd.gradcheck}, without PyTorch).
 *
 * <p>For {@code y = f(x1, ..., xk)} and a random upstream gradient {@code g} of y's shape, backward must leave in
 * each differentiable {@code xi.grad()} the gradient of {@code L = sum(f(x) * g)}, estimated element by element
 * as {@code (L(x + eps e_j) - L(x - eps e_j)) / (2 eps)} with eps = 1e-6; the check is
 * {@code |analytic - numeric| <= 1e-6 * max(1, |numeric|)}. Inputs of the piecewise losses (L1, smooth L1,
 * Huber) are drawn away from their kinks, so the finite difference never straddles one.
 */
class NnGradCheckTest {

    private static final double EPS = 1e-6;
    private static final double RTOL = 1e-6;

    /** One input: its values and shape, whether it is differentiated, and whether it is an int64 index tensor. */
    private record In(double[] values, long[] shape, boolean grad, boolean integral) {
        Tensor make() {
            if (integral) {
                long[] l = Arrays.stream(values).mapToLong(v -> (long) v).toArray();
                return shape.length == 0 ? Tensor.of(l).reshape() : Tensor.of(l, shape);
            }
            Tensor t = shape.length == 0 ? Tensor.of(values.clone()).reshape() : Tensor.of(values.clone(), shape);
            return grad ? t.requiresGrad_(true) : t;
        }
    }

    private static long numel(long[] shape) {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    private static In normal(Random r, long... shape) {
        double[] v = new double[(int) numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return new In(v, shape, true, false);
    }

    private static In uniform(Random r, double lo, double hi, long... shape) {
        double[] v = new double[(int) numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return new In(v, shape, true, false);
    }

    private static In constant(In in) {
        return new In(in.values, in.shape, false, in.integral);
    }

    private static In classes(long[] values, long... shape) {
        return new In(Arrays.stream(values).asDoubleStream().toArray(), shape, false, true);
    }

    /** {@code base + d}, where each |d| lies in one of the given [lo, hi] bands (either sign): away from kinks. */
    private static In offset(Random r, In base, double[][] bands) {
        double[] v = base.values.clone();
        for (int i = 0; i < v.length; i++) {
            double[] band = bands[r.nextInt(bands.length)];
            double mag = band[0] + (band[1] - band[0]) * r.nextDouble();
            v[i] += r.nextBoolean() ? mag : -mag;
        }
        return new In(v, base.shape, true, false);
    }

    /** {@code frozen}: flat indices of input 0 whose gradient is 0 by definition (an embedding's padding row). */
    private record Check(String name, Function<Tensor[], Tensor> f, List<In> inputs, int[] frozen) {}

    private static Check check(String name, Function<Tensor[], Tensor> f, In... inputs) {
        return new Check(name, f, List.of(inputs), new int[0]);
    }

    private static List<Check> checks() {
        Random r = new Random(20240611);
        List<Check> c = new ArrayList<>();
        for (String red : new String[] {"mean", "sum", "none"}) {
            In x = normal(r, 3, 4);
            c.add(check("mseLoss " + red, t -> Functional.mseLoss(t[0], t[1], red), x, normal(r, 3, 4)));
            c.add(check("mseLoss broadcast " + red, t -> Functional.mseLoss(t[0], t[1], red), normal(r, 3, 1), normal(r, 4)));
            c.add(check("l1Loss " + red, t -> Functional.l1Loss(t[0], t[1], red), x,
                    offset(r, x, new double[][] {{0.05, 1.0}})));
            c.add(check("smoothL1Loss beta 0.5 " + red, t -> Functional.smoothL1Loss(t[0], t[1], red, 0.5), x,
                    offset(r, x, new double[][] {{0.05, 0.45}, {0.55, 1.5}})));
            c.add(check("smoothL1Loss beta 0 " + red, t -> Functional.smoothL1Loss(t[0], t[1], red, 0.0), x,
                    offset(r, x, new double[][] {{0.05, 1.0}})));
            c.add(check("huberLoss delta 0.7 " + red, t -> Functional.huberLoss(t[0], t[1], red, 0.7), x,
                    offset(r, x, new double[][] {{0.05, 0.65}, {0.75, 2.0}})));
            In logits = normal(r, 5, 4);
            In targets = classes(new long[] {1, -100, 3, 0, 2}, 5);
            In weights = constant(uniform(r, 0.5, 2, 4));
            c.add(check("nllLoss weight ignore " + red, t -> Functional.nllLoss(t[0], t[1], t[2], -100, red),
                    logits, targets, weights));
            c.add(check("nllLoss 3-d " + red, t -> Functional.nllLoss(t[0], t[1], null, -100, red),
                    normal(r, 2, 3, 4), classes(new long[] {0, 2, 1, 1, 2, 0, -100, 1}, 2, 4)));
            c.add(check("crossEntropy " + red, t -> Functional.crossEntropy(t[0], t[1], red),
                    logits, classes(new long[] {1, 2, 3, 0, 2}, 5)));
            c.add(check("crossEntropy weight ignore smoothing " + red,
                    t -> Functional.crossEntropy(t[0], t[1], t[2], -100, red, 0.2), logits, targets, weights));
            c.add(check("crossEntropy 1-d smoothing " + red,
                    t -> Functional.crossEntropy(t[0], t[1], null, -100, red, 0.1), normal(r, 4), classes(new long[] {2})));
            c.add(check("crossEntropy 4-d " + red, t -> Functional.crossEntropy(t[0], t[1], red),
                    normal(r, 2, 3, 2, 2), classes(new long[] {0, 2, 1, 1, 2, -100, 0, 1}, 2, 2, 2)));
            c.add(check("crossEntropy probabilities weight smoothing " + red,
                    t -> Functional.crossEntropy(t[0], t[1], t[2], -100, red, 0.3), logits, uniform(r, 0, 1, 5, 4), weights));
            In p = uniform(r, 0.1, 0.9, 3, 4);
            c.add(check("binaryCrossEntropy " + red, t -> Functional.binaryCrossEntropy(t[0], t[1], null, red),
                    p, uniform(r, 0, 1, 3, 4)));
            c.add(check("binaryCrossEntropy weight " + red, t -> Functional.binaryCrossEntropy(t[0], t[1], t[2], red),
                    p, uniform(r, 0, 1, 3, 4), constant(uniform(r, 0.5, 2, 4))));
            c.add(check("binaryCrossEntropyWithLogits " + red,
                    t -> Functional.binaryCrossEntropyWithLogits(t[0], t[1], null, null, red), normal(r, 3, 4), uniform(r, 0, 1, 3, 4)));
            c.add(check("binaryCrossEntropyWithLogits weight posWeight " + red,
                    t -> Functional.binaryCrossEntropyWithLogits(t[0], t[1], t[2], t[3], red), normal(r, 3, 4),
                    uniform(r, 0, 1, 3, 4), constant(uniform(r, 0.5, 2, 3, 4)), constant(uniform(r, 0.5, 3, 4))));
        }
        c.add(check("layerNorm [4] weight bias", t -> Functional.layerNorm(t[0], new long[] {4}, t[1], t[2], 1e-5),
                normal(r, 3, 4), normal(r, 4), normal(r, 4)));
        c.add(check("layerNorm [3, 4] weight bias", t -> Functional.layerNorm(t[0], new long[] {3, 4}, t[1], t[2], 1e-3),
                normal(r, 2, 3, 4), normal(r, 3, 4), normal(r, 3, 4)));
        c.add(check("layerNorm no affine", t -> Functional.layerNorm(t[0], new long[] {5}, null, null, 1e-5),
                normal(r, 2, 3, 5)));
        c.add(check("batchNorm train 2-d", t -> Functional.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                normal(r, 6, 3), normal(r, 3), normal(r, 3)));
        c.add(check("batchNorm train 3-d", t -> Functional.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
                normal(r, 4, 3, 5), normal(r, 3), normal(r, 3)));
        c.add(check("batchNorm train, running stats updated", t -> Functional.batchNorm(t[0], Tensor.zeros(DType.FLOAT64, 3),
                Tensor.ones(DType.FLOAT64, 3), t[1], t[2], true, 0.1, 1e-5), normal(r, 6, 3), normal(r, 3), normal(r, 3)));
        c.add(check("batchNorm eval", t -> Functional.batchNorm(t[0], t[3], t[4], t[1], t[2], false, 0.1, 1e-5),
                normal(r, 4, 3, 2), normal(r, 3), normal(r, 3), constant(normal(r, 3)), constant(uniform(r, 0.5, 2, 3))));
        c.add(check("embedding", t -> Functional.embedding(t[1], t[0]), normal(r, 5, 3),
                classes(new long[] {1, 4, 1, 0, 1, 3}, 2, 3)));
        // PyTorch's padding row receives no gradient although the output depends on it: 0 there, FD elsewhere
        c.add(new Check("embedding padding", t -> Functional.embedding(t[1], t[0], 1), List.of(normal(r, 5, 3),
                classes(new long[] {1, 4, 1, 0, 1, 3}, 2, 3)), new int[] {3, 4, 5}));
        c.add(check("dropout p 0.4 (fixed generator)", t -> Functional.dropout(t[0], 0.4, true, new Generator(99)),
                normal(r, 6, 5)));
        c.add(check("linear", t -> Functional.linear(t[0], t[1], t[2]), normal(r, 4, 3), normal(r, 2, 3), normal(r, 2)));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return checks().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> verify(c)));
    }

    private static double loss(Check c, List<In> inputs, double[] g) {
        try (var guard = GradMode.noGrad()) {
            Tensor[] t = inputs.stream().map(In::make).toArray(Tensor[]::new);
            double[] y = c.f().apply(t).toDoubleArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += y[i] * g[i];
            return s;
        }
    }

    private static void verify(Check c) {
        Tensor[] t = c.inputs().stream().map(In::make).toArray(Tensor[]::new);
        Tensor y = c.f().apply(t);
        Random r = new Random(7);
        double[] g = new double[(int) y.numel()];
        for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian();
        Tensor gt = y.dim() == 0 ? Tensor.of(g).reshape() : Tensor.of(g, y.shape());
        y.backward(gt);
        for (int k = 0; k < t.length; k++) {
            In in = c.inputs().get(k);
            if (!in.grad()) continue;
            Tensor grad = t[k].grad();
            assertNotNull(grad, c.name() + ": input " + k + " got no gradient");
            double[] analytic = grad.toDoubleArray();
            for (int j = 0; j < in.values().length; j++) {
                List<In> plus = new ArrayList<>(c.inputs()), minus = new ArrayList<>(c.inputs());
                double[] vp = in.values().clone(), vm = in.values().clone();
                vp[j] += EPS;
                vm[j] -= EPS;
                plus.set(k, new In(vp, in.shape(), true, false));
                minus.set(k, new In(vm, in.shape(), true, false));
                final int jj = j;
                double numeric = k == 0 && Arrays.stream(c.frozen()).anyMatch(f -> f == jj) ? 0
                        : (loss(c, plus, g) - loss(c, minus, g)) / (2 * EPS);
                if (!(Math.abs(analytic[j] - numeric) <= RTOL * Math.max(1, Math.abs(numeric)))) {
                    fail(c.name() + ": d/d input " + k + "[" + j + "]: backward " + analytic[j] + ", finite difference "
                            + numeric);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ modules

    /** A user-written module mixing registered submodules, a parameter and a buffer. */
    private static final class Custom extends Module {
        Custom() {
            registerModule("fc", new Linear(3, 4, true, new Generator(3)));
            registerParameter("scale", Tensor.full(0.5, 4));
            registerBuffer("shift", Tensor.full(0.25, 4));
            registerModule("norm", new LayerNorm(4));
            registerModule("out", new Linear(4, 2, true, new Generator(4)));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = Functional.silu(getSubmodule("fc").forward(x)).mul(getParameter("scale")).add(getBuffer("shift"));
            return getSubmodule("out").forward(getSubmodule("norm").forward(h));
        }
    }

    private record ModuleCheck(String name, Module module, Tensor input) {}

    private static List<ModuleCheck> moduleChecks() {
        Random r = new Random(11);
        Generator g = new Generator(5);
        List<ModuleCheck> c = new ArrayList<>();
        c.add(new ModuleCheck("Sequential(Linear, GELU, LayerNorm, Linear)",
                new Sequential(new Linear(3, 5, true, g), new GELU(), new LayerNorm(5), new Linear(5, 2, true, g)),
                normal(r, 4, 3).make()));
        c.add(new ModuleCheck("Sequential(Linear, BatchNorm1d, Tanh, Linear) train",
                new Sequential(new Linear(3, 4, true, g), new BatchNorm1d(4), new Tanh(), new Linear(4, 2, true, g)),
                normal(r, 6, 3).make()));
        Module bnEval = new Sequential(new Linear(3, 4, true, g), new BatchNorm1d(4), new Sigmoid());
        bnEval.eval();
        c.add(new ModuleCheck("Sequential(Linear, BatchNorm1d, Sigmoid) eval", bnEval, normal(r, 6, 3).make()));
        c.add(new ModuleCheck("BatchNorm1d 3-d train", new BatchNorm1d(2), normal(r, 3, 2, 4).make()));
        c.add(new ModuleCheck("Embedding + Flatten + Linear",
                new Sequential(new Embedding(6, 3, g), new Flatten(), new Linear(6, 2, true, g)),
                classes(new long[] {1, 5, 5, 0, 2, 1}, 3, 2).make()));
        c.add(new ModuleCheck("custom module", new Custom(), normal(r, 5, 3).make()));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> moduleParameterGradients() {
        return moduleChecks().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> verifyModule(c)));
    }

    private static double moduleLoss(Module m, Tensor x, double[] g) {
        try (var guard = GradMode.noGrad()) {
            double[] y = m.forward(x).toDoubleArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += y[i] * g[i];
            return s;
        }
    }

    private static void setElement(Tensor p, int j, double value) {
        double[] v = p.toDoubleArray();
        v[j] = value;
        try (var guard = GradMode.noGrad()) {
            p.copy_(p.dim() == 0 ? Tensor.of(v).reshape() : Tensor.of(v, p.shape()));
        }
    }

    private static void verifyModule(ModuleCheck c) {
        Module m = c.module().to(DType.FLOAT64);
        Tensor x = c.input();
        Tensor y = m.forward(x);
        Random r = new Random(13);
        double[] g = new double[(int) y.numel()];
        for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian();
        y.backward(Tensor.of(g, y.shape()));
        for (var e : m.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            assertNotNull(p.grad(), c.name() + ": " + e.getKey() + " got no gradient");
            double[] analytic = p.grad().toDoubleArray();
            double[] original = p.toDoubleArray();
            for (int j = 0; j < original.length; j++) {
                setElement(p, j, original[j] + EPS);
                double lp = moduleLoss(m, x, g);
                setElement(p, j, original[j] - EPS);
                double lm = moduleLoss(m, x, g);
                setElement(p, j, original[j]);
                double numeric = (lp - lm) / (2 * EPS);
                if (!(Math.abs(analytic[j] - numeric) <= RTOL * Math.max(1, Math.abs(numeric)))) {
                    fail(c.name() + ": d/d " + e.getKey() + "[" + j + "]: backward " + analytic[j]
                            + ", finite difference " + numeric);
                }
            }
        }
    }
}
