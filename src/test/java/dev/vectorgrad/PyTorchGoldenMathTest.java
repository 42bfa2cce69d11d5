package dev.vectorgrad;

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
import dev.vectorgrad.nn.Functional;
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
 * The math ops of issue 7 against PyTorch 1.13: unary math, the activations and softmax of
 * {@code torch.nn.functional} ({@link Functional}, which calls {@link Activations}), clamp, pointwise binary math, comparisons and logical ops, in-place arithmetic, reductions
 * and softmax / log_softmax.
 *
 * <p>Each golden case in {@code /golden/math/math.json} (written by {@code gen_math.py} beside it, with real torch) is
 * a small program over named tensors, in the format of {@code golden/views/views.json}: leaves with exact values
 * (NaN, infinities, -0.0, denormals and large magnitudes among them), steps such as {@code t = x.mul(1.0)},
 * {@code t.exp_()}, {@code y = t.softmax(1)}, then backward calls with random upstream gradients, some of which torch
 * refuses (a second backward through a node whose saved tensors were freed, a saved tensor modified in place). This
 * test replays the program through the Java API and checks after every step the result's values, shape, dtype,
 * {@code requires_grad}, {@code is_leaf}, {@code grad_fn} name, {@code _version} and (for views) layout, whether an
 * in-place op returned its input itself; then every tensor again after the last step, and every {@code grad} after
 * the backward calls. Where torch raises, the Java call must throw the exception class the API promises
 * (IllegalArgumentException for bad dims, shapes and dtypes, IndexOutOfBoundsException for index values,
 * IllegalStateException for autograd and state errors, ArithmeticException for an integer division by zero) with
 * a message containing torch's first sentence.
 *
 * <p>Float values are compared with the tolerance the golden file states per step (and per gradient):
 * {@code |actual - expected| <= ulp * ulp(expected) + atol}, where {@code ulp(expected)} is the spacing of the
 * result's dtype at the expected value; the per-op (ulp, abs, ref) table is the file's {@code "tolerances"}; float32
 * reductions and steps that read already-rounded values may also differ by twice torch's own error (against a float64
 * replay of the case), and the gradient of a broadcast input by the rounding of its sum. NaN must
 * be NaN and an infinity the same infinity; where a step says {@code signed_zeros} a zero must also have torch's sign.
 * int64 and bool values must match exactly.
 */
class PyTorchGoldenMathTest {

    private static final String GOLDEN = "/golden/math/math.json";

    // ------------------------------------------------------------------------------------------ the golden file

    /**
     * How close a float value must be to torch's: {@code |actual - expected| <= ulps * ulp(expected) + max(atol,
     * atolEach[i])}, with {@code ulp} the spacing of the value's dtype; NaN only matches NaN, an infinity only itself;
     * with {@code signedZeros} an expected zero must have the same sign. {@code atolEach} (may be null) is the
     * generator's per-element allowance for rounding differences that propagate (twice torch's own error against a
     * float64 replay) or sums of broadcast gradients.
     */
    record Tolerance(int ulps, double atol, double[] atolEach, boolean signedZeros) {
        static final Tolerance EXACT = new Tolerance(0, 0, null, false);

        static Tolerance from(JsonElement json) {
            if (json == null || json.isJsonNull()) return EXACT;
            JsonObject o = json.getAsJsonObject();
            double[] each = o.has("atol_each")
                    ? o.getAsJsonArray("atol_each").asList().stream().mapToDouble(JsonElement::getAsDouble).toArray()
                    : null;
            return new Tolerance(o.get("ulp").getAsInt(), o.get("atol").getAsDouble(), each,
                    o.has("signed_zeros") && o.get("signed_zeros").getAsBoolean());
        }

        /** The same allowance for every element (the final snapshots: the loosest of the case's steps). */
        Tolerance uniform() {
            if (atolEach == null) return this;
            return new Tolerance(ulps, Math.max(atol, Arrays.stream(atolEach).max().orElse(0)), null, signedZeros);
        }

        boolean accepts(double expected, double actual, DType dtype, int i) {
            if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
            if (expected == actual) {
                return !(signedZeros && expected == 0)
                        || Double.doubleToRawLongBits(expected) == Double.doubleToRawLongBits(actual);
            }
            if (Double.isInfinite(expected) || Double.isInfinite(actual)) return false;
            double ulp = dtype == DType.FLOAT32 ? Math.ulp((float) expected) : Math.ulp(expected);
            double abs = atolEach == null ? atol : Math.max(atol, atolEach[i]);
            return Math.abs(expected - actual) <= ulps * ulp + abs;
        }

        String describe(int i) {
            double abs = atolEach == null ? atol : Math.max(atol, atolEach[i]);
            return ulps + " ulp + " + abs + (signedZeros ? ", signed zeros" : "");
        }
    }

    /**
     * {@code out = op(args..., params)} (or {@code outs = ...} for max/min along a dim), under {@code no_grad} if so
     * marked; {@code expect} is a snapshot or a list of them, {@code tol} the tolerance of its float values.
     */
    record Step(String op, List<String> args, String out, List<String> outs, boolean noGrad, JsonObject params,
                JsonElement expect, Tolerance tol, TorchError error) {

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
                    Tolerance.from(json.get("tol")),
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

        /** A Python float; "NaN", "Infinity" and "-Infinity" are strings that parse as such. */
        double doubleParam(String param) {
            return params.get(param).getAsDouble();
        }

        boolean boolParam(String param) {
            return params.get(param).getAsBoolean();
        }

        long[] longsParam(String param) {
            return longsOf(params.getAsJsonArray(param));
        }

        int[] intsParam(String param) {
            return params.getAsJsonArray(param).asList().stream().mapToInt(JsonElement::getAsInt).toArray();
        }

        @Override
        public String toString() {
            StringBuilder extra = new StringBuilder();
            for (String k : params.keySet()) {
                if (List.of("op", "args", "out", "outs", "expect", "error", "no_grad", "tol").contains(k)) continue;
                extra.append(", ").append(k).append('=').append(params.get(k));
            }
            String lhs = out != null ? out + " = " : outs != null ? String.join(", ", outs) + " = " : "";
            return lhs + op + "(" + String.join(", ", args) + extra + ")" + (noGrad ? " under no_grad" : "");
        }
    }

    record GoldenCase(String id, String category, String description, List<Input> inputs, List<Step> steps,
                      Map<String, JsonElement> finals, Tolerance finalTol, List<Backward> backward,
                      Map<String, TensorSpec> grads, Map<String, Tolerance> gradTols) {

        static GoldenCase from(JsonObject json) {
            Map<String, JsonElement> finals = new LinkedHashMap<>();
            json.getAsJsonObject("final").entrySet().forEach(e -> finals.put(e.getKey(), e.getValue()));
            Map<String, TensorSpec> grads = new LinkedHashMap<>();
            json.getAsJsonObject("grads").entrySet()
                    .forEach(e -> grads.put(e.getKey(), TensorSpec.fromNullable(e.getValue())));
            Map<String, Tolerance> gradTols = new LinkedHashMap<>();
            json.getAsJsonObject("grad_tol").entrySet()
                    .forEach(e -> gradTols.put(e.getKey(), Tolerance.from(e.getValue())));
            return new GoldenCase(
                    json.get("id").getAsString(),
                    json.get("category").getAsString(),
                    json.get("description").getAsString(),
                    objects(json, "inputs").stream().map(Input::from).toList(),
                    objects(json, "steps").stream().map(Step::from).toList(),
                    finals,
                    Tolerance.from(json.get("final_tol")).uniform(),
                    objects(json, "backward").stream().map(Backward::from).toList(),
                    grads,
                    gradTols);
        }

        private static List<JsonObject> objects(JsonObject json, String key) {
            return json.getAsJsonArray(key).asList().stream().map(JsonElement::getAsJsonObject).toList();
        }

        boolean raises() {
            return steps.stream().anyMatch(s -> s.error() != null) || backward.stream().anyMatch(b -> b.error() != null);
        }
    }

    private static JsonObject root;

    private static synchronized JsonObject root() throws IOException {
        if (root == null) {
            try (InputStream in = PyTorchGoldenMathTest.class.getResourceAsStream(GOLDEN)) {
                assertNotNull(in, "missing test resource " + GOLDEN + " (run gen_math.py)");
                try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                    root = JsonParser.parseReader(reader).getAsJsonObject();
                }
            }
        }
        return root;
    }

    private static List<GoldenCase> goldenCases() throws IOException {
        List<GoldenCase> cases = new ArrayList<>();
        for (JsonElement e : root().getAsJsonArray("cases")) cases.add(GoldenCase.from(e.getAsJsonObject()));
        return cases;
    }

    // ------------------------------------------------------------------------------------------------ the tests

    /** One container per category (unary, activation, kink, softmax, pow, ..., reduction, inplace, errors). */
    @TestFactory
    Stream<DynamicNode> matchesPyTorch() throws IOException {
        List<GoldenCase> cases = goldenCases();
        assertTrue(cases.size() >= 1500, "expected at least 1500 golden cases, found " + cases.size());
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
            checkStep(step, result, tensors, recorded);
        }

        c.finals().forEach((name, json) -> {
            Snapshot expected = Snapshot.from(json.getAsJsonObject());
            if (expected.tensor().values() == null) expected = expected.withValues(recorded.get(name));
            assertMatchesSnapshot(expected, tensors.get(name), c.finalTol(), "after the last step, " + name);
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
                Tolerance tol = c.gradTols().getOrDefault(name, Tolerance.EXACT);
                assertTensorEquals(expected, grad, tol, name + ".grad()");
            }
        });
    }

    private static Object run(Step step, Map<String, Tensor> tensors) {
        return step.noGrad() ? NoGrad.call(() -> apply(step, tensors)) : apply(step, tensors);
    }

    /** Checks a step's result against torch's snapshot(s) and names it. */
    @SuppressWarnings("unchecked")
    private static void checkStep(Step step, Object result, Map<String, Tensor> tensors,
                                  Map<String, JsonArray> recorded) {
        String what = "after " + step;
        if (step.outs() != null) {
            assertInstanceOf(List.class, result, what + ": a list of tensors");
            List<Tensor> parts = (List<Tensor>) result;
            JsonArray expects = step.expect().getAsJsonArray();
            assertEquals(expects.size(), parts.size(), what + ": number of tensors returned");
            for (int i = 0; i < parts.size(); i++) {
                Snapshot expected = Snapshot.from(expects.get(i).getAsJsonObject());
                String name = step.outs().get(i);
                assertMatchesSnapshot(expected, parts.get(i), step.tol(), what + ": " + name);
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
        assertMatchesSnapshot(expected, t, step.tol(), what);
        tensors.put(step.out(), t);
        recorded.put(step.out(), expected.tensor().values());
    }

    /** The Java call for one step: a Tensor, or a List of tensors for max/min along a dim. */
    private static Object apply(Step s, Map<String, Tensor> tensors) {
        Tensor[] a = s.args().stream().map(tensors::get).toArray(Tensor[]::new);
        Tensor x = a.length > 0 ? a[0] : null;
        return switch (s.op()) {
            // unary math
            case "exp" -> x.exp();
            case "exp2" -> x.exp2();
            case "expm1" -> x.expm1();
            case "log" -> x.log();
            case "log2" -> x.log2();
            case "log10" -> x.log10();
            case "log1p" -> x.log1p();
            case "sqrt" -> x.sqrt();
            case "rsqrt" -> x.rsqrt();
            case "abs" -> x.abs();
            case "sign" -> x.sign();
            case "neg" -> x.neg();
            case "reciprocal" -> x.reciprocal();
            case "square" -> x.square();
            case "sin" -> x.sin();
            case "cos" -> x.cos();
            case "tan" -> x.tan();
            case "asin" -> x.asin();
            case "acos" -> x.acos();
            case "atan" -> x.atan();
            case "sinh" -> x.sinh();
            case "cosh" -> x.cosh();
            case "tanh" -> x.tanh();
            case "sigmoid" -> x.sigmoid();
            case "relu" -> x.relu();
            case "erf" -> x.erf();
            case "floor" -> x.floor();
            case "ceil" -> x.ceil();
            case "round" -> x.round();
            case "trunc" -> x.trunc();
            case "frac" -> x.frac();
            case "isnan" -> x.isnan();
            case "isinf" -> x.isinf();
            case "isfinite" -> x.isfinite();
            case "nan_to_num" -> s.has("nan")
                    ? x.nanToNum(s.doubleParam("nan"), s.doubleParam("posinf"), s.doubleParam("neginf"))
                    : x.nanToNum();
            case "exp_" -> x.exp_();
            case "relu_" -> x.relu_();
            case "sigmoid_" -> x.sigmoid_();
            case "tanh_" -> x.tanh_();
            case "clamp" -> x.clamp(s.doubleParam("min"), s.doubleParam("max"));
            case "clamp_min" -> x.clampMin(s.doubleParam("min"));
            case "clamp_max" -> x.clampMax(s.doubleParam("max"));
            case "clamp_" -> x.clamp_(s.doubleParam("min"), s.doubleParam("max"));
            // activations: torch.nn.functional (without their parameters: torch's defaults)
            case "leaky_relu" -> s.has("slope") ? Functional.leakyRelu(x, s.doubleParam("slope")) : Functional.leakyRelu(x);
            case "elu" -> s.has("alpha") ? Functional.elu(x, s.doubleParam("alpha")) : Functional.elu(x);
            case "gelu" -> s.has("approximate")
                    ? Functional.gelu(x, s.params().get("approximate").getAsString()) : Functional.gelu(x);
            case "silu" -> Functional.silu(x);
            case "mish" -> Functional.mish(x);
            case "softplus" -> s.has("beta")
                    ? Functional.softplus(x, s.doubleParam("beta"), s.doubleParam("threshold")) : Functional.softplus(x);
            case "hardtanh" -> s.has("min")
                    ? Functional.hardtanh(x, s.doubleParam("min"), s.doubleParam("max")) : Functional.hardtanh(x);
            case "F.relu" -> Functional.relu(x);
            case "F.sigmoid" -> Functional.sigmoid(x);
            case "F.tanh" -> Functional.tanh(x);
            case "F.softmax" -> Functional.softmax(x, s.intParam("dim"));
            case "F.log_softmax" -> Functional.logSoftmax(x, s.intParam("dim"));
            // pointwise binary math ("_scalar": a Python float, a Java double)
            case "pow_scalar" -> x.pow(s.doubleParam("value"));
            case "pow" -> x.pow(a[1]);
            case "pow_base" -> Tensor.pow(s.doubleParam("base"), x);
            case "maximum" -> x.maximum(a[1]);
            case "minimum" -> x.minimum(a[1]);
            case "atan2" -> x.atan2(a[1]);
            case "fmod_scalar" -> x.fmod(s.doubleParam("value"));
            case "fmod" -> x.fmod(a[1]);
            case "remainder_scalar" -> x.remainder(s.doubleParam("value"));
            case "remainder" -> x.remainder(a[1]);
            case "eq" -> x.eq(a[1]);
            case "ne" -> x.ne(a[1]);
            case "lt" -> x.lt(a[1]);
            case "le" -> x.le(a[1]);
            case "gt" -> x.gt(a[1]);
            case "ge" -> x.ge(a[1]);
            case "eq_scalar" -> x.eq(s.doubleParam("value"));
            case "ne_scalar" -> x.ne(s.doubleParam("value"));
            case "lt_scalar" -> x.lt(s.doubleParam("value"));
            case "le_scalar" -> x.le(s.doubleParam("value"));
            case "gt_scalar" -> x.gt(s.doubleParam("value"));
            case "ge_scalar" -> x.ge(s.doubleParam("value"));
            case "logical_and" -> x.logicalAnd(a[1]);
            case "logical_or" -> x.logicalOr(a[1]);
            case "logical_xor" -> x.logicalXor(a[1]);
            case "logical_not" -> x.logicalNot();
            case "lerp" -> x.lerp(a[1], s.doubleParam("weight"));
            case "addcmul" -> x.addcmul(a[1], a[2], s.doubleParam("value"));
            case "addcdiv" -> x.addcdiv(a[1], a[2], s.doubleParam("value"));
            // in-place arithmetic
            case "add_" -> x.add_(a[1]);
            case "sub_" -> x.sub_(a[1]);
            case "mul_" -> x.mul_(a[1]);
            case "div_" -> x.div_(a[1]);
            case "add_scalar_" -> x.add_(s.doubleParam("value"));
            case "sub_scalar_" -> x.sub_(s.doubleParam("value"));
            case "mul_scalar_" -> x.mul_(s.doubleParam("value"));
            case "div_scalar_" -> x.div_(s.doubleParam("value"));
            // reductions
            case "max" -> x.max();
            case "min" -> x.min();
            case "max_dim" -> valuesIndices(x.max(s.intParam("dim"), s.boolParam("keepdim")));
            case "min_dim" -> valuesIndices(x.min(s.intParam("dim"), s.boolParam("keepdim")));
            case "amax" -> x.amax(s.intsParam("dims"), s.boolParam("keepdim"));
            case "amin" -> x.amin(s.intsParam("dims"), s.boolParam("keepdim"));
            case "argmax" -> x.argmax();
            case "argmin" -> x.argmin();
            case "argmax_dim" -> x.argmax(s.intParam("dim"), s.boolParam("keepdim"));
            case "argmin_dim" -> x.argmin(s.intParam("dim"), s.boolParam("keepdim"));
            case "prod" -> x.prod();
            case "var" -> x.var();
            case "std" -> x.std();
            case "var_dims" -> x.var(s.intsParam("dims"), s.longParam("correction"), s.boolParam("keepdim"));
            case "std_dims" -> x.std(s.intsParam("dims"), s.longParam("correction"), s.boolParam("keepdim"));
            case "logsumexp" -> x.logsumexp(s.intsParam("dims"), s.boolParam("keepdim"));
            case "norm" -> x.norm();
            case "norm_p" -> x.norm(s.doubleParam("p"), s.intsParam("dims"), s.boolParam("keepdim"));
            case "cumsum" -> x.cumsum(s.intParam("dim"));
            case "all" -> x.all();
            case "any" -> x.any();
            case "count_nonzero" -> x.countNonzero();
            case "count_nonzero_dims" -> x.countNonzero(s.intsParam("dims"));
            case "softmax" -> x.softmax(s.intParam("dim"));
            case "log_softmax" -> x.logSoftmax(s.intParam("dim"));
            // round-1 ops and views, to build programs
            case "add" -> x.add(a[1]);
            case "sub" -> x.sub(a[1]);
            case "mul" -> x.mul(a[1]);
            case "div" -> x.div(a[1]);
            case "add_scalar" -> x.add(s.doubleParam("value"));
            case "sub_scalar" -> x.sub(s.doubleParam("value"));
            case "mul_scalar" -> x.mul(s.doubleParam("value"));
            case "div_scalar" -> x.div(s.doubleParam("value"));
            case "sum" -> x.sum();
            case "t" -> x.t();
            case "transpose" -> x.transpose(s.intParam("dim0"), s.intParam("dim1"));
            case "slice" -> x.slice(s.intParam("dim"), s.longParam("start"), s.longParam("end"), s.longParam("step"));
            case "select" -> x.select(s.intParam("dim"), s.longParam("index"));
            case "narrow" -> x.narrow(s.intParam("dim"), s.longParam("start"), s.longParam("length"));
            case "expand" -> x.expand(s.longsParam("shape"));
            case "detach" -> x.detach();
            default -> fail("unknown op in golden file: " + s.op());
        };
    }

    private static List<Tensor> valuesIndices(ValuesIndices r) {
        assertNotNull(r, "max/min along a dim returned null");
        return Arrays.asList(r.values(), r.indices());
    }

    // ------------------------------------------------------------------------------------------------ building

    // ------------------------------------------------------------------------------------------------ asserting

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
            case "ArithmeticException" -> ArithmeticException.class;
            default -> throw new IllegalArgumentException("unexpected java_type " + simpleName);
        };
    }

    private static void assertMatchesSnapshot(Snapshot expected, Tensor actual, Tolerance tolerance, String what) {
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
        assertEquals(expected.version(), actual.version(), what + ": version()");
        Layout layout = expected.layout();
        if (layout.isView()) {
            assertArrayEquals(layout.stride(), actual.stride(), what + ": stride() of a view");
            assertEquals(layout.storageOffset(), actual.storageOffset(), what + ": storageOffset() of a view");
            assertEquals(layout.isContiguous(), actual.isContiguous(), what + ": isContiguous() of a view");
        } else if (layout.isContiguous()) {
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
            case INT64 -> assertArrayEquals(expected.longs(), actual.toLongArray(), what + ": toLongArray()");
            case BOOL -> assertArrayEquals(expected.booleans(), actual.toBooleanArray(), what + ": toBooleanArray()");
            case FLOAT32, FLOAT64 -> {
                double[] want = expected.doubles();
                double[] values = floatValuesOf(actual);
                assertEquals(want.length, values.length, what + ": number of values");
                for (int i = 0; i < values.length; i++) {
                    if (!tolerance.accepts(want[i], values[i], expected.dtype(), i)) {
                        fail(what + ": element " + i + " is " + values[i] + ", torch has " + want[i]
                                + " (" + tolerance.describe(i) + "; off by " + ulpsOff(want[i], values[i], expected.dtype())
                                + " ulp)\n  expected " + Arrays.toString(want)
                                + "\n  actual   " + Arrays.toString(values));
                    }
                }
            }
        }
    }

    /** How many ulps of the expected value apart two finite values are (for the failure message). */
    private static String ulpsOff(double expected, double actual, DType dtype) {
        if (!Double.isFinite(expected) || !Double.isFinite(actual)) return "inf";
        double ulp = dtype == DType.FLOAT32 ? Math.ulp((float) expected) : Math.ulp(expected);
        return String.format("%.3g", Math.abs(expected - actual) / ulp);
    }

    // -------------------------------------------------------------------------------------- the file's coverage

    /** The golden file covers every op of issue 7 (a guard against a broken or truncated generator). */
    @TestFactory
    Stream<DynamicTest> goldenFileCoversTheApi() throws IOException {
        List<GoldenCase> cases = goldenCases();
        JsonObject tolerances = root().getAsJsonObject("tolerances");
        List<String> ops = List.of("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "abs",
                "sign", "neg", "reciprocal", "square", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
                "tanh", "sigmoid", "relu", "erf", "floor", "ceil", "round", "trunc", "frac", "isnan", "isinf",
                "isfinite", "nan_to_num", "exp_", "relu_", "sigmoid_", "tanh_", "clamp", "clamp_min", "clamp_max",
                "clamp_", "leaky_relu", "elu", "gelu", "silu", "mish", "softplus", "hardtanh", "F.relu", "F.sigmoid",
                "F.tanh", "F.softmax", "F.log_softmax", "pow_scalar", "pow", "pow_base", "maximum", "minimum", "atan2",
                "fmod_scalar", "fmod", "remainder_scalar", "remainder", "eq", "ne", "lt", "le", "gt", "ge",
                "eq_scalar", "ne_scalar", "lt_scalar", "le_scalar", "gt_scalar", "ge_scalar", "logical_and",
                "logical_or", "logical_xor", "logical_not", "lerp", "addcmul", "addcdiv", "add_", "sub_", "mul_",
                "div_", "add_scalar_", "sub_scalar_", "mul_scalar_", "div_scalar_", "max", "min", "max_dim",
                "min_dim", "amax", "amin", "argmax", "argmin", "argmax_dim", "argmin_dim", "prod", "var", "std",
                "var_dims", "std_dims", "logsumexp", "norm", "norm_p", "cumsum", "all", "any", "count_nonzero",
                "count_nonzero_dims", "softmax", "log_softmax");
        Stream<DynamicTest> opTests = ops.stream().map(op -> DynamicTest.dynamicTest("some case uses " + op + ", with "
                + "a stated tolerance", () -> {
                    assertTrue(cases.stream().anyMatch(c -> c.steps().stream().anyMatch(s -> s.op().equals(op))),
                            "no golden case uses " + op);
                    assertTrue(tolerances.has(op), "no tolerance stated for " + op);
                }));
        List<String> gradFns = List.of("ExpBackward0", "Exp2Backward0", "Expm1Backward0", "LogBackward0",
                "Log2Backward0", "Log10Backward0", "Log1PBackward0", "SqrtBackward0", "RsqrtBackward0",
                "AbsBackward0", "SignBackward0", "NegBackward0", "ReciprocalBackward0", "PowBackward0",
                "PowBackward1", "PowBackward2", "SinBackward0", "CosBackward0", "TanBackward0", "AsinBackward0",
                "AcosBackward0", "AtanBackward0", "SinhBackward0", "CoshBackward0", "TanhBackward0",
                "SigmoidBackward0", "ReluBackward0", "ErfBackward0", "FloorBackward0", "CeilBackward0",
                "RoundBackward0", "TruncBackward0", "FracBackward0", "NanToNumBackward0", "ClampBackward1",
                "LeakyReluBackward0", "EluBackward0", "GeluBackward0",
                "SiluBackward0", "MishBackward0", "SoftplusBackward0", "HardtanhBackward0", "MaximumBackward0",
                "MinimumBackward0", "Atan2Backward0", "FmodBackward0", "FmodBackward1", "RemainderBackward0",
                "RemainderBackward1", "LerpBackward0",
                "AddcmulBackward0", "AddcdivBackward0", "MaxBackward0", "MaxBackward1", "MinBackward0",
                "MinBackward1", "AmaxBackward0", "AminBackward0", "ProdBackward0", "VarBackward0", "StdBackward0",
                "LogsumexpBackward0", "NormBackward1", "CumsumBackward0", "SoftmaxBackward0",
                "LogSoftmaxBackward0", "CopySlices");
        Stream<DynamicTest> gradFnTests = gradFns.stream().map(name -> DynamicTest.dynamicTest(
                "some case expects grad_fn " + name, () -> assertTrue(cases.stream().anyMatch(
                        c -> Stream.concat(c.steps().stream().map(Step::expect), c.finals().values().stream())
                                .anyMatch(e -> e != null && e.toString().contains("\"grad_fn\":\"" + name + "\""))),
                        "no golden case expects " + name)));
        List<String> javaTypes = List.of("IllegalArgumentException", "IllegalStateException");
        Stream<DynamicTest> errorTests = javaTypes.stream().map(type -> DynamicTest.dynamicTest(
                "some case raises " + type, () -> assertTrue(cases.stream().anyMatch(c -> c.raises()
                        && Stream.concat(c.steps().stream().map(Step::error), c.backward().stream().map(Backward::error))
                        .anyMatch(e -> e != null && e.javaType().equals(type))), "no golden case raises " + type)));
        Stream<DynamicTest> fragments = Stream.of(DynamicTest.dynamicTest("the issue's wrong-dim message is a case",
                () -> assertTrue(cases.stream().anyMatch(c -> c.steps().stream().anyMatch(s -> s.error() != null
                        && s.error().fragment().equals(
                                "Dimension out of range (expected to be in range of [-2, 1], but got 2)"))))));
        return Stream.of(opTests, gradFnTests, errorTests, fragments).flatMap(s -> s);
    }
}
