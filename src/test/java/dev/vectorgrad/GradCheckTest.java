package dev.vectorgrad;

import dev.vectorgrad.testsupport.FiniteDifferences;
import dev.vectorgrad.testsupport.NoGrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradients from {@code backward} against central finite differences, in float64 (PyTorch's
 * {@code torch.autograd.gradcheck}, without PyTorch).
 *
 * <p>For {@code y = f(x1, ..., xk)} and a random upstream gradient {@code g} of y's shape, backward must leave in
 * each {@code xi.grad()} the gradient of {@code L = sum(f(x) * g)}, which is estimated element by element as
 * {@code (L(x + eps e_j) - L(x - eps e_j)) / (2 eps)}. With eps = 1e-6 the estimate is good to about 1e-9 here,
 * so the check is {@code |analytic - numeric| <= 1e-6 * max(1, |numeric|)}.
 */
class GradCheckTest {

    /** How an input's random values are drawn: any normal value, or one safe as a denominator. */
    private enum Values { NORMAL, AWAY_FROM_ZERO }

    private record Input(long[] shape, Values values) {
        int numel() {
            return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        }
    }

    private static Input x(long... shape) {
        return new Input(shape, Values.NORMAL);
    }

    /** An input with magnitudes in [0.5, 2] and either sign: safe to divide by. */
    private static Input denominator(long... shape) {
        return new Input(shape, Values.AWAY_FROM_ZERO);
    }

    private record Check(String name, Function<Tensor[], Tensor> f, List<Input> inputs) {}

    private static Check check(String name, Function<Tensor[], Tensor> f, Input... inputs) {
        return new Check(name, f, List.of(inputs));
    }

    private static final int[] D0 = {0};
    private static final int[] D1 = {1};

    private static List<Check> checks() {
        List<Check> c = new ArrayList<>();
        // each op
        c.add(check("a.add(b)", t -> t[0].add(t[1]), x(2, 3), x(2, 3)));
        c.add(check("a.sub(b)", t -> t[0].sub(t[1]), x(2, 3), x(2, 3)));
        c.add(check("a.mul(b)", t -> t[0].mul(t[1]), x(2, 3), x(2, 3)));
        c.add(check("a.div(b)", t -> t[0].div(t[1]), x(2, 3), denominator(2, 3)));
        c.add(check("a.add(2.5)", t -> t[0].add(2.5), x(2, 3)));
        c.add(check("a.sub(2.5)", t -> t[0].sub(2.5), x(2, 3)));
        c.add(check("a.mul(-1.5)", t -> t[0].mul(-1.5), x(2, 3)));
        c.add(check("a.div(0.7)", t -> t[0].div(0.7), x(2, 3)));
        c.add(check("a.neg()", t -> t[0].neg(), x(2, 3)));
        c.add(check("a.sum()", t -> t[0].sum(), x(2, 3)));
        c.add(check("a.mean()", t -> t[0].mean(), x(2, 3)));
        c.add(check("0-dim a.mul(b)", t -> t[0].mul(t[1]), x(), x()));
        c.add(check("0-dim a.div(b)", t -> t[0].div(t[1]), x(), denominator()));
        c.add(check("0-dim a.sum()", t -> t[0].sum(), x()));
        // reductions over dims
        c.add(check("a.sum([0])", t -> t[0].sum(D0, false), x(2, 3)));
        c.add(check("a.sum([1], keepdim)", t -> t[0].sum(D1, true), x(2, 3)));
        c.add(check("a.sum([-1, 0])", t -> t[0].sum(new int[] {-1, 0}, false), x(2, 3)));
        c.add(check("a.sum([0, 2]) of (4, 1, 3)", t -> t[0].sum(new int[] {0, 2}, false), x(4, 1, 3)));
        c.add(check("a.sum([1]) over a size-1 dim", t -> t[0].sum(D1, false), x(4, 1, 3)));
        c.add(check("a.mean([0])", t -> t[0].mean(D0, false), x(2, 3)));
        c.add(check("a.mean([-1], keepdim)", t -> t[0].mean(new int[] {-1}, true), x(2, 3)));
        c.add(check("a.mean([1, -1]) of (3, 4, 5)", t -> t[0].mean(new int[] {1, -1}, false), x(3, 4, 5)));
        c.add(check("a.mean([0, 1, 2], keepdim)", t -> t[0].mean(new int[] {0, 1, 2}, true), x(4, 1, 3)));
        // broadcasting
        c.add(check("(2, 3) + (3,)", t -> t[0].add(t[1]), x(2, 3), x(3)));
        c.add(check("(2, 1) - (1, 3)", t -> t[0].sub(t[1]), x(2, 1), x(1, 3)));
        c.add(check("(4, 1, 3) * (2, 3)", t -> t[0].mul(t[1]), x(4, 1, 3), x(2, 3)));
        c.add(check("(3, 1, 1) / (1, 4, 1)", t -> t[0].div(t[1]), x(3, 1, 1), denominator(1, 4, 1)));
        c.add(check("(2, 3) / (3,)", t -> t[0].div(t[1]), x(2, 3), denominator(3)));
        c.add(check("(3,) / (2, 3)", t -> t[0].div(t[1]), x(3), denominator(2, 3)));
        c.add(check("0-dim * (2, 3)", t -> t[0].mul(t[1]), x(), x(2, 3)));
        c.add(check("(2, 3) / 0-dim", t -> t[0].div(t[1]), x(2, 3), denominator()));
        c.add(check("(1,) * (5,)", t -> t[0].mul(t[1]), x(1), x(5)));
        // compositions
        c.add(check("(x + temp + 2).mean()", t -> t[0].add(t[1]).add(2).mean(), x(2, 2), x(2, 2)));
        c.add(check("(a*b - a/b).sum()", t -> t[0].mul(t[1]).sub(t[0].div(t[1])).sum(), x(2, 3), denominator(2, 3)));
        c.add(check("a*a + a", t -> t[0].mul(t[0]).add(t[0]), x(2, 3)));
        c.add(check("a / a", t -> t[0].div(t[0]), denominator(2, 3)));
        c.add(check("-(a - b).mean([1])", t -> t[0].sub(t[1]).neg().mean(D1, false), x(2, 3), x(2, 3)));
        c.add(check("((x*w) + bias).sum([1]).mean()", t -> t[0].mul(t[1]).add(t[2]).sum(D1, false).mean(),
                x(4, 3), x(3), x(1)));
        c.add(check("t = a + b; (t*t - t/b).mean([0], keepdim)",
                t -> {
                    Tensor s = t[0].add(t[1]);
                    return s.mul(s).sub(s.div(t[1])).mean(D0, true);
                }, x(2, 3), denominator(3)));
        c.add(check("(a * b).sum([0]) / c.mean()", t -> t[0].mul(t[1]).sum(D0, false).div(t[2].mean()),
                x(4, 1, 3), x(2, 3), denominator(2, 2)));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferences() {
        return checks().stream().map(c -> DynamicTest.dynamicTest(c.name() + " " + shapesOf(c), () -> run(c)));
    }

    private static void run(Check c) {
        Random random = new Random(c.name().hashCode());
        List<double[]> values = new ArrayList<>();
        for (Input in : c.inputs()) values.add(randomValues(in, random));

        Tensor[] leaves = new Tensor[values.size()];
        for (int i = 0; i < leaves.length; i++) leaves[i] = float64(values.get(i), c.inputs().get(i).shape()).requiresGrad_(true);
        Tensor y = c.f().apply(leaves);
        double[] upstream = new double[Math.toIntExact(y.numel())];
        for (int j = 0; j < upstream.length; j++) upstream[j] = random.nextGaussian();
        y.backward(float64(upstream, y.shape()));

        for (int i = 0; i < leaves.length; i++) {
            Tensor grad = leaves[i].grad();
            assertNotNull(grad, "input " + i + " should have a grad");
            assertArrayEquals(leaves[i].shape(), grad.shape(), "grad shape of input " + i);
            assertEquals(DType.FLOAT64, grad.dtype(), "grad dtype of input " + i);
            assertGradientMatchesFiniteDifferences(c, values, upstream, i, grad.toDoubleArray());
        }
    }

    /** Compares every element of input {@code i}'s analytic gradient with its central difference. */
    private static void assertGradientMatchesFiniteDifferences(Check c, List<double[]> values, double[] upstream, int i,
                                                               double[] analytic) {
        FiniteDifferences.assertMatches(c.name() + ": input " + i, values.get(i), analytic,
                () -> weightedOutput(c, values, upstream));
    }

    /** {@code sum(f(values) * upstream)}, evaluated without recording a graph. */
    private static double weightedOutput(Check c, List<double[]> values, double[] upstream) {
        double[] y = NoGrad.call(() -> {
            Tensor[] inputs = new Tensor[values.size()];
            for (int i = 0; i < inputs.length; i++) inputs[i] = float64(values.get(i), c.inputs().get(i).shape());
            return c.f().apply(inputs).toDoubleArray();
        });
        return FiniteDifferences.weighted(y, upstream);
    }

    // --------------------------------------------------------------------------------------------- helpers

    private static double[] randomValues(Input in, Random random) {
        double[] v = new double[in.numel()];
        for (int j = 0; j < v.length; j++) {
            v[j] = switch (in.values()) {
                case NORMAL -> random.nextGaussian();
                case AWAY_FROM_ZERO -> (0.5 + 1.5 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
            };
        }
        return v;
    }

    /** A float64 tensor of the given values; an empty shape is 0-dim. */
    private static Tensor float64(double[] values, long[] shape) {
        return shape.length == 0 ? Tensor.full(DType.FLOAT64, values[0]) : Tensor.of(values.clone(), shape);
    }

    private static String shapesOf(Check c) {
        return c.inputs().stream().map(in -> Arrays.toString(in.shape())).toList().toString();
    }

}
