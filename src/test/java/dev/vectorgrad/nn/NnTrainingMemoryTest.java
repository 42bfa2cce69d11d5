package dev.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * Training loops as users write them: each step in a {@link TensorScope}, parameters updated by hand under
 * no_grad. Parameters, their gradients and module buffers must outlive every step's scope; everything else a step
 * makes must not: live bytes stay flat over 10,000 steps and the allocator serves every step from its cache.
 */
class NnTrainingMemoryTest {

    private static void sgdStep(Module model, double lr) {
        try (var guard = GradMode.noGrad()) {
            for (Tensor p : model.parameters()) p.add_(p.grad().mul(-lr));
        }
        model.zeroGrad();
    }

    @Test
    void tenThousandStepsOfLinearMseBackwardKeepLiveBytesFlat() {
        Generator g = new Generator(42);
        Sequential model = new Sequential(new Linear(8, 16, true, g), new ReLU(), new Linear(16, 4, true, g));
        Tensor x = Tensor.randn(g, 32, 8);
        Tensor y = Tensor.randn(g, 32, 4);
        double first = 0, last = 0;
        long live = -1, fresh = -1;
        for (int step = 0; step < 10_000; step++) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor loss = Functional.mseLoss(model.forward(x), y);
                loss.backward();
                if (step == 0) first = loss.item();
                last = loss.item();
                sgdStep(model, 0.05);
            }
            if (step == 100) {
                live = MemoryStats.liveBytes();
                fresh = MemoryStats.freshAllocations();
            } else if (step > 100 && step % 1000 == 0) {
                assertTrue(MemoryStats.liveBytes() <= live, "step " + step + ": live bytes grew from " + live + " to "
                        + MemoryStats.liveBytes());
            }
        }
        assertTrue(MemoryStats.liveBytes() <= live, "live bytes grew from " + live + " to " + MemoryStats.liveBytes());
        assertEquals(fresh, MemoryStats.freshAllocations(), "steady-state steps are served from the allocator's cache");
        assertTrue(last < 0.5 * first, "training lowers the loss: " + first + " -> " + last);
        for (Tensor p : model.parameters()) assertFalse(p.isClosed());
    }

    @Test
    void batchNormDropoutCrossEntropyLoopKeepsBuffersAndLiveBytes() {
        Generator g = new Generator(7);
        Sequential model = new Sequential(new Linear(6, 12, true, g), new BatchNorm1d(12), new ReLU(),
                new Dropout(0.1, g), new Linear(12, 3, true, g));
        Tensor x = Tensor.randn(g, 24, 6);
        long[] labels = new long[24];
        double[] xs = x.toDoubleArray();
        for (int i = 0; i < 24; i++) labels[i] = xs[6 * i] > 0.5 ? 2 : xs[6 * i] > -0.5 ? 1 : 0;
        Tensor y = Tensor.of(labels);
        CrossEntropyLoss criterion = new CrossEntropyLoss();
        long live = -1;
        int steps = 3000;
        double last = 0;
        for (int step = 0; step < steps; step++) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor loss = criterion.forward(model.forward(x), y);
                loss.backward();
                last = loss.item();
                sgdStep(model, 0.1);
            }
            if (step == 100) live = MemoryStats.liveBytes();
            else if (step > 100) assertTrue(MemoryStats.liveBytes() <= live, "step " + step + ": live bytes grew");
        }
        assertEquals(steps, model.getBuffer("1.num_batches_tracked").item());
        for (double v : model.getBuffer("1.running_var").toDoubleArray()) assertTrue(v > 0 && Double.isFinite(v));
        assertTrue(last < 0.3, "the classifier fits its batch: loss " + last);
        model.eval();
        try (TensorScope scope = TensorScope.open()) {
            long[] predicted = model.forward(x).argmax(1, false).toLongArray();
            int right = 0;
            for (int i = 0; i < 24; i++) if (predicted[i] == labels[i]) right++;
            assertTrue(right >= 21, "eval mode with the running statistics classifies " + right + "/24");
        }
    }
}
