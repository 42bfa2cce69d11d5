package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;

/**
 * The pieces of a PyTorch golden program that the golden tests of views ({@link PyTorchGoldenViewsTest}) and math
 * ({@link PyTorchGoldenMathTest}) share: the recorded tensors, layouts, snapshots, errors, inputs and backward calls
 * as their generators write them, and making the Java tensors they describe. Each test keeps its own steps,
 * tolerances and op dispatch.
 */
final class GoldenProgram {
    private GoldenProgram() {}

    /** Values of a tensor as torch had them: row-major, exact (JSON numbers, integers or booleans by dtype). */
    record TensorSpec(long[] shape, DType dtype, JsonArray values) {

        static TensorSpec from(JsonObject json) {
            return new TensorSpec(longsOf(json.getAsJsonArray("shape")), dtypeNamed(json.get("dtype").getAsString()),
                    json.has("values") ? json.getAsJsonArray("values") : null);
        }

        static TensorSpec fromNullable(JsonElement json) {
            return json == null || json.isJsonNull() ? null : from(json.getAsJsonObject());
        }

        TensorSpec withValues(JsonArray recorded) {
            return new TensorSpec(shape, dtype, recorded);
        }

        /** Float values; NaN and infinities are the strings "NaN", "Infinity", "-Infinity", which parse as such. */
        double[] doubles() {
            return values.asList().stream().mapToDouble(JsonElement::getAsDouble).toArray();
        }

        long[] longs() {
            return longsOf(values);
        }

        boolean[] booleans() {
            boolean[] b = new boolean[values.size()];
            for (int i = 0; i < b.length; i++) b[i] = values.get(i).getAsBoolean();
            return b;
        }

        @Override
        public String toString() {
            return dtype + Arrays.toString(shape) + " " + values;
        }
    }

    /** The layout torch reported: compared for views (and contiguity for copies torch made contiguous). */
    record Layout(boolean isView, long[] stride, long storageOffset, boolean isContiguous) {

        static Layout from(JsonObject json) {
            return new Layout(json.get("is_view").getAsBoolean(), longsOf(json.getAsJsonArray("stride")),
                    json.get("storage_offset").getAsLong(), json.get("is_contiguous").getAsBoolean());
        }
    }

    /** What torch reported about a tensor; {@code sameAs} names the argument torch returned itself, if it did. */
    record Snapshot(TensorSpec tensor, boolean requiresGrad, boolean isLeaf, String gradFn, long version, Layout layout,
                    String sameAs) {

        static Snapshot from(JsonObject json) {
            JsonElement gradFn = json.get("grad_fn");
            return new Snapshot(TensorSpec.from(json), json.get("requires_grad").getAsBoolean(),
                    json.get("is_leaf").getAsBoolean(), gradFn.isJsonNull() ? null : gradFn.getAsString(),
                    json.get("version").getAsLong(), Layout.from(json),
                    json.has("same_as") ? json.get("same_as").getAsString() : null);
        }

        Snapshot withValues(JsonArray recorded) {
            return new Snapshot(tensor.withValues(recorded), requiresGrad, isLeaf, gradFn, version, layout, sameAs);
        }
    }

    /** What torch raised, and what the Java API promises instead. */
    record TorchError(String torchType, String message, String fragment, String javaType) {

        static TorchError fromNullable(JsonElement json) {
            if (json == null || json.isJsonNull()) return null;
            JsonObject o = json.getAsJsonObject();
            return new TorchError(o.get("torch_type").getAsString(), o.get("message").getAsString(),
                    o.get("fragment").getAsString(), o.get("java_type").getAsString());
        }
    }

    /** A leaf: {@code tensor(values, dtype).requires_grad_(requiresGrad)}. */
    record Input(String name, TensorSpec tensor, boolean requiresGrad) {

        static Input from(JsonObject json) {
            return new Input(json.get("name").getAsString(), TensorSpec.from(json),
                    json.get("requires_grad").getAsBoolean());
        }
    }

    /** {@code of.backward(gradient, retain_graph)}; a null gradient is the implicit one. */
    record Backward(String of, TensorSpec gradient, boolean retainGraph, TorchError error) {

        static Backward from(JsonObject json) {
            return new Backward(json.get("of").getAsString(), TensorSpec.fromNullable(json.get("gradient")),
                    json.get("retain_graph").getAsBoolean(), TorchError.fromNullable(json.get("error")));
        }

        @Override
        public String toString() {
            return of + ".backward(" + (gradient == null ? "" : "gradient") + (retainGraph ? ", retain_graph" : "") + ")";
        }
    }

    static long[] longsOf(JsonArray array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).getAsLong();  // exact over the int64 range
        return out;
    }

    static DType dtypeNamed(String torchName) {
        return switch (torchName) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "int64" -> DType.INT64;
            case "bool" -> DType.BOOL;
            default -> throw new IllegalArgumentException("unknown dtype " + torchName);
        };
    }

    /** A tensor with exactly the spec's values, shape and dtype, not requiring grad. */
    static Tensor tensorFrom(TensorSpec spec) {
        if (spec.shape().length == 0) {  // 0-dim: through full(), whose value is a double
            double value = switch (spec.dtype()) {
                case FLOAT32, FLOAT64 -> spec.doubles()[0];
                case INT64 -> {
                    long v = spec.longs()[0];
                    assertEquals(v, (long) (double) v, "a 0-dim int64 input must be exact as a double");
                    yield v;
                }
                case BOOL -> spec.booleans()[0] ? 1 : 0;
            };
            return Tensor.full(spec.dtype(), value);
        }
        return switch (spec.dtype()) {
            case FLOAT32 -> {
                double[] d = spec.doubles();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) f[i] = (float) d[i];  // exact: torch's float32 values
                yield Tensor.of(f, spec.shape());
            }
            case FLOAT64 -> Tensor.of(spec.doubles(), spec.shape());
            case INT64 -> Tensor.of(spec.longs(), spec.shape());
            case BOOL -> Tensor.of(spec.booleans(), spec.shape());
        };
    }

    static Tensor leafFrom(Input input) {
        Tensor t = tensorFrom(input.tensor());
        return input.requiresGrad() ? t.requiresGrad_(true) : t;
    }

    /** The values as stored: float32 ones through toFloatArray(), widened exactly. */
    static double[] floatValuesOf(Tensor t) {
        if (t.dtype() == DType.FLOAT64) return t.toDoubleArray();
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
