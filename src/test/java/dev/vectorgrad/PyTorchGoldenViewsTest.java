package dev.vectorgrad;

import static dev.vectorgrad.GoldenProgram.dtypeNamed;
import static dev.vectorgrad.GoldenProgram.floatValuesOf;
import static dev.vectorgrad.GoldenProgram.leafFrom;
import static dev.vectorgrad.GoldenProgram.longsOf;
import static dev.vectorgrad.GoldenProgram.tensorFrom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vectorgrad.GoldenProgram.Backward;
import dev.vectorgrad.GoldenProgram.Input;
import dev.vectorgrad.GoldenProgram.Layout;
import dev.vectorgrad.GoldenProgram.Snapshot;
import dev.vectorgrad.GoldenProgram.TensorSpec;
import dev.vectorgrad.GoldenProgram.TorchError;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.vectorgrad.testsupport.NoGrad;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Strided views, shape ops, indexing and the int64/bool dtypes of {@link Tensor} against PyTorch 1.13 (issue 6).
 *
 * <p>Each golden case in {@code /golden/views/views.json} (written by {@code gen_views.py} beside it, with real torch)
 * is a small program over named tensors: leaves with exact values, then steps such as {@code v = x.t()},
 * {@code y = v.reshape(-1)}, {@code v.add_(y)}, then backward calls. This test replays the program through the Java
 * API and checks:
 * <ul>
 *   <li>after every step: the result's values, shape and dtype; {@code requires_grad}, {@code is_leaf}, the
 *       {@code grad_fn} name, {@code _version}; for views, {@code stride()}, {@code storageOffset()} and
 *       {@code isContiguous()} exactly as torch has them (the Java API keeps PyTorch's layout only for views; a copy
 *       that torch made contiguous must be contiguous too); whether the op returned its input itself (in-place ops,
 *       {@code contiguous()} of a contiguous tensor, {@code to()} of the same dtype) or a new tensor;</li>
 *   <li>{@code str(t)} where the case prints;</li>
 *   <li>where torch raises: the exception class the API promises and a message containing torch's first sentence;</li>
 *   <li>after the steps: every tensor again (a write through a view shows in its base and in the base's other views;
 *       their {@code grad_fn} and shared version counter move with it);</li>
 *   <li>after the backward calls: every tensor's {@code grad} (or its absence).</li>
 * </ul>
 *
 * <p>int64 and bool values must match exactly. Float values must be bit-for-bit torch's where the case says
 * {@code forward_exact} / {@code grads_exact} (no reduction, no sum of more than two terms); elsewhere they may
 * differ by {@code rtol * max(|expected|, scale)}, where rtol is float32's 1e-6 if a float32 value takes part and
 * 1e-12 otherwise, and the case's {@code scale} bounds the magnitude of the summands.
 */
class PyTorchGoldenViewsTest {

    private static final String GOLDEN = "/golden/views/views.json";

    // ------------------------------------------------------------------------------------------ the golden file

    /**
     * {@code out = op(args..., params)} (or {@code outs = ...} for ops returning several tensors), under
     * {@code no_grad} if so marked; {@code expect} is a snapshot, a list of snapshots, or {@code {"str": text}}.
     */
    record Step(String op, List<String> args, String out, List<String> outs, boolean noGrad, JsonObject params,
                JsonElement expect, TorchError error) {

        static Step from(JsonObject json) {
            return new Step(
                    json.get("op").getAsString(),
                    json.getAsJsonArray("args").asList().stream().map(JsonElement::getAsString).toList(),
                    json.has("out") ? json.get("out").getAsString() : null,
                    json.has("outs") ? json.getAsJsonArray("outs").asList().stream()
                            .map(JsonElement::getAsString).toList() : null,
                    json.has("no_grad") && json.get("no_grad").getAsBoolean(),
                    json,
                    json.get("expect"),
                    TorchError.fromNullable(json.get("error")));
        }

        boolean has(String param) {
            return params.has(param);
        }

        int intParam(String param) {
            return params.get(param).getAsInt();
        }

        long longParam(String param) {
            return params.get(param).getAsLong();
        }

        double doubleParam(String param) {
            return params.get(param).getAsDouble();
        }

        long[] longsParam(String param) {
            return longsOf(params.getAsJsonArray(param));
        }

        int[] intsParam(String param) {
            return params.getAsJsonArray(param).asList().stream().mapToInt(JsonElement::getAsInt).toArray();
        }

        DType dtypeParam() {
            return dtypeNamed(params.get("dtype").getAsString());
        }

        @Override
        public String toString() {
            StringBuilder extra = new StringBuilder();
            for (String k : params.keySet()) {
                if (List.of("op", "args", "out", "outs", "expect", "error", "no_grad").contains(k)) continue;
                extra.append(", ").append(k).append('=').append(params.get(k));
            }
            String lhs = out != null ? out + " = " : outs != null ? String.join(", ", outs) + " = " : "";
            return lhs + op + "(" + String.join(", ", args) + extra + ")" + (noGrad ? " under no_grad" : "");
        }
    }

    record GoldenCase(String id, String category, String description, List<Input> inputs, List<Step> steps,
                      Map<String, JsonElement> finals, List<Backward> backward, Map<String, TensorSpec> grads,
                      boolean forwardExact, boolean gradsExact, double scale) {

        static GoldenCase from(JsonObject json) {
            Map<String, JsonElement> finals = new LinkedHashMap<>();
            json.getAsJsonObject("final").entrySet().forEach(e -> finals.put(e.getKey(), e.getValue()));
            Map<String, TensorSpec> grads = new LinkedHashMap<>();
            json.getAsJsonObject("grads").entrySet()
                    .forEach(e -> grads.put(e.getKey(), TensorSpec.fromNullable(e.getValue())));
            return new GoldenCase(
                    json.get("id").getAsString(),
                    json.get("category").getAsString(),
                    json.get("description").getAsString(),
                    objects(json, "inputs").stream().map(Input::from).toList(),
                    objects(json, "steps").stream().map(Step::from).toList(),
                    finals,
                    objects(json, "backward").stream().map(Backward::from).toList(),
                    grads,
                    json.get("forward_exact").getAsBoolean(),
                    json.get("grads_exact").getAsBoolean(),
                    json.get("scale").getAsDouble());
        }

        private static List<JsonObject> objects(JsonObject json, String key) {
            return json.getAsJsonArray(key).asList().stream().map(JsonElement::getAsJsonObject).toList();
        }

        /** Whether a float32 value takes part (an input, a step's result, an upstream gradient). */
        boolean involvesFloat32() {
            return inputs.stream().anyMatch(i -> i.tensor().dtype() == DType.FLOAT32)
                    || backward.stream().anyMatch(b -> b.gradient() != null && b.gradient().dtype() == DType.FLOAT32)
                    || steps.stream().anyMatch(s -> s.expect() != null && s.expect().toString().contains("\"float32\""));
        }

        Tolerance forwardTolerance() {
            return forwardExact ? Tolerance.EXACT : Tolerance.relative(relativeTolerance(involvesFloat32()), scale);
        }

        Tolerance gradTolerance() {
            return gradsExact ? Tolerance.EXACT : Tolerance.relative(relativeTolerance(involvesFloat32()), scale);
        }

        boolean raises() {
            return steps.stream().anyMatch(s -> s.error() != null) || backward.stream().anyMatch(b -> b.error() != null);
        }
    }

    private static double relativeTolerance(boolean involvesFloat32) {
        return involvesFloat32 ? 1e-6 : 1e-12;
    }

    private static List<GoldenCase> goldenCases() throws IOException {
        try (InputStream in = PyTorchGoldenViewsTest.class.getResourceAsStream(GOLDEN)) {
            assertNotNull(in, "missing test resource " + GOLDEN + " (run gen_views.py)");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
                List<GoldenCase> cases = new ArrayList<>();
                for (JsonElement e : root.getAsJsonArray("cases")) cases.add(GoldenCase.from(e.getAsJsonObject()));
                return cases;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the tests

    /** One container per category (view, reshape, ..., dtype, chain, inplace_view, print, errors). */
    @TestFactory
    Stream<DynamicNode> matchesPyTorch() throws IOException {
        List<GoldenCase> cases = goldenCases();
        assertTrue(cases.size() >= 500, "expected at least 500 golden cases, found " + cases.size());
        Map<String, List<DynamicNode>> byCategory = new LinkedHashMap<>();
        for (GoldenCase c : cases) {
            byCategory.computeIfAbsent(c.category(), k -> new ArrayList<>())
                    .add(DynamicTest.dynamicTest(c.id() + " — " + c.description(), () -> replay(c)));
        }
        return byCategory.entrySet().stream().map(e -> DynamicContainer.dynamicContainer(e.getKey(), e.getValue()));
    }

    /** Runs the case's program through the Java API, checking each step, then every tensor, then the grads. */
    private static void replay(GoldenCase c) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, JsonArray> recorded = new LinkedHashMap<>();  // the values each name was last checked against
        List<String> versionNotCompared = c.steps().stream()
                .filter(s -> TORCH_WRITES_RESULT_IN_PLACE.contains(s.op()) && s.out() != null).map(Step::out).toList();
        for (Input input : c.inputs()) {
            tensors.put(input.name(), leafFrom(input));
            recorded.put(input.name(), input.tensor().values());
        }

        for (Step step : c.steps()) {
            if (step.error() != null) {
                assertRaisesLikeTorch(step.error(), () -> run(step, tensors), "at " + step);
                break;
            }
            Object result = run(step, tensors);
            checkStep(c, step, result, tensors, recorded);
        }

        c.finals().forEach((name, json) -> {
            // null: torch itself refused to report on this tensor (none of the current cases)
            if (json.isJsonNull()) return;
            Snapshot expected = Snapshot.from(json.getAsJsonObject());
            if (expected.tensor().values() == null) expected = expected.withValues(recorded.get(name));
            assertMatchesSnapshot(expected, tensors.get(name), c.forwardTolerance(), !versionNotCompared.contains(name),
                    "after the last step, " + name);
        });

        for (Backward b : c.backward()) {
            Tensor of = tensors.get(b.of());
            Tensor gradient = b.gradient() == null ? null : tensorFrom(b.gradient());
            if (b.error() != null) {
                assertRaisesLikeTorch(b.error(), () -> of.backward(gradient, b.retainGraph()), "at " + b);
                break;
            }
            of.backward(gradient, b.retainGraph());
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

    private static Object run(Step step, Map<String, Tensor> tensors) {
        return step.noGrad() ? NoGrad.call(() -> apply(step, tensors)) : apply(step, tensors);
    }

    /** Checks a step's result against torch's snapshot(s) and names it. */
    @SuppressWarnings("unchecked")
    private static void checkStep(GoldenCase c, Step step, Object result, Map<String, Tensor> tensors,
                                  Map<String, JsonArray> recorded) {
        String what = "after " + step;
        if (step.op().equals("str")) {
            assertEquals(step.expect().getAsJsonObject().get("str").getAsString(),
                    tensors.get(step.args().get(0)).toString(), "str(" + step.args().get(0) + ")");
            return;
        }
        if (step.expect() == null) return;  // retain_grad: nothing returned
        if (step.outs() != null) {
            assertInstanceOf(List.class, result, what + ": a list of tensors");
            List<Tensor> parts = (List<Tensor>) result;
            JsonArray expects = step.expect().getAsJsonArray();
            assertEquals(expects.size(), parts.size(), what + ": number of tensors returned");
            for (int i = 0; i < parts.size(); i++) {
                Snapshot expected = Snapshot.from(expects.get(i).getAsJsonObject());
                String name = step.outs().get(i);
                assertMatchesSnapshot(expected, parts.get(i), c.forwardTolerance(), what + ": " + name);
                tensors.put(name, parts.get(i));
                recorded.put(name, expected.tensor().values());
            }
            return;
        }
        assertInstanceOf(Tensor.class, result, what + ": a tensor");
        Tensor t = (Tensor) result;
        Snapshot expected = Snapshot.from(step.expect().getAsJsonObject());
        if (expected.sameAs() != null) {
            assertSame(tensors.get(expected.sameAs()), t, what + ": torch returns " + expected.sameAs() + " itself");
        } else {
            for (String arg : step.args()) assertNotSame(tensors.get(arg), t, what + ": torch returns a new tensor");
        }
        assertMatchesSnapshot(expected, t, c.forwardTolerance(), !TORCH_WRITES_RESULT_IN_PLACE.contains(step.op()),
                what);
        tensors.put(step.out(), t);
        recorded.put(step.out(), expected.tensor().values());
    }

    /** The Java call for one step: a Tensor, a List of tensors, or null (retain_grad, str). */
    private static Object apply(Step s, Map<String, Tensor> tensors) {
        Tensor[] a = s.args().stream().map(tensors::get).toArray(Tensor[]::new);
        Tensor x = a.length > 0 ? a[0] : null;
        return switch (s.op()) {
            // shape and view ops
            case "view" -> x.view(s.longsParam("shape"));
            case "reshape" -> x.reshape(s.longsParam("shape"));
            case "flatten" -> s.has("start") ? x.flatten(s.intParam("start"), s.intParam("end")) : x.flatten();
            case "unflatten" -> x.unflatten(s.intParam("dim"), s.longsParam("sizes"));
            case "transpose" -> x.transpose(s.intParam("dim0"), s.intParam("dim1"));
            case "t" -> x.t();
            case "permute" -> x.permute(s.intsParam("dims"));
            case "mT" -> x.mT();
            case "expand" -> x.expand(s.longsParam("shape"));
            case "expand_as" -> x.expandAs(a[1]);
            case "squeeze" -> s.has("dim") ? x.squeeze(s.intParam("dim")) : x.squeeze();
            case "unsqueeze" -> x.unsqueeze(s.intParam("dim"));
            case "narrow" -> x.narrow(s.intParam("dim"), s.longParam("start"), s.longParam("length"));
            case "select" -> x.select(s.intParam("dim"), s.longParam("index"));
            case "slice" -> x.slice(s.intParam("dim"), s.longParam("start"), s.longParam("end"), s.longParam("step"));
            case "split" -> x.split(s.longParam("size"), s.intParam("dim"));
            case "chunk" -> x.chunk(s.intParam("chunks"), s.intParam("dim"));
            case "unbind" -> x.unbind(s.intParam("dim"));
            case "contiguous" -> x.contiguous();
            // copies
            case "cat" -> Tensor.cat(s.intParam("dim"), a);
            case "cat_list" -> Tensor.cat(s.intParam("dim"), List.of(a));
            case "stack" -> Tensor.stack(s.intParam("dim"), a);
            case "clone" -> x.clone();
            case "copy_" -> x.copy_(a[1]);
            // indexing
            case "index_select" -> x.indexSelect(s.intParam("dim"), a[1]);
            case "gather" -> x.gather(s.intParam("dim"), a[1]);
            case "scatter_add" -> x.scatterAdd(s.intParam("dim"), a[1], a[2]);
            case "scatter_add_" -> x.scatterAdd_(s.intParam("dim"), a[1], a[2]);
            case "masked_fill" -> x.maskedFill(a[1], s.doubleParam("value"));
            case "masked_fill_" -> x.maskedFill_(a[1], s.doubleParam("value"));
            case "where" -> Tensor.where(a[0], a[1], a[2]);
            case "masked_select" -> x.maskedSelect(a[1]);
            case "nonzero" -> x.nonzero();
            case "one_hot" -> x.oneHot(s.longParam("num_classes"));
            // factories and dtypes
            case "arange" -> s.has("start")
                    ? Tensor.arange(s.longParam("start"), s.longParam("end"), s.longParam("step"))
                    : Tensor.arange(s.longParam("end"));
            case "arange_float" -> Tensor.arange(s.doubleParam("start"), s.doubleParam("end"), s.doubleParam("step"));
            case "zeros" -> Tensor.zeros(s.dtypeParam(), s.longsParam("shape"));
            case "ones" -> Tensor.ones(s.dtypeParam(), s.longsParam("shape"));
            case "full" -> Tensor.full(s.dtypeParam(), s.doubleParam("value"), s.longsParam("shape"));
            case "to" -> x.to(s.dtypeParam());
            case "requires_grad_" -> x.requiresGrad_(s.params().get("flag").getAsBoolean());
            // round-1 ops, on strided and integer tensors; "_scalar" is a Python float (Java double), "_int" a
            // Python int (Java long)
            case "add" -> x.add(a[1]);
            case "sub" -> x.sub(a[1]);
            case "mul" -> x.mul(a[1]);
            case "div" -> x.div(a[1]);
            case "add_scalar" -> x.add(s.doubleParam("value"));
            case "sub_scalar" -> x.sub(s.doubleParam("value"));
            case "mul_scalar" -> x.mul(s.doubleParam("value"));
            case "div_scalar" -> x.div(s.doubleParam("value"));
            case "add_int" -> x.add(s.longParam("int"));
            case "sub_int" -> x.sub(s.longParam("int"));
            case "mul_int" -> x.mul(s.longParam("int"));
            case "div_int" -> x.div(s.longParam("int"));
            case "neg" -> x.neg();
            case "sum" -> x.sum();
            case "mean" -> x.mean();
            case "sum_dims" -> x.sum(s.intsParam("dims"), s.params().get("keepdim").getAsBoolean());
            case "mean_dims" -> x.mean(s.intsParam("dims"), s.params().get("keepdim").getAsBoolean());
            case "detach" -> x.detach();
            case "add_" -> x.add_(a[1]);
            case "zero_" -> x.zero_();
            case "fill_" -> x.fill_(s.doubleParam("value"));
            case "retain_grad" -> {
                x.retainGrad();
                yield null;
            }
            case "str" -> null;
            default -> fail("unknown op in golden file: " + s.op());
        };
    }

    // ------------------------------------------------------------------------------------------------ building

    // ------------------------------------------------------------------------------------------------ asserting

    /** How closely float values must match torch's: exactly, or within {@code rtol * max(|expected|, scale)}. */
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

    private static void assertRaisesLikeTorch(TorchError expected, org.junit.jupiter.api.function.Executable call,
                                              String where) {
        RuntimeException e = assertThrows(RuntimeException.class, call,
                where + ": torch raises " + expected.torchType() + ": " + expected.message());
        assertInstanceOf(javaClass(expected.javaType()), e, where + ": exception class (torch: " + expected.message()
                + "; Java: " + e + ")");
        assertNotNull(e.getMessage(), where + ": the exception should carry torch's message");
        assertTrue(e.getMessage().contains(expected.fragment()),
                where + ": message should contain torch's\n  \"" + expected.fragment() + "\"\nbut was\n  \""
                        + e.getMessage() + "\"");
    }

    private static Class<? extends RuntimeException> javaClass(String simpleName) {
        return switch (simpleName) {
            case "IllegalArgumentException" -> IllegalArgumentException.class;
            case "IllegalStateException" -> IllegalStateException.class;
            case "IndexOutOfBoundsException" -> IndexOutOfBoundsException.class;
            default -> throw new IllegalArgumentException("unexpected java_type " + simpleName);
        };
    }

    /**
     * Ops whose fresh result torch builds by writing it in place ({@code F.one_hot} is {@code zeros().scatter_()}, so
     * its result starts at {@code _version} 2): an implementation detail of torch, not compared.
     */
    private static final List<String> TORCH_WRITES_RESULT_IN_PLACE = List.of("one_hot");

    private static void assertMatchesSnapshot(Snapshot expected, Tensor actual, Tolerance tolerance, String what) {
        assertMatchesSnapshot(expected, actual, tolerance, true, what);
    }

    private static void assertMatchesSnapshot(Snapshot expected, Tensor actual, Tolerance tolerance,
                                              boolean compareVersion, String what) {
        assertNotNull(actual, what + ": no tensor");
        assertTensorEquals(expected.tensor(), actual, tolerance, what);
        assertEquals(expected.requiresGrad(), actual.requiresGrad(), what + ": requiresGrad()");
        assertEquals(expected.isLeaf(), actual.isLeaf(), what + ": isLeaf()");
        if (expected.gradFn() == null) {
            assertNull(actual.gradFn(), what + ": gradFn() should be null, was "
                    + (actual.gradFn() == null ? "" : actual.gradFn().name()));
        } else {
            assertNotNull(actual.gradFn(), what + ": gradFn() should be " + expected.gradFn());
            assertEquals(expected.gradFn(), actual.gradFn().name(), what + ": gradFn().name()");
        }
        if (compareVersion) assertEquals(expected.version(), actual.version(), what + ": version()");
        Layout layout = expected.layout();
        if (layout.isView()) {
            assertArrayEquals(layout.stride(), actual.stride(), what + ": stride() of a view");
            assertEquals(layout.storageOffset(), actual.storageOffset(), what + ": storageOffset() of a view");
            assertEquals(layout.isContiguous(), actual.isContiguous(), what + ": isContiguous() of a view");
        } else if (layout.isContiguous()) {
            // not a view: only contiguity is promised (strides of size-0/1 dims of a fresh tensor are free)
            assertTrue(actual.isContiguous(), what + ": isContiguous(), torch made this tensor contiguous; stride() "
                    + Arrays.toString(actual.stride()));
        }
    }

    /** Same shape, dtype and values (floats within {@code tolerance}; int64 and bool exactly). */
    static void assertTensorEquals(TensorSpec expected, Tensor actual, Tolerance tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape()");
        assertEquals(expected.shape().length, actual.dim(), what + ": dim()");
        assertEquals(expected.values().size(), actual.numel(), what + ": numel()");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype()");
        switch (expected.dtype()) {
            case INT64 -> {
                long[] want = expected.longs();
                assertArrayEquals(want, actual.toLongArray(), what + ": toLongArray()");
                if (want.length == 1 && Math.abs(want[0]) < (1L << 53)) {
                    assertEquals((double) want[0], actual.item(), what + ": item()");
                }
            }
            case BOOL -> {
                boolean[] want = expected.booleans();
                assertArrayEquals(want, actual.toBooleanArray(), what + ": toBooleanArray()");
                if (want.length == 1) assertEquals(want[0] ? 1.0 : 0.0, actual.item(), what + ": item()");
            }
            case FLOAT32, FLOAT64 -> {
                double[] want = expected.doubles();
                double[] values = floatValuesOf(actual);
                assertEquals(want.length, values.length, what + ": number of values");
                if (values.length == 1 && !tolerance.accepts(want[0], actual.item())) {
                    fail(what + ": item() is " + actual.item() + ", torch has " + want[0] + " (" + tolerance + ")");
                }
                for (int i = 0; i < values.length; i++) {
                    if (!tolerance.accepts(want[i], values[i])) {
                        fail(what + ": element " + i + " is " + values[i] + ", torch has " + want[i]
                                + " (" + tolerance + ")\n  expected " + Arrays.toString(want)
                                + "\n  actual   " + Arrays.toString(values));
                    }
                }
            }
        }
    }

    // -------------------------------------------------------------------------------------- the file's coverage

    /** The golden file itself covers what it claims to (a guard against a broken or truncated generator). */
    @TestFactory
    Stream<DynamicTest> goldenFileCoversTheApi() throws IOException {
        List<GoldenCase> cases = goldenCases();
        List<String> ops = List.of("view", "reshape", "flatten", "unflatten", "transpose", "t", "permute", "mT", "expand",
                "expand_as", "squeeze", "unsqueeze", "narrow", "select", "slice", "split", "chunk", "unbind",
                "contiguous", "cat", "cat_list", "stack", "clone", "copy_", "index_select", "gather", "scatter_add",
                "scatter_add_", "masked_fill", "masked_fill_", "where", "masked_select", "nonzero", "one_hot", "arange",
                "arange_float", "zeros", "ones", "full", "to", "requires_grad_", "add_int", "sub_int", "mul_int",
                "div_int", "add_scalar", "div", "sum", "sum_dims", "add_", "zero_", "fill_", "str");
        Stream<DynamicTest> opTests = ops.stream().map(op -> DynamicTest.dynamicTest("some case uses " + op,
                () -> assertTrue(cases.stream().anyMatch(c -> c.steps().stream().anyMatch(s -> s.op().equals(op))),
                        "no golden case uses " + op)));
        List<String> gradFns = List.of("ViewBackward0", "ReshapeAliasBackward0", "UnsafeViewBackward0",
                "TransposeBackward0", "TBackward0", "PermuteBackward0", "ExpandBackward0", "SqueezeBackward0",
                "SqueezeBackward1", "UnsqueezeBackward0", "SliceBackward0", "SelectBackward0", "SplitBackward0",
                "UnbindBackward0", "CatBackward0", "StackBackward0", "CloneBackward0", "IndexSelectBackward0",
                "GatherBackward0", "ScatterAddBackward0", "MaskedFillBackward0", "WhereBackward0",
                "MaskedSelectBackward0", "CopySlices", "AsStridedBackward0", "CopyBackwards", "ToCopyBackward0");
        Stream<DynamicTest> gradFnTests = gradFns.stream().map(name -> DynamicTest.dynamicTest(
                "some case expects grad_fn " + name, () -> assertTrue(cases.stream().anyMatch(
                        c -> Stream.concat(c.steps().stream().map(Step::expect), c.finals().values().stream())
                                .anyMatch(e -> e != null && e.toString().contains("\"grad_fn\":\"" + name + "\""))),
                        "no golden case expects " + name)));
        List<String> javaTypes = List.of("IllegalArgumentException", "IllegalStateException",
                "IndexOutOfBoundsException");
        Stream<DynamicTest> errorTests = javaTypes.stream().map(type -> DynamicTest.dynamicTest(
                "some case raises " + type, () -> assertTrue(cases.stream().anyMatch(c -> c.raises()
                        && Stream.concat(c.steps().stream().map(Step::error), c.backward().stream().map(Backward::error))
                        .anyMatch(e -> e != null && e.javaType().equals(type))), "no golden case raises " + type)));
        return Stream.of(opTests, gradFnTests, errorTests).flatMap(s -> s);
    }
}
