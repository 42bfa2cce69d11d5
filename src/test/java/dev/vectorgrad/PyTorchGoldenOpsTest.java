package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The elementwise ops, reductions, in-place ops and autograd of {@link Tensor} against PyTorch 1.13.
 *
 * <p>Each golden case in {@code /golden/ops/ops.json} (written by {@code gen_ops.py} beside it, with real torch)
 * is a small program over named tensors: leaves with exact values, then steps such as {@code y = a.add(b)}, then
 * backward calls. This test replays the program through the Java API and checks, after every step, the result's
 * values, shape, dtype, {@code requires_grad}, {@code is_leaf}, {@code grad_fn} name and {@code _version}; after
 * the steps, every tensor's version; after the backward calls, every tensor's {@code grad} (or its absence).
 *
 * <p>Where IEEE arithmetic pins the result down (the case says {@code forward_exact} / {@code grads_exact}) the
 * values must be bit-for-bit torch's; elsewhere (reductions, accumulated gradients) the order of summation is
 * free, and values may differ by {@code rtol * max(|expected|, scale)}, where rtol is float32's 1e-6 if a float32
 * value takes part and 1e-12 otherwise, and the case's {@code scale} bounds the magnitude of the summands.
 */
class PyTorchGoldenOpsTest {

    private static final String GOLDEN = "/golden/ops/ops.json";

    /** Relative tolerance of a non-exact comparison: float32 precision wherever a float32 value took part. */
    private static double relativeTolerance(boolean involvesFloat32) {
        return involvesFloat32 ? 1e-6 : 1e-12;
    }

    // ------------------------------------------------------------------------------------------ the golden file

    /** Values of a tensor as torch had them: row-major, exact. */
    record TensorSpec(long[] shape, DType dtype, double[] values) {

        static TensorSpec from(JsonObject json) {
            long[] shape = json.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
            // Numbers are Python's repr of a float64 (exact through parseDouble); NaN and infinities are strings
            // spelled as Java spells them, which getAsDouble also parses.
            double[] values = json.getAsJsonArray("values").asList().stream()
                    .mapToDouble(JsonElement::getAsDouble).toArray();
            return new TensorSpec(shape, dtypeNamed(json.get("dtype").getAsString()), values);
        }

        static TensorSpec fromNullable(JsonElement json) {
            return json == null || json.isJsonNull() ? null : from(json.getAsJsonObject());
        }

        @Override
        public String toString() {
            return dtype + Arrays.toString(shape) + " " + Arrays.toString(values);
        }
    }

    /** What torch reported about a step's result right after the step. */
    record Snapshot(TensorSpec tensor, boolean requiresGrad, boolean isLeaf, String gradFn, long version) {

        static Snapshot from(JsonObject json) {
            JsonElement gradFn = json.get("grad_fn");
            return new Snapshot(TensorSpec.from(json), json.get("requires_grad").getAsBoolean(),
                    json.get("is_leaf").getAsBoolean(), gradFn.isJsonNull() ? null : gradFn.getAsString(),
                    json.get("version").getAsLong());
        }
    }

    /** A leaf: {@code t = tensor(values).requires_grad_(requiresGrad)}, or {@code Variable(t, requires_grad=...)}. */
    record Input(String name, TensorSpec tensor, boolean requiresGrad, boolean viaVariable) {

        static Input from(JsonObject json) {
            return new Input(json.get("name").getAsString(), TensorSpec.from(json),
                    json.get("requires_grad").getAsBoolean(), json.get("variable").getAsBoolean());
        }
    }

    /** {@code out = op(args..., scalar / dims / keepdim / flag)}, under {@code no_grad} if so marked. */
    record Step(String op, List<String> args, String out, double scalar, int[] dims, boolean keepdim, boolean flag,
                boolean noGrad, Snapshot expect) {

        static Step from(JsonObject json) {
            return new Step(
                    json.get("op").getAsString(),
                    json.getAsJsonArray("args").asList().stream().map(JsonElement::getAsString).toList(),
                    json.has("out") ? json.get("out").getAsString() : null,
                    json.has("scalar") ? json.get("scalar").getAsDouble() : Double.NaN,
                    json.has("dims") ? json.getAsJsonArray("dims").asList().stream()
                            .mapToInt(JsonElement::getAsInt).toArray() : null,
                    json.has("keepdim") && json.get("keepdim").getAsBoolean(),
                    json.has("flag") && json.get("flag").getAsBoolean(),
                    json.has("no_grad") && json.get("no_grad").getAsBoolean(),
                    json.has("expect") ? Snapshot.from(json.getAsJsonObject("expect")) : null);
        }

        @Override
        public String toString() {
            String extra = (Double.isNaN(scalar) ? "" : ", " + scalar)
                    + (dims == null ? "" : ", dims=" + Arrays.toString(dims) + ", keepdim=" + keepdim)
                    + (op.equals("requires_grad_") ? ", " + flag : "");
            return (out == null ? "" : out + " = ") + op + "(" + String.join(", ", args) + extra + ")"
                    + (noGrad ? " under no_grad" : "");
        }
    }

    /** {@code of.backward(gradient, retain_graph)}; a null gradient is the implicit one. */
    record Backward(String of, TensorSpec gradient, boolean retainGraph) {

        static Backward from(JsonObject json) {
            return new Backward(json.get("of").getAsString(), TensorSpec.fromNullable(json.get("gradient")),
                    json.get("retain_graph").getAsBoolean());
        }
    }

    record GoldenCase(String id, String category, String description, List<Input> inputs, List<Step> steps,
                      Map<String, Long> versions, List<Backward> backward, Map<String, TensorSpec> grads,
                      boolean forwardExact, boolean gradsExact, double scale) {

        static GoldenCase from(JsonObject json) {
            Map<String, Long> versions = new LinkedHashMap<>();
            json.getAsJsonObject("versions").entrySet().forEach(e -> versions.put(e.getKey(), e.getValue().getAsLong()));
            Map<String, TensorSpec> grads = new LinkedHashMap<>();
            json.getAsJsonObject("grads").entrySet().forEach(e -> grads.put(e.getKey(), TensorSpec.fromNullable(e.getValue())));
            return new GoldenCase(
                    json.get("id").getAsString(),
                    json.get("category").getAsString(),
                    json.get("description").getAsString(),
                    objects(json, "inputs").stream().map(Input::from).toList(),
                    objects(json, "steps").stream().map(Step::from).toList(),
                    versions,
                    objects(json, "backward").stream().map(Backward::from).toList(),
                    grads,
                    json.get("forward_exact").getAsBoolean(),
                    json.get("grads_exact").getAsBoolean(),
                    json.get("scale").getAsDouble());
        }

        private static List<JsonObject> objects(JsonObject json, String key) {
            return json.getAsJsonArray(key).asList().stream().map(JsonElement::getAsJsonObject).toList();
        }

        /**
         * Whether float32 values take part: then even float64 results may carry float32 rounding (a float64 0-dim
         * leaf's grad from a float32 result is summed in float32, as torch does it).
         */
        boolean involvesFloat32() {
            return inputs.stream().anyMatch(i -> i.tensor().dtype() == DType.FLOAT32)
                    || backward.stream().anyMatch(b -> b.gradient() != null && b.gradient().dtype() == DType.FLOAT32);
        }

        Tolerance forwardTolerance() {
            return forwardExact ? Tolerance.EXACT : Tolerance.relative(relativeTolerance(involvesFloat32()), scale);
        }

        Tolerance gradTolerance() {
            return gradsExact ? Tolerance.EXACT : Tolerance.relative(relativeTolerance(involvesFloat32()), scale);
        }
    }

    private static DType dtypeNamed(String torchName) {
        return switch (torchName) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            default -> throw new IllegalArgumentException("unknown dtype " + torchName);
        };
    }

    private static List<GoldenCase> goldenCases() throws IOException {
        try (InputStream in = PyTorchGoldenOpsTest.class.getResourceAsStream(GOLDEN)) {
            assertNotNull(in, "missing test resource " + GOLDEN + " (run gen_ops.py)");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
                List<GoldenCase> cases = new ArrayList<>();
                for (JsonElement e : root.getAsJsonArray("cases")) cases.add(GoldenCase.from(e.getAsJsonObject()));
                return cases;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the tests

    /** One container per category (elementwise, broadcast, promotion, scalar, reduction, chain, ...). */
    @TestFactory
    Stream<DynamicNode> matchesPyTorch() throws IOException {
        List<GoldenCase> cases = goldenCases();
        assertTrue(cases.size() >= 300, "expected at least 300 golden cases, found " + cases.size());
        Map<String, List<DynamicNode>> byCategory = new LinkedHashMap<>();
        for (GoldenCase c : cases) {
            byCategory.computeIfAbsent(c.category(), k -> new ArrayList<>())
                    .add(DynamicTest.dynamicTest(c.id() + " — " + c.description(), () -> replay(c)));
        }
        return byCategory.entrySet().stream().map(e -> DynamicContainer.dynamicContainer(e.getKey(), e.getValue()));
    }

    /** Runs the case's program through the Java API, checking each step, the versions and then the grads. */
    private static void replay(GoldenCase c) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Input input : c.inputs()) tensors.put(input.name(), leafFrom(input));

        for (Step step : c.steps()) {
            Tensor result = step.noGrad() ? withoutGrad(() -> apply(step, tensors)) : apply(step, tensors);
            if (step.expect() != null) {
                tensors.put(step.out(), result);
                assertMatchesSnapshot(step.expect(), result, c.forwardTolerance(), "after " + step);
            }
        }

        c.versions().forEach((name, version) ->
                assertEquals(version, tensors.get(name).version(), "final version() of " + name));

        for (Backward b : c.backward()) {
            Tensor gradient = b.gradient() == null ? null : tensorFrom(b.gradient());
            tensors.get(b.of()).backward(gradient, b.retainGraph());
        }

        c.grads().forEach((name, expected) -> {
            Tensor grad = tensors.get(name).grad();
            if (expected == null) {
                assertNull(grad, name + ".grad() should be null, as torch's is None");
            } else {
                assertNotNull(grad, name + ".grad() should be set");
                assertTensorEquals(expected, grad, c.gradTolerance(), name + ".grad()");
            }
        });
    }

    /** The Java call for one step. In-place ops must return the tensor they modify. */
    private static Tensor apply(Step step, Map<String, Tensor> tensors) {
        Tensor x = tensors.get(step.args().get(0));
        return switch (step.op()) {
            case "add" -> x.add(tensors.get(step.args().get(1)));
            case "sub" -> x.sub(tensors.get(step.args().get(1)));
            case "mul" -> x.mul(tensors.get(step.args().get(1)));
            case "div" -> x.div(tensors.get(step.args().get(1)));
            case "add_scalar" -> x.add(step.scalar());
            case "sub_scalar" -> x.sub(step.scalar());
            case "mul_scalar" -> x.mul(step.scalar());
            case "div_scalar" -> x.div(step.scalar());
            case "neg" -> x.neg();
            case "sum" -> x.sum();
            case "mean" -> x.mean();
            case "sum_dims" -> x.sum(step.dims(), step.keepdim());
            case "mean_dims" -> x.mean(step.dims(), step.keepdim());
            case "detach" -> x.detach();
            case "data" -> x.data();
            case "add_" -> returnsSelf(x, x.add_(tensors.get(step.args().get(1))), step);
            case "zero_" -> returnsSelf(x, x.zero_(), step);
            case "fill_" -> returnsSelf(x, x.fill_(step.scalar()), step);
            case "retain_grad" -> {
                x.retainGrad();
                yield null;
            }
            case "requires_grad_" -> {
                returnsSelf(x, x.requiresGrad_(step.flag()), step);
                yield null;
            }
            default -> fail("unknown op in golden file: " + step.op());
        };
    }

    /** Runs {@code body} with graph recording off: {@code with torch.no_grad():}. */
    static <T> T withoutGrad(Supplier<T> body) {
        GradMode.Guard guard = GradMode.noGrad();
        try {
            return body.get();
        } finally {
            guard.close();
        }
    }

    private static Tensor returnsSelf(Tensor self, Tensor returned, Step step) {
        assertSame(self, returned, step + " should return the tensor it modifies");
        return returned;
    }

    // ------------------------------------------------------------------------------------------------ building

    /** A tensor with exactly the spec's values, shape and dtype, not requiring grad. */
    static Tensor tensorFrom(TensorSpec spec) {
        if (spec.shape().length == 0) return Tensor.full(spec.dtype(), spec.values()[0]);  // 0-dim
        if (spec.dtype() == DType.FLOAT64) return Tensor.of(spec.values(), spec.shape());
        float[] data = new float[spec.values().length];
        for (int i = 0; i < data.length; i++) data[i] = (float) spec.values()[i];  // exact: torch's float32 values
        return Tensor.of(data, spec.shape());
    }

    private static Tensor leafFrom(Input input) {
        Tensor t = tensorFrom(input.tensor());
        if (input.viaVariable()) return Variable.of(t, input.requiresGrad());
        return input.requiresGrad() ? t.requiresGrad_(true) : t;
    }

    // ------------------------------------------------------------------------------------------------ asserting

    /** How closely values must match torch's: exactly, or within {@code rtol * max(|expected|, scale)}. */
    record Tolerance(boolean exact, double rtol, double scale) {
        static final Tolerance EXACT = new Tolerance(true, 0, 0);

        static Tolerance relative(double rtol, double scale) {
            return new Tolerance(false, rtol, scale);
        }

        boolean accepts(double expected, double actual) {
            if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
            if (expected == actual) return true;  // also equal infinities, and 0.0 vs -0.0
            if (exact || Double.isInfinite(expected) || Double.isInfinite(actual)) return false;
            return Math.abs(expected - actual) <= rtol * Math.max(Math.abs(expected), scale);
        }

        @Override
        public String toString() {
            return exact ? "exact" : rtol + " * max(|expected|, " + scale + ")";
        }
    }

    private static void assertMatchesSnapshot(Snapshot expected, Tensor actual, Tolerance tolerance, String what) {
        assertTensorEquals(expected.tensor(), actual, tolerance, what);
        assertEquals(expected.requiresGrad(), actual.requiresGrad(), what + ": requiresGrad()");
        assertEquals(expected.isLeaf(), actual.isLeaf(), what + ": isLeaf()");
        if (expected.gradFn() == null) {
            assertNull(actual.gradFn(), what + ": gradFn() should be null");
        } else {
            assertNotNull(actual.gradFn(), what + ": gradFn() should be " + expected.gradFn());
            assertEquals(expected.gradFn(), actual.gradFn().name(), what + ": gradFn().name()");
        }
        assertEquals(expected.version(), actual.version(), what + ": version()");
    }

    /** Same shape, dtype and values (NaN matches NaN; within {@code tolerance} unless exact). */
    static void assertTensorEquals(TensorSpec expected, Tensor actual, Tolerance tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape()");
        assertEquals(expected.shape().length, actual.dim(), what + ": dim()");
        assertEquals(expected.values().length, actual.numel(), what + ": numel()");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype()");
        double[] values = valuesOf(actual);
        assertEquals(expected.values().length, values.length, what + ": number of values");
        if (values.length == 1 && !tolerance.accepts(expected.values()[0], actual.item())) {
            fail(what + ": item() is " + actual.item() + ", torch has " + expected.values()[0] + " (" + tolerance + ")");
        }
        for (int i = 0; i < values.length; i++) {
            if (!tolerance.accepts(expected.values()[i], values[i])) {
                fail(what + ": element " + i + " is " + values[i] + ", torch has " + expected.values()[i]
                        + " (" + tolerance + ")\n  expected " + Arrays.toString(expected.values())
                        + "\n  actual   " + Arrays.toString(values));
            }
        }
    }

    /** The values as stored: float32 ones through toFloatArray(), widened exactly. */
    private static double[] valuesOf(Tensor t) {
        if (t.dtype() == DType.FLOAT64) return t.toDoubleArray();
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** The golden file itself: its cases cover what they claim to (a guard against a broken generator). */
    @TestFactory
    Stream<DynamicTest> goldenFileCoversTheApi() throws IOException {
        List<GoldenCase> cases = goldenCases();
        List<String> ops = List.of("add", "sub", "mul", "div", "add_scalar", "sub_scalar", "mul_scalar", "div_scalar",
                "neg", "sum", "mean", "sum_dims", "mean_dims", "add_", "zero_", "fill_", "retain_grad", "detach", "data",
                "requires_grad_");
        return ops.stream().map(op -> DynamicTest.dynamicTest("some case uses " + op, () -> assertTrue(
                cases.stream().anyMatch(c -> c.steps().stream().anyMatch(s -> s.op().equals(op))),
                "no golden case uses " + op)));
    }
}
