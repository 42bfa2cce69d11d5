package dev.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;
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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Replays {@code golden/nn/nn.json}, written by real PyTorch 1.13 ({@code gen_nn.py} beside it): every module's
 * repr, parameter names and state dict keys, its forward and backward from torch's initial weights (copied in
 * through {@link Module#loadStateDict}), every loss with every reduction and its edge cases, BatchNorm's running
 * statistics over several steps, state dict key lists and load errors, the init functions' fan and gain rules
 * (statistics of our own draws against the distribution the rules give: the random streams differ), and the
 * error texts of bad calls.
 *
 * <p>Tolerances: vectorgrad computes layer norm, batch norm and the losses with other summation orders than
 * torch's fused kernels: values must agree within {@code rtol * max(|expected|, scale)} with rtol 1e-9 for
 * float64 and 2e-5 for float32, where scale is the largest magnitude in the expected tensor. The output's
 * {@code grad_fn} name must be torch's ({@code NllLossBackward0}, {@code NativeLayerNormBackward0}, ...).
 */
class PyTorchGoldenNnTest {

    private static final String GOLDEN = "/golden/nn/nn.json";
    private static final JsonObject ROOT = load();

    private static JsonObject load() {
        try (InputStream in = PyTorchGoldenNnTest.class.getResourceAsStream(GOLDEN)) {
            if (in == null) throw new IllegalStateException("missing " + GOLDEN + ": run gen_nn.py");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return JsonParser.parseReader(reader).getAsJsonObject();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ tensors

    private static long[] longs(JsonArray a) {
        return a.asList().stream().mapToLong(JsonElement::getAsLong).toArray();
    }

    private static List<String> strings(JsonArray a) {
        return a.asList().stream().map(JsonElement::getAsString).toList();
    }

    private static double number(JsonElement e) {
        if (e.getAsJsonPrimitive().isString()) {
            return switch (e.getAsString()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException(e.getAsString());
            };
        }
        if (e.getAsJsonPrimitive().isBoolean()) return e.getAsBoolean() ? 1 : 0;
        return e.getAsDouble();
    }

    private static double[] values(JsonObject spec) {
        return spec.getAsJsonArray("values").asList().stream().mapToDouble(PyTorchGoldenNnTest::number).toArray();
    }

    private static DType dtype(String name) {
        return switch (name) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "int64" -> DType.INT64;
            case "bool" -> DType.BOOL;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** A tensor from its JSON spec, or null. */
    static Tensor tensor(JsonElement json) {
        if (json == null || json.isJsonNull()) return null;
        JsonObject spec = json.getAsJsonObject();
        long[] shape = longs(spec.getAsJsonArray("shape"));
        DType dt = dtype(spec.get("dtype").getAsString());
        double[] v = values(spec);
        if (shape.length == 0) {
            // Tensor.of without a shape is 1-D: make the 0-dim tensor from a 1-element one
            try (Tensor one = tensor(withShape(spec, 1))) {
                return one.reshape();
            }
        }
        return switch (dt) {
            case FLOAT64 -> Tensor.of(v, shape);
            case FLOAT32 -> {
                float[] f = new float[v.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
                yield Tensor.of(f, shape);
            }
            case INT64 -> Tensor.of(spec.getAsJsonArray("values").asList().stream()
                    .mapToLong(JsonElement::getAsLong).toArray(), shape);
            case BOOL -> {
                boolean[] b = new boolean[v.length];
                for (int i = 0; i < b.length; i++) b[i] = v[i] != 0;
                yield Tensor.of(b, shape);
            }
        };
    }

    private static JsonObject withShape(JsonObject spec, long size) {
        JsonObject copy = spec.deepCopy();
        JsonArray shape = new JsonArray();
        shape.add(size);
        copy.add("shape", shape);
        return copy;
    }

    private static double rtol(DType dt) {
        return dt == DType.FLOAT64 ? 1e-9 : 2e-5;
    }

    /** Asserts {@code actual} has the expected shape, dtype and values (NaN where torch has NaN). */
    static void assertTensor(String what, JsonElement expectedJson, Tensor actual) {
        if (expectedJson == null || expectedJson.isJsonNull()) {
            assertNull(actual, what + ": torch has None");
            return;
        }
        assertNotNull(actual, what + ": torch has a tensor");
        JsonObject expected = expectedJson.getAsJsonObject();
        long[] shape = longs(expected.getAsJsonArray("shape"));
        assertArrayEquals(shape, actual.shape(), what + ": shape");
        DType dt = dtype(expected.get("dtype").getAsString());
        assertEquals(dt, actual.dtype(), what + ": dtype");
        double[] e = values(expected);
        double[] a = actual.toDoubleArray();
        double scale = 0;
        for (double v : e) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
        double tol = rtol(dt);
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i])) {
                assertTrue(Double.isNaN(a[i]), what + "[" + i + "]: expected NaN, got " + a[i]);
            } else if (Double.isInfinite(e[i]) || dt == DType.INT64 || dt == DType.BOOL) {
                assertEquals(e[i], a[i], what + "[" + i + "]");
            } else {
                double bound = tol * Math.max(Math.abs(e[i]), scale);
                if (!(Math.abs(a[i] - e[i]) <= bound)) {
                    fail(what + "[" + i + "]: expected " + e[i] + " but was " + a[i] + " (tolerance " + bound
                            + ")\n  expected " + Arrays.toString(e) + "\n  actual   " + Arrays.toString(a));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ modules

    /** The Java twin of gen_nn.py's {@code Net}: the same registrations in the same order. */
    static final class Net extends Module {
        private final Linear fc1 = registerModule("fc1", new Linear(4, 6));
        private final GELU act = registerModule("act", new GELU());

        Net() {
            registerParameter("scale", Tensor.ones(6));
            registerBuffer("offset", Tensor.zeros(6));
            registerModule("head", new Sequential(new LayerNorm(6), new Linear(6, 3)));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = act.forward(fc1.forward(x)).mul(getParameter("scale")).add(getBuffer("offset"));
            return getSubmodule("head").forward(h);
        }
    }

    private static boolean flag(JsonObject args, String key, boolean dflt) {
        return args.has(key) ? args.get(key).getAsBoolean() : dflt;
    }

    private static double num(JsonObject args, String key, double dflt) {
        return args.has(key) ? args.get(key).getAsDouble() : dflt;
    }

    /** Builds the module gen_nn.py's {@code build(name, args)} builds. */
    static Module build(String name, JsonObject args) {
        return switch (name) {
            case "Linear" -> new Linear(args.get("in").getAsLong(), args.get("out").getAsLong(), flag(args, "bias", true));
            case "ReLU" -> new ReLU();
            case "GELU" -> args.has("approximate") ? new GELU(args.get("approximate").getAsString()) : new GELU();
            case "Tanh" -> new Tanh();
            case "Sigmoid" -> new Sigmoid();
            case "SiLU" -> new SiLU();
            case "Dropout" -> new Dropout(args.get("p").getAsDouble());
            case "Flatten" -> new Flatten((int) num(args, "start_dim", 1), (int) num(args, "end_dim", -1));
            case "LayerNorm" -> new LayerNorm(longs(args.getAsJsonArray("shape")), num(args, "eps", 1e-5),
                    flag(args, "affine", true));
            case "Embedding" -> new Embedding(args.get("num").getAsLong(), args.get("dim").getAsLong(),
                    args.has("padding_idx") && !args.get("padding_idx").isJsonNull() ? args.get("padding_idx").getAsLong() : null,
                    null);
            case "BatchNorm1d" -> new BatchNorm1d(args.get("n").getAsLong(), num(args, "eps", 1e-5),
                    !args.has("momentum") ? Double.valueOf(0.1) : args.get("momentum").isJsonNull() ? null
                            : Double.valueOf(args.get("momentum").getAsDouble()),
                    flag(args, "affine", true), flag(args, "track", true));
            case "Sequential" -> {
                List<Module> ms = new ArrayList<>();
                for (JsonElement e : args.getAsJsonArray("modules")) {
                    JsonObject m = e.getAsJsonObject();
                    ms.add(build(m.get("module").getAsString(), m.has("args") ? m.getAsJsonObject("args") : new JsonObject()));
                }
                yield new Sequential(ms.toArray(new Module[0]));
            }
            case "Net" -> new Net();
            case "MSELoss" -> new MSELoss();
            case "L1Loss" -> new L1Loss("sum");
            case "SmoothL1Loss" -> new SmoothL1Loss("mean", 0.5);
            case "HuberLoss" -> new HuberLoss("mean", 2.0);
            case "CrossEntropyLoss" -> new CrossEntropyLoss(null, -100, "mean", 0.1);
            case "NLLLoss" -> new NLLLoss();
            case "BCELoss" -> new BCELoss();
            case "BCEWithLogitsLoss" -> new BCEWithLogitsLoss();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Map<String, Tensor> stateFrom(JsonArray pairs) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (JsonElement e : pairs) {
            JsonArray pair = e.getAsJsonArray();
            state.put(pair.get(0).getAsString(), tensor(pair.get(1)));
        }
        return state;
    }

    private static List<JsonObject> objects(JsonArray a) {
        return a.asList().stream().map(JsonElement::getAsJsonObject).toList();
    }

    @TestFactory
    Stream<DynamicTest> modules() {
        return objects(ROOT.getAsJsonArray("modules")).stream()
                .map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> replayModule(c)));
    }

    private static void replayModule(JsonObject c) {
        Module m = build(c.get("module").getAsString(), c.getAsJsonObject("args"));
        DType dt = dtype(c.get("dtype").getAsString());
        if (dt != DType.FLOAT32) m.to(dt);
        assertEquals(c.get("repr").getAsString(), m.toString(), "repr");
        assertEquals(strings(c.getAsJsonArray("param_names")), new ArrayList<>(m.namedParameters().keySet()), "named_parameters");
        assertEquals(strings(c.getAsJsonArray("state_keys")), new ArrayList<>(m.stateDict().keySet()), "state_dict keys");
        m.loadStateDict(stateFrom(c.getAsJsonArray("state")));
        m.train(c.get("train").getAsBoolean());
        Tensor x = tensor(c.get("input"));
        boolean xGrad = c.get("input_requires_grad").getAsBoolean();
        if (xGrad) x.requiresGrad_(true);
        Tensor out = m.forward(x);
        assertTensor("output", c.get("output"), out);
        assertEquals(c.get("grad_fn").isJsonNull() ? null : c.get("grad_fn").getAsString(),
                out.gradFn() == null ? null : out.gradFn().name(), "grad_fn");
        if (c.get("output_is_input").getAsBoolean()) assertSame(x, out, "torch returns the input itself");
        out.backward(tensor(c.get("grad_out")));
        if (xGrad) assertTensor("input grad", c.get("input_grad"), x.grad());
        Map<String, Tensor> params = m.namedParameters();
        for (JsonElement e : c.getAsJsonArray("param_grads")) {
            JsonArray pair = e.getAsJsonArray();
            String name = pair.get(0).getAsString();
            assertTensor("grad of " + name, pair.get(1), params.get(name).grad());
        }
        Map<String, Tensor> buffers = m.namedBuffers();
        JsonArray expectedBuffers = c.getAsJsonArray("buffers_after");
        assertEquals(expectedBuffers.size(), buffers.size(), "buffer count");
        for (JsonElement e : expectedBuffers) {
            JsonArray pair = e.getAsJsonArray();
            assertTensor("buffer " + pair.get(0).getAsString(), pair.get(1), buffers.get(pair.get(0).getAsString()));
        }
    }

    @TestFactory
    Stream<DynamicTest> reprs() {
        return objects(ROOT.getAsJsonArray("reprs")).stream().map(c -> DynamicTest.dynamicTest(
                c.get("module").getAsString() + " " + c.getAsJsonObject("args"),
                () -> assertEquals(c.get("repr").getAsString(),
                        build(c.get("module").getAsString(), c.getAsJsonObject("args")).toString())));
    }

    // ------------------------------------------------------------------------------------------------ losses

    @TestFactory
    Stream<DynamicTest> losses() {
        return objects(ROOT.getAsJsonArray("losses")).stream()
                .map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> replayLoss(c)));
    }

    private static String str(JsonObject kw, String key, String dflt) {
        return kw.has(key) ? kw.get(key).getAsString() : dflt;
    }

    /** The loss through Functional ({@code module} false) or through its module. */
    private static Tensor loss(JsonObject c, Tensor x, Tensor t, boolean module) {
        JsonObject kw = c.getAsJsonObject("kwargs");
        String r = str(kw, "reduction", "mean");
        Tensor w = tensor(c.get("weight")), pw = tensor(c.get("pos_weight"));
        long ignore = kw.has("ignore_index") ? kw.get("ignore_index").getAsLong() : -100;
        double ls = num(kw, "label_smoothing", 0.0);
        return switch (c.get("fn").getAsString()) {
            case "mse_loss" -> module ? new MSELoss(r).forward(x, t) : Functional.mseLoss(x, t, r);
            case "l1_loss" -> module ? new L1Loss(r).forward(x, t) : Functional.l1Loss(x, t, r);
            case "smooth_l1_loss" -> module ? new SmoothL1Loss(r, num(kw, "beta", 1.0)).forward(x, t)
                    : Functional.smoothL1Loss(x, t, r, num(kw, "beta", 1.0));
            case "huber_loss" -> module ? new HuberLoss(r, num(kw, "delta", 1.0)).forward(x, t)
                    : Functional.huberLoss(x, t, r, num(kw, "delta", 1.0));
            case "cross_entropy" -> module ? new CrossEntropyLoss(w, ignore, r, ls).forward(x, t)
                    : Functional.crossEntropy(x, t, w, ignore, r, ls);
            case "nll_loss" -> module ? new NLLLoss(w, ignore, r).forward(x, t) : Functional.nllLoss(x, t, w, ignore, r);
            case "binary_cross_entropy" -> module ? new BCELoss(w, r).forward(x, t)
                    : Functional.binaryCrossEntropy(x, t, w, r);
            case "binary_cross_entropy_with_logits" -> module ? new BCEWithLogitsLoss(w, r, pw).forward(x, t)
                    : Functional.binaryCrossEntropyWithLogits(x, t, w, pw, r);
            default -> throw new IllegalArgumentException(c.get("fn").getAsString());
        };
    }

    private static void replayLoss(JsonObject c) {
        for (boolean module : new boolean[] {false, true}) {
            String via = module ? " (module)" : " (functional)";
            Tensor x = tensor(c.get("input")).requiresGrad_(true);
            Tensor t = tensor(c.get("target"));
            boolean tGrad = c.get("target_requires_grad").getAsBoolean();
            if (tGrad) t.requiresGrad_(true);
            Tensor out = loss(c, x, t, module);
            assertTensor("output" + via, c.get("output"), out);
            assertEquals(c.get("grad_fn").isJsonNull() ? null : c.get("grad_fn").getAsString(),
                    out.gradFn() == null ? null : out.gradFn().name(), "grad_fn" + via);
            out.backward(tensor(c.get("grad_out")));
            assertTensor("input grad" + via, c.get("input_grad"), x.grad());
            if (tGrad) assertTensor("target grad" + via, c.get("target_grad"), t.grad());
        }
    }

    // ------------------------------------------------------------------------------------------------ batch norm runs

    @TestFactory
    Stream<DynamicTest> batchNormRuns() {
        return objects(ROOT.getAsJsonArray("bn_runs")).stream()
                .map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> replayBatchNorm(c)));
    }

    private static void replayBatchNorm(JsonObject c) {
        Module bn = build("BatchNorm1d", c.getAsJsonObject("args"));
        DType dt = dtype(c.get("dtype").getAsString());
        if (dt != DType.FLOAT32) bn.to(dt);
        bn.loadStateDict(stateFrom(c.getAsJsonArray("state")));
        int i = 0;
        for (JsonObject step : objects(c.getAsJsonArray("steps"))) {
            bn.train(step.get("train").getAsBoolean());
            Tensor out = bn.forward(tensor(step.get("input")));
            assertTensor("step " + i + " output", step.get("output"), out);
            Map<String, Tensor> buffers = bn.namedBuffers();
            for (JsonElement e : step.getAsJsonArray("buffers")) {
                JsonArray pair = e.getAsJsonArray();
                assertTensor("step " + i + " " + pair.get(0).getAsString(), pair.get(1), buffers.get(pair.get(0).getAsString()));
            }
            i++;
        }
    }

    // ------------------------------------------------------------------------------------------------ state dicts

    @TestFactory
    Stream<DynamicTest> stateDictKeys() {
        JsonObject state = ROOT.getAsJsonObject("state");
        Stream<DynamicTest> modules = objects(state.getAsJsonArray("keys")).stream().map(c -> DynamicTest.dynamicTest(
                c.get("id").getAsString(), () -> {
                    Module m = build(c.get("module").getAsString(), c.getAsJsonObject("args"));
                    assertEquals(strings(c.getAsJsonArray("state_keys")), new ArrayList<>(m.stateDict().keySet()), "state_dict");
                    assertEquals(strings(c.getAsJsonArray("param_names")), new ArrayList<>(m.namedParameters().keySet()), "named_parameters");
                    assertEquals(strings(c.getAsJsonArray("buffer_names")), new ArrayList<>(m.namedBuffers().keySet()), "named_buffers");
                    assertEquals(strings(c.getAsJsonArray("children")), new ArrayList<>(m.namedChildren().keySet()), "named_children");
                    assertEquals(strings(c.getAsJsonArray("modules")), new ArrayList<>(m.namedModules().keySet()), "named_modules");
                    assertEquals(m.parameters(), new ArrayList<>(m.namedParameters().values()));
                    assertEquals(m.children(), new ArrayList<>(m.namedChildren().values()));
                }));
        Stream<DynamicTest> losses = objects(state.getAsJsonArray("loss_keys")).stream().map(c -> DynamicTest.dynamicTest(
                "loss " + c.get("id").getAsString(), () -> {
                    Module m = switch (c.get("id").getAsString()) {
                        case "ce_weight" -> new CrossEntropyLoss(Tensor.ones(3), -100, "mean", 0);
                        case "ce" -> new CrossEntropyLoss();
                        case "bce_logits_pos" -> new BCEWithLogitsLoss(null, "mean", Tensor.ones(3));
                        case "bce_logits_both" -> new BCEWithLogitsLoss(Tensor.ones(3), "mean", Tensor.ones(3));
                        default -> throw new IllegalArgumentException(c.get("id").getAsString());
                    };
                    assertEquals(strings(c.getAsJsonArray("keys")), new ArrayList<>(m.stateDict().keySet()));
                }));
        return Stream.concat(modules, losses);
    }

    @TestFactory
    Stream<DynamicTest> loadStateDict() {
        return objects(ROOT.getAsJsonObject("state").getAsJsonArray("loads")).stream().map(c -> DynamicTest.dynamicTest(
                c.get("id").getAsString(), () -> {
                    Module m = build(c.get("module").getAsString(), c.getAsJsonObject("args"));
                    Map<String, Tensor> sd = new LinkedHashMap<>(m.stateDict());
                    for (String k : strings(c.getAsJsonArray("drop"))) sd.remove(k);
                    for (String k : strings(c.getAsJsonArray("add"))) sd.put(k, Tensor.zeros(2));
                    for (String k : strings(c.getAsJsonArray("resize"))) {
                        long[] s = sd.get(k).shape();
                        long[] bigger = s.length == 0 ? new long[] {1, 1} : Arrays.stream(s).map(v -> v + 1).toArray();
                        sd.put(k, Tensor.zeros(bigger));
                    }
                    assertEquals(strings(c.getAsJsonArray("keys_loaded")), new ArrayList<>(sd.keySet()), "the loaded dict");
                    boolean strict = c.get("strict").getAsBoolean();
                    if (c.get("error").isJsonNull()) {
                        Module.IncompatibleKeys keys = m.loadStateDict(sd, strict);
                        assertEquals(strings(c.getAsJsonArray("missing")), keys.missingKeys(), "missing");
                        assertEquals(strings(c.getAsJsonArray("unexpected")), keys.unexpectedKeys(), "unexpected");
                    } else {
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(sd, strict));
                        assertEquals(c.getAsJsonObject("error").get("message").getAsString(), e.getMessage());
                    }
                }));
    }

    // ------------------------------------------------------------------------------------------------ init

    private static double[] stats(Tensor t) {
        double[] v = t.toDoubleArray();
        double sum = 0, max = 0;
        for (double d : v) {
            sum += d;
            max = Math.max(max, Math.abs(d));
        }
        double mean = sum / v.length, ss = 0;
        for (double d : v) ss += (d - mean) * (d - mean);
        return new double[] {mean, Math.sqrt(ss / (v.length - 1)), max, v.length};
    }

    @TestFactory
    Stream<DynamicTest> initRules() {
        Generator g = new Generator(1234);
        return objects(ROOT.getAsJsonObject("init").getAsJsonArray("rules")).stream().map(c -> DynamicTest.dynamicTest(
                c.get("fn").getAsString() + " " + c.getAsJsonArray("shape") + " " + c.getAsJsonObject("kwargs"), () -> {
                    Tensor t = Tensor.zeros(longs(c.getAsJsonArray("shape")));
                    assertArrayEquals(new long[] {c.get("fan_in").getAsLong(), c.get("fan_out").getAsLong()},
                            Init.fanInAndFanOut(t), "fans");
                    JsonObject kw = c.getAsJsonObject("kwargs");
                    double a = num(kw, "a", 0);
                    String mode = str(kw, "mode", "fan_in"), nl = str(kw, "nonlinearity", "leaky_relu");
                    Tensor r = switch (c.get("fn").getAsString()) {
                        case "xavier_uniform_" -> Init.xavierUniform_(t, num(kw, "gain", 1.0), g);
                        case "xavier_normal_" -> Init.xavierNormal_(t, num(kw, "gain", 1.0), g);
                        case "kaiming_uniform_" -> Init.kaimingUniform_(t, a, mode, nl, g);
                        case "kaiming_normal_" -> Init.kaimingNormal_(t, a, mode, nl, g);
                        case "uniform_" -> Init.uniform_(t, num(kw, "a", 0), num(kw, "b", 1), g);
                        case "normal_" -> Init.normal_(t, num(kw, "mean", 0), num(kw, "std", 1), g);
                        default -> throw new IllegalArgumentException(c.get("fn").getAsString());
                    };
                    assertSame(t, r);
                    double value = c.get("value").getAsDouble();
                    double[] s = stats(t);
                    double n = s[3];
                    if (c.get("kind").getAsString().equals("uniform")) {
                        assertTrue(s[2] <= value * (1 + 1e-6), "max |w| " + s[2] + " within bound " + value);
                        assertTrue(s[2] >= 0.99 * value, "max |w| " + s[2] + " reaches bound " + value);
                        double std = value / Math.sqrt(3);
                        assertEquals(std, s[1], 0.02 * std, "std of U(-b, b)");
                        assertEquals(0, s[0], 5 * std / Math.sqrt(n), "mean");
                    } else {
                        assertEquals(value, s[1], 0.02 * value, "std");
                        assertEquals(0, s[0], 5 * value / Math.sqrt(n), "mean");
                    }
                }));
    }

    @Test
    void gains() {
        for (JsonObject c : objects(ROOT.getAsJsonObject("init").getAsJsonArray("gains"))) {
            String nl = c.get("nonlinearity").getAsString();
            Double p = c.get("param").isJsonNull() ? null : c.get("param").getAsDouble();
            assertEquals(c.get("gain").getAsDouble(), Init.calculateGain(nl, p), 1e-15, nl + " " + p);
            if (p == null) assertEquals(c.get("gain").getAsDouble(), Init.calculateGain(nl), 1e-15, nl);
        }
    }

    @Test
    void linearDefaultInitBounds() {
        for (JsonObject c : objects(ROOT.getAsJsonObject("init").getAsJsonArray("linear"))) {
            Linear lin = new Linear(c.get("in").getAsLong(), c.get("out").getAsLong(), true, new Generator(7));
            double[] w = stats(lin.weight()), b = stats(lin.bias());
            double wb = c.get("weight_bound").getAsDouble(), bb = c.get("bias_bound").getAsDouble();
            assertTrue(w[2] <= wb * (1 + 1e-6), "weight within 1/sqrt(fan_in)");
            assertTrue(b[2] <= bb * (1 + 1e-6), "bias within 1/sqrt(fan_in)");
            if (w[3] >= 1000) {
                assertTrue(w[2] >= 0.99 * wb, "weight reaches its bound");
                assertEquals(wb / Math.sqrt(3), w[1], 0.03 * wb / Math.sqrt(3), "weight std");
            }
            if (b[3] >= 100) assertTrue(b[2] >= 0.9 * bb, "bias reaches its bound");
        }
    }

    // ------------------------------------------------------------------------------------------------ errors

    /** A module whose registrations can be attempted from outside (the methods are protected). */
    private static final class Open extends Linear {
        Open() {
            super(2, 2);
        }

        void tryParameter(String name) {
            registerParameter(name, null);
        }

        void tryBuffer(String name) {
            registerBuffer(name, null);
        }

        void tryModule(String name) {
            registerModule(name, null);
        }
    }

    private static Map<String, Executable> javaScenarios() {
        Map<String, Executable> s = new LinkedHashMap<>();
        Tensor x = Tensor.randn(3, 5);
        s.put("ce_target_oob", () -> Functional.crossEntropy(x, Tensor.of(new long[] {1, 2, 5})));
        s.put("ce_target_negative", () -> Functional.crossEntropy(x, Tensor.of(new long[] {1, -1, 2})));
        s.put("nll_target_oob", () -> Functional.nllLoss(x, Tensor.of(new long[] {1, 2, 7})));
        s.put("nll_target_oob_3d", () -> Functional.nllLoss(Tensor.randn(2, 5, 3), Tensor.full(DType.INT64, 7, 2, 3)));
        s.put("nll_target_oob_1d", () -> Functional.nllLoss(Tensor.randn(5), Tensor.full(DType.INT64, 7)));
        s.put("ce_batch_mismatch", () -> Functional.crossEntropy(x, Tensor.of(new long[] {1, 2})));
        s.put("ce_float_target", () -> Functional.crossEntropy(x, Tensor.of(new float[] {1, 2, 0})));
        s.put("ce_bool_target", () -> Functional.crossEntropy(x, Tensor.of(new boolean[] {true, false, true})));
        s.put("ce_2d_target", () -> Functional.crossEntropy(x, Tensor.zeros(DType.INT64, 3, 2)));
        s.put("ce_3d_target_shape", () -> Functional.crossEntropy(Tensor.randn(2, 5, 4), Tensor.zeros(DType.INT64, 2, 3)));
        s.put("ce_3d_target_rank", () -> Functional.crossEntropy(Tensor.randn(2, 5, 4), Tensor.zeros(DType.INT64, 2, 4, 1)));
        s.put("ce_1d_input_1d_target", () -> Functional.crossEntropy(Tensor.randn(5), Tensor.of(new long[] {2})));
        s.put("ce_weight_size", () -> Functional.crossEntropy(x, Tensor.of(new long[] {1, 2, 0}), Tensor.ones(4), -100, "mean", 0));
        s.put("ce_weight_size_3d", () -> Functional.crossEntropy(Tensor.randn(2, 3, 4), Tensor.zeros(DType.INT64, 2, 4),
                Tensor.ones(4), -100, "mean", 0));
        s.put("ce_bad_reduction", () -> Functional.crossEntropy(x, Tensor.of(new long[] {1, 2, 0}), "avg"));
        s.put("ce_prob_ignore_index", () -> Functional.crossEntropy(x, Tensor.rand(3, 5), null, 1, "mean", 0));
        s.put("ce_prob_long_target", () -> Functional.crossEntropy(Tensor.randn(4), Tensor.of(new long[] {0, 1, 0, 0})));
        s.put("ce_prob_weight_size", () -> Functional.crossEntropy(x, Tensor.rand(3, 5), Tensor.ones(4), -100, "mean", 0));
        s.put("ce_label_smoothing_range", () -> Functional.crossEntropy(x, Tensor.of(new long[] {1, 2, 0}), null, -100, "mean", 1.5));
        s.put("ce_0d_input", () -> Functional.crossEntropy(Tensor.scalar(1), Tensor.of(new long[] {0})));
        s.put("nll_0d_input", () -> Functional.nllLoss(Tensor.scalar(1), Tensor.zeros(DType.INT64)));
        s.put("nll_0d_target_2d_input", () -> Functional.nllLoss(Tensor.randn(2, 5), Tensor.ones(DType.INT64)));
        s.put("nll_4d_target_rank", () -> Functional.nllLoss(Tensor.randn(2, 5, 3, 4), Tensor.zeros(DType.INT64, 2, 3)));
        s.put("nll_4d_target_shape", () -> Functional.nllLoss(Tensor.randn(2, 5, 3, 4), Tensor.zeros(DType.INT64, 2, 3, 3)));
        s.put("bce_out_of_range", () -> Functional.binaryCrossEntropy(Tensor.of(new float[] {0.5f, 1.5f}), Tensor.of(new float[] {0, 1})));
        s.put("bce_nan_input", () -> Functional.binaryCrossEntropy(Tensor.of(new float[] {0.5f, Float.NaN}), Tensor.of(new float[] {0, 1})));
        s.put("bce_target_size", () -> Functional.binaryCrossEntropy(Tensor.rand(3, 1), Tensor.rand(3)));
        s.put("bce_weight_size", () -> Functional.binaryCrossEntropy(Tensor.rand(3), Tensor.rand(3), Tensor.rand(2), "mean"));
        s.put("bce_logits_target_size", () -> Functional.binaryCrossEntropyWithLogits(Tensor.rand(3, 1), Tensor.rand(3)));
        s.put("mse_bad_reduction", () -> Functional.mseLoss(Tensor.rand(3), Tensor.rand(3), "avg"));
        s.put("mse_shapes", () -> Functional.mseLoss(Tensor.rand(3), Tensor.rand(4)));
        s.put("smooth_l1_negative_beta", () -> Functional.smoothL1Loss(Tensor.rand(3), Tensor.rand(3), "mean", -1.0));
        s.put("huber_zero_delta", () -> Functional.huberLoss(Tensor.rand(3), Tensor.rand(3), "mean", 0.0));
        s.put("dropout_p_range", () -> Functional.dropout(Tensor.rand(3), 1.5));
        s.put("dropout_module_p_range", () -> new Dropout(-0.1));
        s.put("layernorm_input_shape", () -> new LayerNorm(4).forward(Tensor.rand(2, 3)));
        s.put("layernorm_input_shape_2d", () -> new LayerNorm(3, 4).forward(Tensor.rand(2, 4, 3)));
        s.put("layernorm_weight_shape", () -> Functional.layerNorm(Tensor.rand(2, 3), new long[] {3}, Tensor.ones(4), null));
        s.put("batchnorm_one_value", () -> new BatchNorm1d(3).forward(Tensor.rand(1, 3)));
        s.put("batchnorm_one_value_3d", () -> new BatchNorm1d(3).forward(Tensor.rand(1, 3, 1)));
        s.put("batchnorm_4d", () -> new BatchNorm1d(3).forward(Tensor.rand(2, 3, 2, 2)));
        s.put("batchnorm_1d", () -> new BatchNorm1d(3).forward(Tensor.rand(3)));
        s.put("batchnorm_channels", () -> new BatchNorm1d(3).forward(Tensor.rand(2, 4)));
        s.put("batchnorm_channels_notrack", () -> new BatchNorm1d(3, 1e-5, 0.1, true, false).forward(Tensor.rand(2, 4)));
        s.put("embedding_oob", () -> new Embedding(3, 2).forward(Tensor.of(new long[] {3})));
        s.put("embedding_negative", () -> new Embedding(3, 2).forward(Tensor.of(new long[] {-1})));
        s.put("embedding_float_indices", () -> new Embedding(3, 2).forward(Tensor.of(new float[] {1})));
        s.put("embedding_padding_range", () -> new Embedding(3, 2, 3L, null));
        s.put("linear_shapes", () -> new Linear(3, 2).forward(Tensor.rand(4, 2)));
        s.put("module_to_int", () -> new Linear(3, 2).to(DType.INT64));
        s.put("init_kaiming_mode", () -> Init.kaimingUniform_(Tensor.zeros(3, 2), 0, "fan", "leaky_relu"));
        s.put("init_kaiming_1d", () -> Init.kaimingUniform_(Tensor.zeros(3)));
        s.put("init_kaiming_normal_1d", () -> Init.kaimingNormal_(Tensor.zeros(3)));
        s.put("init_xavier_1d", () -> Init.xavierUniform_(Tensor.zeros(3)));
        s.put("init_xavier_normal_1d", () -> Init.xavierNormal_(Tensor.zeros(3)));
        s.put("init_gain_unknown", () -> Init.calculateGain("foo"));
        s.put("init_kaiming_nonlinearity", () -> Init.kaimingNormal_(Tensor.zeros(3, 2), 0, "fan_in", "bar"));
        s.put("gelu_approximate", () -> new GELU("fast").forward(Tensor.rand(2)));
        s.put("register_parameter_dot", () -> new Open().tryParameter("a.b"));
        s.put("register_parameter_empty", () -> new Open().tryParameter(""));
        s.put("register_parameter_taken", () -> new Open().tryBuffer("weight"));
        s.put("register_buffer_dot", () -> new Open().tryBuffer("a.b"));
        s.put("register_buffer_empty", () -> new Open().tryBuffer(""));
        s.put("register_module_dot", () -> new Open().tryModule("a.b"));
        s.put("register_module_empty", () -> new Open().tryModule(""));
        s.put("register_module_taken", () -> new Open().tryModule("bias"));
        s.put("get_submodule_missing", () -> new Sequential(new Linear(2, 2)).getSubmodule("3"));
        s.put("get_parameter_missing", () -> new Sequential(new Linear(2, 2)).getParameter("0.gamma"));
        return s;
    }

    /** Index values out of range: IndexOutOfBoundsException; bad dims (an IndexError in Python too), shapes, dtypes, options: IllegalArgumentException. */
    private static Class<? extends Throwable> javaType(String pythonType, String message) {
        return pythonType.equals("IndexError") && !message.startsWith("Dimension out of range")
                ? IndexOutOfBoundsException.class : IllegalArgumentException.class;
    }

    @TestFactory
    Stream<DynamicTest> errors() {
        Map<String, Executable> scenarios = javaScenarios();
        List<JsonObject> golden = objects(ROOT.getAsJsonArray("errors"));
        assertEquals(golden.stream().map(c -> c.get("id").getAsString()).toList(), new ArrayList<>(scenarios.keySet()),
                "every torch scenario has its Java twin");
        return golden.stream().map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> {
            Throwable e = assertThrows(javaType(c.get("type").getAsString(), c.get("message").getAsString()), scenarios.get(c.get("id").getAsString()));
            assertEquals(c.get("message").getAsString(), e.getMessage());
        }));
    }
}
