package dev.vectorgrad.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * The oracle of the gradcheck tests: central differences in float64. For every element {@code x[j]} the objective
 * (the op's output weighted by a random upstream gradient and summed, so that one scalar checks a whole
 * vector-Jacobian product) is evaluated at {@code x[j] + EPS} and {@code x[j] - EPS}; backward's value must agree
 * within {@code RTOL * max(1, |numeric|)}, as PyTorch's {@code gradcheck} with eps 1e-6.
 */
public final class FiniteDifferences {
    public static final double EPS = 1e-6;
    public static final double RTOL = 1e-6;

    private FiniteDifferences() {}

    /**
     * Checks {@code analytic[j]} against the central difference of {@code objective} in {@code x[j]} for every j
     * ({@code x} is perturbed in place and restored; the objective reads it).
     */
    public static void assertMatches(String what, double[] x, double[] analytic, DoubleSupplier objective) {
        for (int j = 0; j < x.length; j++) {
            double original = x[j];
            x[j] = original + EPS;
            double plus = objective.getAsDouble();
            x[j] = original - EPS;
            double minus = objective.getAsDouble();
            x[j] = original;
            double numeric = (plus - minus) / (2 * EPS);
            if (!(Math.abs(analytic[j] - numeric) <= RTOL * Math.max(1, Math.abs(numeric)))) {
                fail(what + ", d/dx[" + j + "] at x = " + original + ": backward gives " + analytic[j]
                        + ", finite differences " + numeric + "\n  x        " + Arrays.toString(x)
                        + "\n  analytic " + Arrays.toString(analytic));
            }
        }
    }

    /** {@code sum(y * upstream)}: the objective of a vector-Jacobian product. */
    public static double weighted(double[] y, double[] upstream) {
        if (y.length != upstream.length) fail("output size " + y.length + ", upstream gradient size " + upstream.length);
        double sum = 0;
        for (int j = 0; j < y.length; j++) sum += y[j] * upstream[j];
        return sum;
    }
}
