package dev.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Module semantics that PyTorch defines but that need no numbers from it: state dict round trips and sharing,
 * dtype conversion, gradient clearing, modes, scopes, shared submodules, dropout's statistics and edge cases.
 */
class ModuleTest {

    private static Sequential mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(4, 8, true, g), new BatchNorm1d(8), new ReLU(), new Dropout(0.2, g),
                new Linear(8, 3, true, g));
    }

    private static void assertSameValues(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertEquals(expected.dtype(), actual.dtype(), what);
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), what);
    }

    @Test
    void stateDictRoundTripCopiesValuesIntoTheSameTensors() {
        Sequential a = mlp(1), b = mlp(2);
        a.forward(Tensor.randn(new Generator(3), 6, 4)).sum().backward();   // moves the running stats
        Map<String, Tensor> sd = a.stateDict();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "4.weight", "4.bias"), new ArrayList<>(sd.keySet()));
        List<Tensor> before = b.parameters();
        assertNotEquals(sd.get("0.weight").toDoubleArray()[0], b.getParameter("0.weight").toDoubleArray()[0]);
        b.loadStateDict(sd);
        assertEquals(before, b.parameters(), "loading copies in place: the parameters are the same tensors");
        Map<String, Tensor> sb = b.stateDict();
        for (String k : sd.keySet()) assertSameValues(sd.get(k), sb.get(k), k);
        assertEquals(1, b.getBuffer("1.num_batches_tracked").item());
        a.eval();
        b.eval();
        Tensor x = Tensor.randn(new Generator(4), 5, 4);
        assertSameValues(a.forward(x), b.forward(x), "same state, same outputs");
    }

    @Test
    void stateDictTensorsAreDetachedViewsOfTheModuleState() {
        Linear lin = new Linear(2, 3);
        Map<String, Tensor> sd = lin.stateDict();
        assertFalse(sd.get("weight").requiresGrad());
        try (var guard = GradMode.noGrad()) {
            lin.weight().fill_(3);
        }
        assertArrayEquals(new double[] {3, 3, 3, 3, 3, 3}, sd.get("weight").toDoubleArray());
    }

    @Test
    void toFloat64ConvertsParametersGradsAndFloatingBuffersAndKeepsTiesAndIntegers() {
        Linear shared = new Linear(3, 3);
        Sequential m = new Sequential(shared, new BatchNorm1d(3), shared);
        m.forward(Tensor.randn(4, 3)).sum().backward();
        Tensor oldWeight = shared.weight();
        double[] w32 = oldWeight.toDoubleArray(), g32 = oldWeight.grad().toDoubleArray();
        assertSame(m, m.to(DType.FLOAT64));
        assertTrue(oldWeight.isClosed(), "the replaced tensor is closed");
        assertSame(shared.weight(), m.getParameter("0.weight"));
        assertSame(m.getParameter("0.weight"), m.getParameter("2.weight"), "a shared parameter stays shared");
        for (Tensor p : m.parameters()) {
            assertEquals(DType.FLOAT64, p.dtype());
            assertTrue(p.requiresGrad() && p.isLeaf());
            assertEquals(DType.FLOAT64, p.grad().dtype());
        }
        assertArrayEquals(w32, shared.weight().toDoubleArray());
        assertArrayEquals(g32, shared.weight().grad().toDoubleArray());
        assertEquals(DType.FLOAT64, m.getBuffer("1.running_mean").dtype());
        assertEquals(DType.INT64, m.getBuffer("1.num_batches_tracked").dtype());
        // a float32 state loads into the float64 module, converted
        m.loadStateDict(new Sequential(new Linear(3, 3), new BatchNorm1d(3), new Linear(3, 3)).stateDict());
        assertEquals(DType.FLOAT64, m.getParameter("0.weight").dtype());
        Tensor y = m.forward(Tensor.randn(4, 3).to(DType.FLOAT64));
        assertEquals(DType.FLOAT64, y.dtype());
    }

    @Test
    void zeroGradClearsOrZeroes() {
        Sequential m = mlp(5);
        m.forward(Tensor.randn(6, 4)).sum().backward();
        for (Tensor p : m.parameters()) assertTrue(p.grad() != null);
        m.zeroGrad(false);
        for (Tensor p : m.parameters()) {
            for (double v : p.grad().toDoubleArray()) assertEquals(0.0, v);
        }
        m.zeroGrad();
        for (Tensor p : m.parameters()) assertNull(p.grad());
    }

    @Test
    void trainAndEvalAreRecursive() {
        Sequential inner = new Sequential(new Dropout(0.5), new BatchNorm1d(2));
        Sequential m = new Sequential(new Linear(2, 2), inner);
        assertTrue(m.isTraining() && inner.get(0).isTraining());
        assertSame(m, m.eval());
        for (Module sub : m.modules()) assertFalse(sub.isTraining());
        m.train();
        for (Module sub : m.modules()) assertTrue(sub.isTraining());
        inner.train(false);
        assertTrue(m.isTraining());
        assertFalse(inner.get(1).isTraining());
    }

    @Test
    void parametersAndBuffersOutliveTheScopeTheyWereMadeIn() {
        Sequential m;
        Tensor own;
        try (TensorScope scope = TensorScope.open()) {
            m = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
            own = Tensor.ones(2);
            new Module() {
                {
                    registerParameter("w", own);
                }

                @Override
                public Tensor forward(Tensor x) {
                    return x;
                }
            };
        }
        assertFalse(own.isClosed());
        for (Tensor t : m.stateDict().values()) assertFalse(t.isClosed());
        try (TensorScope scope = TensorScope.open()) {
            m.forward(Tensor.randn(4, 3)).sum().backward();
        }
        for (Tensor p : m.parameters()) assertFalse(p.grad().isClosed(), "grads belong to their parameters");
        assertEquals(1, m.getBuffer("1.num_batches_tracked").item());
        assertFalse(m.getBuffer("1.running_mean").isClosed());
    }

    @Test
    void sharedModulesAndParametersAreListedOnceButSavedUnderEveryName() {
        Linear lin = new Linear(2, 2);
        Sequential m = new Sequential(lin, new ReLU(), lin);
        assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(List.of("0", "1"), new ArrayList<>(m.namedChildren().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(m.stateDict().keySet()));
        Tensor x = Tensor.randn(3, 2);
        Tensor twice = lin.forward(lin.forward(x).relu());
        assertArrayEquals(twice.toDoubleArray(), m.forward(x).toDoubleArray(), "a shared module runs at each position");
    }

    @Test
    void lookupsFollowDottedPaths() {
        Sequential m = new Sequential(new Linear(2, 3), new Sequential(new Tanh(), new Linear(3, 1, false)));
        assertSame(((Linear) m.get(0)).weight(), m.getParameter("0.weight"));
        assertSame(m.get(1), m.getSubmodule("1"));
        assertSame(((Sequential) m.get(-1)).get(1), m.getSubmodule("1.1"));
        assertNull(((Linear) m.getSubmodule("1.1")).bias());
        assertEquals(List.of("0.weight", "0.bias", "1.1.weight"), new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(2, m.size());
        assertThrows(IndexOutOfBoundsException.class, () -> m.get(2));
    }

    @Test
    void registeringANonLeafIsRefused() {
        Tensor w = Tensor.ones(2).requiresGrad_(true);
        Tensor nonLeaf = w.mul(2.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                registerParameter("w", nonLeaf);
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        });
        assertTrue(e.getMessage().startsWith("Cannot assign non-leaf Tensor to parameter 'w'."), e.getMessage());
    }

    @Test
    void registeredParametersRequireGrad() {
        Tensor t = Tensor.zeros(3);
        Module m = new Module() {
            {
                registerParameter("p", t);
            }

            @Override
            public Tensor forward(Tensor x) {
                return x.mul(getParameter("p"));
            }

            @Override
            protected String extraRepr() {
                return "size=3\nnote=custom";
            }
        };
        assertTrue(t.requiresGrad());
        assertSame(t, m.parameters().getFirst());
        assertTrue(m.toString().endsWith("(\n  size=3\n  note=custom\n)"), m.toString());
    }

    @Test
    void lossModulesTakeTwoArgumentsAndKeepWeightsAsBuffers() {
        CrossEntropyLoss ce = new CrossEntropyLoss(Tensor.ones(3), -100, "sum", 0.0);
        assertThrows(UnsupportedOperationException.class, () -> ce.forward(Tensor.zeros(2, 3)));
        assertEquals(List.of("weight"), new ArrayList<>(ce.stateDict().keySet()));
        ce.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, ce.getBuffer("weight").dtype());
        assertEquals("CrossEntropyLoss()", ce.toString());
    }

    @Test
    void embeddingPaddingRowStartsAtZero() {
        Embedding e = new Embedding(5, 3, 2L, new Generator(1));
        double[] w = e.weight().toDoubleArray();
        for (int i = 0; i < 3; i++) assertEquals(0.0, w[2 * 3 + i]);
        assertNotEquals(0.0, w[0]);
        assertEquals(4L, new Embedding(5, 3, -1L, null).paddingIdx());
    }

    // ------------------------------------------------------------------------------------------------ dropout

    @Test
    void dropoutZeroesAboutPAndScalesTheRest() {
        Tensor x = Tensor.ones(200_000).requiresGrad_(true);
        double p = 0.3;
        Tensor y = Functional.dropout(x, p, true, new Generator(17));
        float[] v = y.toFloatArray();
        float kept = (float) (1 / (1 - p));
        int zeros = 0;
        for (float f : v) {
            if (f == 0) zeros++;
            else assertEquals(kept, f, Math.ulp(kept), "kept elements are scaled by 1 / (1 - p)");
        }
        assertEquals(p, zeros / (double) v.length, 0.005);
        y.backward(Tensor.ones(200_000));
        assertArrayEquals(v, x.grad().toFloatArray(), "the gradient is the same mask, scaled");
    }

    @Test
    void dropoutIsReproducibleWithAGeneratorAndTheIdentityWhenItShouldBe() {
        Tensor x = Tensor.randn(50, 20);
        assertArrayEquals(Functional.dropout(x, 0.5, true, new Generator(3)).toFloatArray(),
                Functional.dropout(x, 0.5, true, new Generator(3)).toFloatArray());
        assertFalse(java.util.Arrays.equals(Functional.dropout(x, 0.5, true, new Generator(3)).toFloatArray(),
                Functional.dropout(x, 0.5, true, new Generator(4)).toFloatArray()));
        assertSame(x, Functional.dropout(x, 0.5, false));
        assertSame(x, Functional.dropout(x, 0.0, true));
        Dropout d = new Dropout(0.5);
        d.eval();
        assertSame(x, d.forward(x));
        Tensor w = Tensor.randn(4).requiresGrad_(true);
        Tensor z = Functional.dropout(w, 1.0);
        for (float f : z.toFloatArray()) assertEquals(0, f, 0.0, "p = 1 zeroes everything (signed zeros as torch)");
        z.sum().backward();
        for (float f : w.grad().toFloatArray()) assertEquals(0, f, 0.0);
        assertNotSame(w, z);
    }
}
