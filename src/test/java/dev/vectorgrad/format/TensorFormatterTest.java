package dev.vectorgrad.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.Set;
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

    /** One golden case as written by gen_printing.py. */
    private record GoldenCase(String name, long[] shape, boolean float64, double[] values, List<String> suffixes,
                              String expected) {

        static GoldenCase from(JsonObject json) {
            long[] shape = json.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
            double[] values = json.getAsJsonArray("values").asList().stream()
                    .mapToDouble(v -> parsePythonFloat(v.getAsString())).toArray();
            List<String> suffixes = json.getAsJsonArray("suffixes").asList().stream().map(JsonElement::getAsString).toList();
            return new GoldenCase(json.get("name").getAsString(), shape, json.get("dtype").getAsString().equals("float64"),
                    values, suffixes, json.get("expected").getAsString());
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

        String displayName() {
            return name + " " + java.util.Arrays.toString(shape) + (float64 ? " float64" : " float32");
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
        assertTrue(cases.size() >= 40, "expected at least 40 golden cases, found " + cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> check(c)));
    }

    private static void check(GoldenCase c) {
        long numel = 1;
        for (long size : c.shape()) numel *= size;
        assertEquals(numel, c.values().length, "golden data: value count does not match the shape");
        if (!c.float64()) {
            for (double v : c.values()) {
                assertTrue(Double.isNaN(v) || (double) (float) v == v, "golden data: float32 value is not a float: " + v);
            }
        }
        Set<Long> read = new HashSet<>();
        String actual = TensorFormatter.format(i -> {
            read.add(i);
            return c.values()[Math.toIntExact(i)];
        }, c.shape(), c.float64(), c.suffixes());
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
}
