package dev.vectorgrad.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link TensorFormatter} against PyTorch 1.13's {@code str(tensor)}. The golden cases come from
 * {@code src/test/resources/golden/printing/gen_printing.py}; the hand-written expectations below were
 * also printed by PyTorch.
 */
class TensorFormatterTest {

    private static final String GOLDEN = "/golden/printing/printing.json";

    /** One golden case as written by gen_printing.py; {@code values} are the generator's strings. */
    private record GoldenCase(String name, long[] shape, String dtype, List<String> values, List<String> suffixes,
                              String expected) {

        static GoldenCase from(JsonObject json) {
            long[] shape = json.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
            List<String> values = json.getAsJsonArray("values").asList().stream().map(JsonElement::getAsString).toList();
            List<String> suffixes = json.getAsJsonArray("suffixes").asList().stream().map(JsonElement::getAsString).toList();
            return new GoldenCase(json.get("name").getAsString(), shape, json.get("dtype").getAsString(), values,
                    suffixes, json.get("expected").getAsString());
        }

        /** Python's repr(float) round-trips exactly through parseDouble, except for the non-finite spellings. */
        private static double parsePythonFloat(String repr) {
            return switch (repr) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(repr);
            };
        }

        /** repr(bool) as the 0 / 1 that {@link TensorFormatter#formatBool} takes. */
        private static long parsePythonBool(String repr) {
            return switch (repr) {
                case "True" -> 1;
                case "False" -> 0;
                default -> throw new AssertionError("golden data: not a bool: " + repr);
            };
        }

        double[] doubleValues() {
            return values.stream().mapToDouble(GoldenCase::parsePythonFloat).toArray();
        }

        long[] longValues() {
            return switch (dtype) {
                case "int64" -> values.stream().mapToLong(Long::parseLong).toArray();
                case "bool" -> values.stream().mapToLong(GoldenCase::parsePythonBool).toArray();
                default -> throw new AssertionError("not an integer dtype: " + dtype);
            };
        }

        String displayName() {
            return name + " " + java.util.Arrays.toString(shape) + " " + dtype;
        }
    }

    private static List<GoldenCase> goldenCases() throws IOException {
        try (InputStream in = TensorFormatterTest.class.getResourceAsStream(GOLDEN)) {
            assertNotNull(in, "missing test resource " + GOLDEN + " (run gen_printing.py)");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
                List<GoldenCase> cases = new ArrayList<>();
                for (JsonElement element : root.getAsJsonArray("cases")) cases.add(GoldenCase.from(element.getAsJsonObject()));
                return cases;
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        List<GoldenCase> cases = goldenCases();
        Map<String, Long> perDtype = cases.stream().collect(Collectors.groupingBy(GoldenCase::dtype, Collectors.counting()));
        assertEquals(Set.of("float32", "float64", "int64", "bool"), perDtype.keySet(), "dtypes of the golden cases");
        assertTrue(perDtype.get("float32") + perDtype.get("float64") >= 40, "expected at least 40 float cases: " + perDtype);
        assertTrue(perDtype.get("int64") >= 40, "expected at least 40 int64 cases: " + perDtype);
        assertTrue(perDtype.get("bool") >= 25, "expected at least 25 bool cases: " + perDtype);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> check(c)));
    }

    private static void check(GoldenCase c) {
        long numel = 1;
        for (long size : c.shape()) numel *= size;
        assertEquals(numel, c.values().size(), "golden data: value count does not match the shape");
        Set<Long> read = new HashSet<>();
        String actual = switch (c.dtype()) {
            case "float32", "float64" -> {
                double[] values = c.doubleValues();
                boolean float64 = c.dtype().equals("float64");
                if (!float64) {
                    for (double v : values) {
                        assertTrue(Double.isNaN(v) || (double) (float) v == v, "golden data: float32 value is not a float: " + v);
                    }
                }
                yield TensorFormatter.format(i -> {
                    read.add(i);
                    return values[Math.toIntExact(i)];
                }, c.shape(), float64, c.suffixes());
            }
            case "int64", "bool" -> {
                long[] values = c.longValues();
                TensorFormatter.LongValues access = i -> {
                    read.add(i);
                    return values[Math.toIntExact(i)];
                };
                yield c.dtype().equals("int64")
                        ? TensorFormatter.formatInt64(access, c.shape(), c.suffixes())
                        : TensorFormatter.formatBool(access, c.shape(), c.suffixes());
            }
            default -> throw new AssertionError("golden data: unknown dtype " + c.dtype());
        };
        assertEquals(c.expected(), actual);

        // A summarised tensor must be formatted from its printed edges only (at most 6 per dimension).
        long printed = 1;
        for (long size : c.shape()) printed *= numel > 1000 ? Math.min(size, 6) : size;
        assertEquals(printed, read.size(), "number of distinct elements read");
    }

    // ---- hand-written specification cases (expected strings printed by PyTorch 1.13) ----

    private static String format(double[] values, long[] shape, boolean float64, String... suffixes) {
        return TensorFormatter.format(i -> values[Math.toIntExact(i)], shape, float64, List.of(suffixes));
    }

    @Test
    void twoByTwoOfQuarters() {
        assertEquals("tensor([[0.2500, 0.2500],\n        [0.2500, 0.2500]])",
                format(new double[] {0.25, 0.25, 0.25, 0.25}, new long[] {2, 2}, false));
    }

    @Test
    void zeroDimWithGradFn() {
        assertEquals("tensor(0.2500, grad_fn=<MeanBackward0>)",
                format(new double[] {0.25}, new long[] {}, false, "grad_fn=<MeanBackward0>"));
    }

    @Test
    void zeroDimFloat64() {
        assertEquals("tensor(0.2500, dtype=torch.float64)", format(new double[] {0.25}, new long[] {}, true));
    }

    @Test
    void roundsTiesHalfEvenOnTheBinaryValue() {
        // 0.03125 and 1.03125 are exact binary ties at 4 decimals: Python rounds them to even (String.format would not).
        assertEquals("tensor([0.0312, 0.0938, 1.0312])",
                format(new double[] {0.03125, 0.09375, 1.03125}, new long[] {3}, false));
        // 2.5e-5 and 0.00005 look like ties in decimal but are not in binary.
        assertEquals("tensor([2.5000e-05, 1.0000e+00])", format(new double[] {2.5e-5, 1.0}, new long[] {2}, false));
        assertEquals("tensor(5.0000e-05)", format(new double[] {0.00005}, new long[] {}, false));
    }

    @Test
    void float32ValuesPrintTheirOwnDigits() {
        // 1.00005 as float32 is 1.0000499486923218, as float64 1.0000500000000001.
        assertEquals("tensor([1.0000])", format(new double[] {1.00005f}, new long[] {1}, false));
        assertEquals("tensor([1.0001], dtype=torch.float64)", format(new double[] {1.00005}, new long[] {1}, true));
    }

    @Test
    void signedZerosAndNonFinite() {
        assertEquals("tensor([-0., 0.])", format(new double[] {-0.0, 0.0}, new long[] {2}, false));
        assertEquals("tensor([-0.0000e+00, 1.0000e-05])", format(new double[] {-0.0, 1e-5}, new long[] {2}, false));
        assertEquals("tensor(nan)", format(new double[] {Double.NaN}, new long[] {}, false));
    }

    @Test
    void emptyTensors() {
        assertEquals("tensor([])", format(new double[0], new long[] {0}, false));
        assertEquals("tensor([], size=(0, 3))", format(new double[0], new long[] {0, 3}, false));
    }

    @Test
    void hugeTensorReadsOnlyItsEdges() {
        // PyTorch: str(torch.tensor(0.5).expand(10**12))
        long n = 1_000_000_000_000L;
        String actual = TensorFormatter.format(i -> {
            if (i >= 3 && i < n - 3) throw new AssertionError("read hidden element " + i);
            return 0.5;
        }, new long[] {n}, false, List.of());
        assertEquals("tensor([0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000])", actual);
    }

    // ---- int64 and bool (expected strings printed by PyTorch 1.13) ----

    private static String formatInt64(long[] values, long[] shape, String... suffixes) {
        return TensorFormatter.formatInt64(i -> values[Math.toIntExact(i)], shape, List.of(suffixes));
    }

    private static String formatBool(boolean[] values, long[] shape, String... suffixes) {
        return TensorFormatter.formatBool(i -> values[Math.toIntExact(i)] ? 1 : 0, shape, List.of(suffixes));
    }

    @Test
    void int64Basics() {
        assertEquals("tensor([1, 2, 3])", formatInt64(new long[] {1, 2, 3}, new long[] {3}));
        assertEquals("tensor(5)", formatInt64(new long[] {5}, new long[] {}));
        assertEquals("tensor([  -1,   20, -300,    0])", formatInt64(new long[] {-1, 20, -300, 0}, new long[] {4}));
    }

    @Test
    void int64ValuesBeyondDoublePrecisionPrintExactly() {
        // str(torch.tensor([2**62 + 1, -2**63]))
        assertEquals("tensor([ 4611686018427387905, -9223372036854775808])",
                formatInt64(new long[] {(1L << 62) + 1, Long.MIN_VALUE}, new long[] {2}));
    }

    @Test
    void boolBasics() {
        assertEquals("tensor([ True, False])", formatBool(new boolean[] {true, false}, new long[] {2}));
        assertEquals("tensor(True)", formatBool(new boolean[] {true}, new long[] {}));
        assertEquals("tensor([[ True],\n        [False]])", formatBool(new boolean[] {true, false}, new long[] {2, 1}));
    }

    @Test
    void emptyInt64AndBoolShowTheirDtype() {
        assertEquals("tensor([], size=(0, 3), dtype=torch.int64)", formatInt64(new long[0], new long[] {0, 3}));
        assertEquals("tensor([], dtype=torch.bool)", formatBool(new boolean[0], new long[] {0}));
    }

    @Test
    void hugeInt64AndBoolTensorsReadOnlyTheirEdges() {
        // PyTorch: str(torch.tensor(7).expand(10**12)), str(torch.tensor(True).expand(10**12)),
        // str(torch.tensor(-5).expand(3, 10**6))
        long n = 1_000_000_000_000L;
        TensorFormatter.LongValues sevens = i -> {
            if (i >= 3 && i < n - 3) throw new AssertionError("read hidden element " + i);
            return 7;
        };
        assertEquals("tensor([7, 7, 7,  ..., 7, 7, 7])", TensorFormatter.formatInt64(sevens, new long[] {n}, List.of()));
        TensorFormatter.LongValues trues = i -> {
            if (i >= 3 && i < n - 3) throw new AssertionError("read hidden element " + i);
            return 1;
        };
        assertEquals("tensor([True, True, True,  ..., True, True, True])",
                TensorFormatter.formatBool(trues, new long[] {n}, List.of()));
        long m = 1_000_000;
        TensorFormatter.LongValues minusFives = i -> {
            long column = i % m;
            if (column >= 3 && column < m - 3) throw new AssertionError("read hidden element " + i);
            return -5;
        };
        assertEquals("tensor([[-5, -5, -5,  ..., -5, -5, -5],\n        [-5, -5, -5,  ..., -5, -5, -5],\n"
                        + "        [-5, -5, -5,  ..., -5, -5, -5]])",
                TensorFormatter.formatInt64(minusFives, new long[] {3, m}, List.of()));
    }

    @Test
    void boolRejectsValuesOtherThanZeroAndOne() {
        assertThrows(IllegalArgumentException.class,
                () -> TensorFormatter.formatBool(i -> 2, new long[] {2}, List.of()));
    }
}
