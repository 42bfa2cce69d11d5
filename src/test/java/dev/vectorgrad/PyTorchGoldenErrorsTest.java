package dev.vectorgrad;

import dev.vectorgrad.testsupport.NoGrad;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Errors (and their absence) against PyTorch 1.13. {@code /golden/ops/errors.json}, written by {@code gen_ops.py},
 * holds for each scenario what torch did: raised, with which message, or did not raise. Below is the same scenario
 * in Java, under the same id. Where torch raises, the Java call must throw the exception class the API promises
 * ({@link IllegalArgumentException} for bad shapes and dims, {@link IllegalStateException} for autograd and state
 * errors) with a message containing torch's first sentence (an engine may add a hint after it). Where torch does
 * not raise, neither may the Java call.
 */
class PyTorchGoldenErrorsTest {

    private static final String GOLDEN = "/golden/ops/errors.json";

    record Scenario(String id, String description, boolean raises, String javaType, String fragment, String message) {

        static Scenario from(JsonObject json) {
            boolean raises = json.get("raises").getAsBoolean();
            return new Scenario(json.get("id").getAsString(), json.get("description").getAsString(), raises,
                    raises ? json.get("java_type").getAsString() : null,
                    raises ? json.get("fragment").getAsString() : null,
                    raises ? json.get("message").getAsString() : null);
        }
    }

    private static List<Scenario> goldenScenarios() throws IOException {
        try (InputStream in = PyTorchGoldenErrorsTest.class.getResourceAsStream(GOLDEN)) {
            assertNotNull(in, "missing test resource " + GOLDEN + " (run gen_ops.py)");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
                List<Scenario> scenarios = new ArrayList<>();
                for (JsonElement e : root.getAsJsonArray("scenarios")) scenarios.add(Scenario.from(e.getAsJsonObject()));
                return scenarios;
            }
        }
    }

    // --------------------------------------------------------------------------------------------- the tests

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        List<Scenario> scenarios = goldenScenarios();
        assertTrue(scenarios.size() >= 40, "expected at least 40 error scenarios, found " + scenarios.size());
        return scenarios.stream().map(s -> DynamicTest.dynamicTest(
                s.id() + " — " + s.description() + (s.raises() ? "" : " (no error)"), () -> check(s)));
    }

    /** Every Java scenario below has a golden, so none is silently skipped after an edit of gen_ops.py. */
    @TestFactory
    Stream<DynamicTest> everyJavaScenarioHasAGolden() throws IOException {
        List<String> golden = goldenScenarios().stream().map(Scenario::id).toList();
        return JAVA_SCENARIOS.keySet().stream().map(id -> DynamicTest.dynamicTest(id,
                () -> assertTrue(golden.contains(id), "errors.json has no scenario " + id + " (run gen_ops.py)")));
    }

    private static void check(Scenario s) {
        Executable scenario = JAVA_SCENARIOS.get(s.id());
        if (scenario == null) fail("no Java version of scenario " + s.id() + " in " + PyTorchGoldenErrorsTest.class);
        if (!s.raises()) {
            assertDoesNotThrow(scenario, "torch does not raise here");
            return;
        }
        RuntimeException e = assertThrows(RuntimeException.class, scenario, "torch raises: " + s.message());
        assertInstanceOf(javaClass(s.javaType()), e, "exception class");
        assertNotNull(e.getMessage(), "the exception should carry torch's message");
        assertTrue(e.getMessage().contains(s.fragment()),
                "message should contain torch's\n  \"" + s.fragment() + "\"\nbut was\n  \"" + e.getMessage() + "\"");
    }

    private static Class<? extends RuntimeException> javaClass(String simpleName) {
        return switch (simpleName) {
            case "IllegalArgumentException" -> IllegalArgumentException.class;
            case "IllegalStateException" -> IllegalStateException.class;
            default -> throw new IllegalArgumentException("unexpected java_type " + simpleName);
        };
    }

    // ------------------------------------------------------------------------------ the scenarios, in Java

    private static final Map<String, Executable> JAVA_SCENARIOS = new LinkedHashMap<>();

    private static void scenario(String id, Executable body) {
        if (JAVA_SCENARIOS.put(id, body) != null) throw new IllegalStateException("duplicate scenario " + id);
    }

    static {
        // backward where nothing requires grad
        scenario("backward_without_grad", () -> Tensor.ones(2, 3).sum().backward());
        scenario("backward_after_no_grad", () -> {
            Tensor a = leaf(2, 3);
            Tensor y = NoGrad.call(() -> a.mul(2));
            y.sum().backward();
        });
        scenario("backward_of_detached", () -> leaf(2, 3).detach().sum().backward());

        // a second backward through a graph whose saved tensors were freed by the first
        scenario("second_backward_mul", backwardTwice(() -> leaf(2, 3).mul(leaf(2, 3)).sum()));
        scenario("second_backward_mul_scalar", backwardTwice(() -> leaf(2, 3).mul(3).sum()));
        scenario("second_backward_mul_constant", backwardTwice(() -> leaf(2, 3).mul(constant(2, 3)).sum()));
        scenario("second_backward_div", backwardTwice(() -> leaf(2, 3).div(nonZeroLeaf(2, 3)).sum()));
        scenario("second_backward_div_scalar", backwardTwice(() -> leaf(2, 3).div(4).sum()));
        scenario("second_backward_mean_dim", backwardTwice(() -> leaf(2, 3).mean(new int[] {0}, false).sum()));
        // ... and through nodes that save no tensors: no error in torch (the grads accumulate; see ops.json)
        scenario("second_backward_add_mean", backwardTwice(() -> leaf(2, 3).add(2).mean()));
        scenario("second_backward_add_tensor_sum", backwardTwice(() -> leaf(2, 3).add(leaf64(3)).sum()));
        scenario("second_backward_sub_neg_sum_dim",
                backwardTwice(() -> leaf(2, 3).sub(leaf(2, 3)).neg().sum(new int[] {1}, false).sum()));
        scenario("second_backward_sum_dim_keepdim", backwardTwice(() -> leaf(2, 3).sum(new int[] {1}, true).sum()));

        // the implicit gradient exists only for one-element outputs
        scenario("implicit_gradient_non_scalar", () -> leaf(2, 3).mul(2).backward());
        scenario("implicit_gradient_one_element", () -> leaf(2, 3).sum(new int[] {0, 1}, true).backward());

        // shapes that do not broadcast
        scenario("broadcast_add_2x3_2x2", () -> Tensor.ones(2, 3).add(Tensor.ones(2, 2)));
        scenario("broadcast_sub_3_4", () -> Tensor.ones(3).sub(Tensor.ones(4)));
        scenario("broadcast_mul_2x3_3x2", () -> Tensor.ones(2, 3).mul(Tensor.ones(3, 2)));
        scenario("broadcast_div_4x1x3_2x2", () -> Tensor.ones(4, 1, 3).div(Tensor.ones(2, 2)));
        scenario("broadcast_add_0x3_2x3", () -> Tensor.ones(0, 3).add(Tensor.ones(2, 3)));
        scenario("broadcast_mixed_dtype", () -> Tensor.ones(2, 3).add(Tensor.ones(DType.FLOAT64, 2, 2)));
        scenario("add_inplace_broadcast_into_smaller", () -> Tensor.ones(3).add_(Tensor.ones(2, 3)));
        scenario("add_inplace_shape_mismatch", () -> Tensor.ones(2, 3).add_(Tensor.ones(2)));

        // requires_grad flags of non-leaves
        scenario("requires_grad_false_on_non_leaf", () -> leaf(2, 3).mul(2).requiresGrad_(false));
        scenario("requires_grad_true_on_non_leaf", () -> leaf(2, 3).mul(2).requiresGrad_(true));

        // a tensor saved for backward, modified in place before the backward
        scenario("saved_tensor_zeroed", modifiedAfterSaved(DType.FLOAT32, Tensor::zero_));
        scenario("saved_tensor_add_", modifiedAfterSaved(DType.FLOAT32, t -> t.add_(Tensor.ones(2, 3))));
        scenario("saved_tensor_filled", modifiedAfterSaved(DType.FLOAT32, t -> t.fill_(2.0)));
        scenario("saved_tensor_add_float64",
                modifiedAfterSaved(DType.FLOAT64, t -> t.add_(Tensor.ones(DType.FLOAT64, 2, 3))));
        scenario("saved_leaf_modified_through_detach", savedLeafModified(b -> b.detach().zero_()));
        scenario("saved_leaf_modified_under_no_grad", savedLeafModified(b -> NoGrad.call(() -> b.fill_(1.0))));
        scenario("saved_leaf_modified_through_data", savedLeafModified(b -> b.data().zero_()));
        scenario("unsaved_tensor_modified", () -> {
            Tensor a = leaf(3);
            Tensor b = leaf(3);
            Tensor t = a.mul(2);
            Tensor y = t.add(b).sum();  // add saves no tensors
            t.zero_();
            y.backward();
        });

        // in-place ops on a leaf that requires grad
        scenario("leaf_zero_", () -> leaf(2, 3).zero_());
        scenario("leaf_fill_", () -> leaf(2, 3).fill_(1.0));
        scenario("leaf_add_", () -> leaf(2, 3).add_(Tensor.ones(2, 3)));
        scenario("leaf_inplace_under_no_grad", () -> {
            Tensor a = leaf(2, 3);
            NoGrad.call(() -> a.add_(Tensor.ones(2, 3)).zero_().fill_(1.0));
        });

        // explicit gradients
        scenario("gradient_wrong_shape", () -> leaf(2, 3).mul(2).backward(Tensor.ones(3, 2)));
        scenario("gradient_broadcastable_shape", () -> leaf(2, 3).mul(2).backward(Tensor.ones(3)));
        scenario("gradient_wrong_shape_scalar", () -> leaf(2, 3).sum().backward(Tensor.ones(1)));
        scenario("gradient_other_dtype", () -> leaf(2, 3).mul(2).backward(Tensor.ones(DType.FLOAT64, 2, 3)));

        // reduction dims
        scenario("sum_dim_out_of_range", () -> Tensor.ones(2, 3).sum(new int[] {2}, false));
        scenario("sum_dim_negative_out_of_range", () -> Tensor.ones(2, 3).sum(new int[] {-3}, false));
        scenario("mean_dim_out_of_range", () -> Tensor.ones(2, 3).mean(new int[] {2}, false));
        scenario("sum_dims_one_out_of_range", () -> Tensor.ones(2, 3).sum(new int[] {0, 5}, false));
        scenario("sum_dim_of_0dim", () -> Tensor.scalar(2).sum(new int[] {1}, false));
        scenario("mean_dim_of_1dim", () -> Tensor.ones(3).mean(new int[] {1}, true));
        scenario("sum_dims_repeated", () -> Tensor.ones(2, 3).sum(new int[] {0, 0}, false));
        scenario("mean_dims_repeated_negative", () -> Tensor.ones(2, 3).mean(new int[] {1, -1}, false));
        scenario("sum_dim_0_of_0dim", () -> {
            Tensor.scalar(2).sum(new int[] {0}, false);
            Tensor.scalar(2).sum(new int[] {-1}, false);
        });

        scenario("retain_grad_without_requires_grad", () -> Tensor.ones(3).retainGrad());

        // item() needs exactly one element
        scenario("item_of_many_elements", () -> Tensor.ones(2, 3).item());
        scenario("item_of_empty", () -> Tensor.zeros(0, 3).item());
        scenario("item_of_one_element", () -> leaf(2, 3).sum(new int[] {0, 1}, true).item());

        // factories
        scenario("data_of_wrong_size", () -> Tensor.of(new float[] {1, 2, 3, 4, 5}, 2, 3));
        scenario("negative_dimension", () -> Tensor.zeros(2, -1));
    }

    // ------------------------------------------------------------------------------------ scenario helpers

    private static final Random RANDOM = new Random(20240613);

    /** Random float32 values (what they are does not matter for these scenarios). */
    private static Tensor constant(long... shape) {
        float[] data = new float[numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = (float) RANDOM.nextGaussian();
        return Tensor.of(data, shape);
    }

    /** A float32 leaf that requires grad. */
    private static Tensor leaf(long... shape) {
        return constant(shape).requiresGrad_(true);
    }

    /** A float64 leaf that requires grad. */
    private static Tensor leaf64(long... shape) {
        double[] data = new double[numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = RANDOM.nextGaussian();
        return Tensor.of(data, shape).requiresGrad_(true);
    }

    /** A float32 leaf that requires grad, with values in 1..2: a safe denominator. */
    private static Tensor nonZeroLeaf(long... shape) {
        float[] data = new float[numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = 1 + RANDOM.nextFloat();
        return Tensor.of(data, shape).requiresGrad_(true);
    }

    private static int numel(long... shape) {
        return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
    }

    /** {@code y = make(); y.backward(); y.backward()}: the second call without retain_graph. */
    private static Executable backwardTwice(Supplier<Tensor> make) {
        return () -> {
            Tensor y = make.get();
            y.backward();
            y.backward();
        };
    }

    /** {@code t = a + 1; y = (t * a).sum()} (mul saves t); {@code modify(t); y.backward()}. */
    private static Executable modifiedAfterSaved(DType dtype, Consumer<Tensor> modify) {
        return () -> {
            Tensor a = dtype == DType.FLOAT64 ? leaf64(2, 3) : leaf(2, 3);
            Tensor t = a.add(1);
            Tensor y = t.mul(a).sum();
            modify.accept(t);
            y.backward();
        };
    }

    /** {@code y = (a * b).sum()} (mul saves the leaf b); {@code modify(b); y.backward()}. */
    private static Executable savedLeafModified(Consumer<Tensor> modify) {
        return () -> {
            Tensor a = leaf(3);
            Tensor b = leaf(3);
            Tensor y = a.mul(b).sum();
            modify.accept(b);
            y.backward();
        };
    }

}
