package dev.vectorgrad;

import static dev.vectorgrad.GoldenProgram.TensorSpec;
import static dev.vectorgrad.GoldenProgram.TorchError;
import static dev.vectorgrad.GoldenProgram.floatValuesOf;
import static dev.vectorgrad.GoldenProgram.longsOf;
import static dev.vectorgrad.GoldenProgram.tensorFrom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Tensor#registerHook} against PyTorch 1.13's {@code register_hook}: the programs of
 * {@code golden/hooks/hooks.json} (written by {@code gen_hooks.py}, whose header describes the format), replayed step
 * by step. After every backward, failed or not, the {@code grad()} of every tensor and every gradient each recording
 * hook saw must be torch's; where torch raises, the same exception class and message (a hook's own exception reaches
 * the caller unchanged).
 */
class PyTorchGoldenHooksTest {

  private static final String GOLDEN = "/golden/hooks/hooks.json";

  private static List<JsonObject> cases() throws IOException {
    try (InputStream in = PyTorchGoldenHooksTest.class.getResourceAsStream(GOLDEN)) {
      assertNotNull(in, "missing test resource " + GOLDEN + " (run gen_hooks.py)");
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        List<JsonObject> cases = new ArrayList<>();
        for (JsonElement e : JsonParser.parseReader(reader).getAsJsonObject().getAsJsonArray("cases")) {
          cases.add(e.getAsJsonObject());
        }
        return cases;
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> matchesPyTorch() throws IOException {
    return cases().stream().map(c -> DynamicTest.dynamicTest(
        c.get("id").getAsString() + " — " + c.get("description").getAsString(), () -> {
          try (TensorScope scope = TensorScope.open()) {
            new Replay(c).run();
          }
        }));
  }

  @Test
  void theGoldenFileCoversEveryHookKindAndError() throws IOException {
    Set<String> kinds = new HashSet<>();
    Set<String> errors = new HashSet<>();
    for (JsonObject c : cases()) {
      for (JsonElement e : c.getAsJsonArray("steps")) {
        JsonObject s = e.getAsJsonObject();
        if (s.get("op").getAsString().equals("hook")) kinds.add(s.get("kind").getAsString());
        if (s.has("error")) errors.add(s.getAsJsonObject("error").get("fragment").getAsString().split(" ")[0]);
      }
    }
    assertEquals(Set.of("scale", "add", "record", "record_scale", "keep", "remove", "register", "throw_once",
        "wrong_shape", "wrong_dtype", "grad_mode"), kinds);
    assertTrue(errors.containsAll(List.of("cannot", "hook", "boom")), errors.toString());
  }

  /** One case's program and its state: tensors, handles, recorded gradients. */
  private static final class Replay {
    final JsonObject c;
    final Map<String, Tensor> env = new LinkedHashMap<>();
    final Map<String, RemovableHandle> handles = new LinkedHashMap<>();
    final Map<String, List<Tensor>> records = new LinkedHashMap<>();
    final Set<String> thrown = new HashSet<>();
    final double rtol;

    Replay(JsonObject c) {
      this.c = c;
      boolean float32 = c.toString().contains("\"float32\"");
      this.rtol = c.get("exact").getAsBoolean() ? 0 : float32 ? 1e-6 : 1e-12;
    }

    void run() {
      for (JsonElement e : c.getAsJsonArray("steps")) {
        JsonObject s = e.getAsJsonObject();
        String where = "at " + s;
        if (s.has("error")) {
          TorchError expected = TorchError.fromNullable(s.get("error"));
          RuntimeException thrownByJava = assertThrows(RuntimeException.class, () -> step(s),
              where + ": torch raises " + expected.message());
          if (s.has("hook_raised")) {
            assertEquals(HookFailure.class, thrownByJava.getClass(), where + ": the hook's own exception");
            assertEquals(expected.message(), thrownByJava.getMessage());
          } else {
            assertInstanceOf(IllegalStateException.class, thrownByJava, where);
            assertEquals(expected.message(), thrownByJava.getMessage(), where);
          }
        } else {
          step(s);
        }
        if (s.get("op").getAsString().equals("backward")) checkAfterBackward(s, where);
      }
    }

    private void step(JsonObject s) {
      if (s.has("no_grad") && s.get("no_grad").getAsBoolean()) {
        try (var guard = GradMode.noGrad()) {
          apply(s);
        }
      } else {
        apply(s);
      }
    }

    private void apply(JsonObject s) {
      String op = s.get("op").getAsString();
      Tensor x = s.has("args") && !s.getAsJsonArray("args").isEmpty() ? arg(s, 0) : null;
      Tensor out = switch (op) {
        case "leaf" -> {
          Tensor t = tensorFrom(TensorSpec.from(s));
          yield s.get("rg").getAsBoolean() ? t.requiresGrad_(true) : t;
        }
        case "mul" -> x.mul(arg(s, 1));
        case "add" -> x.add(arg(s, 1));
        case "mul_scalar" -> x.mul(value(s));
        case "add_scalar" -> x.add(value(s));
        case "exp" -> x.exp();
        case "sum" -> x.sum();
        case "slice" -> x.slice(s.get("dim").getAsInt(), s.get("start").getAsLong(), s.get("end").getAsLong(), 1);
        case "view" -> x.view(longsOf(s.getAsJsonArray("shape")));
        case "mul_" -> x.mul_(value(s));
        case "add_" -> x.add_(arg(s, 1));
        case "retain_grad" -> {
          x.retainGrad();
          yield null;
        }
        case "requires_grad_" -> {
          x.requiresGrad_(s.get("flag").getAsBoolean());
          yield null;
        }
        case "hook" -> {
          handles.put(s.get("handle").getAsString(), x.registerHook(hook(s)));
          yield null;
        }
        case "remove" -> {
          handles.get(s.get("handle").getAsString()).remove();
          yield null;
        }
        case "zero_grad" -> {
          x.setGrad(null);
          yield null;
        }
        case "backward" -> {
          Tensor gradient = s.get("gradient").isJsonNull() ? null
              : tensorFrom(TensorSpec.from(s.getAsJsonObject("gradient")));
          x.backward(gradient, s.get("retain_graph").getAsBoolean());
          yield null;
        }
        default -> throw new IllegalArgumentException("unknown op " + op);
      };
      if (s.has("out")) env.put(s.get("out").getAsString(), out);
    }

    /** The hook gen_hooks.py's Run.hook builds for this step, spelled in Java. */
    private UnaryOperator<Tensor> hook(JsonObject s) {
      String kind = s.get("kind").getAsString();
      double v = s.has("value") ? value(s) : 0;
      List<Tensor> rec = s.has("record")
          ? records.computeIfAbsent(s.get("record").getAsString(), k -> new ArrayList<>()) : null;
      String handle = s.get("handle").getAsString();
      return switch (kind) {
        case "scale" -> g -> g.mul(v);
        case "add" -> g -> g.add(v);
        case "record" -> g -> {
          rec.add(g.clone().keep());
          return null;
        };
        case "record_scale" -> g -> {
          rec.add(g.clone().keep());
          return g.mul(v);
        };
        case "keep" -> g -> null;
        case "remove" -> g -> {
          handles.get(s.get("target").getAsString()).remove();
          return null;
        };
        case "register" -> g -> {
          env.get(s.get("target").getAsString()).registerHook(g2 -> g2.mul(v));
          return null;
        };
        case "throw_once" -> g -> {
          if (thrown.add(handle)) throw new HookFailure("boom");
          return null;
        };
        case "wrong_shape" -> g -> {
          long[] shape = java.util.Arrays.copyOf(g.shape(), g.dim() + 1);
          shape[g.dim()] = 2;
          return Tensor.ones(g.dtype(), shape);
        };
        case "wrong_dtype" -> g -> g.to(g.dtype() == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32);
        case "grad_mode" -> g -> {
          rec.add(Tensor.scalar(GradMode.isEnabled() ? 1.0 : 0.0).keep());
          Tensor r;
          try (var guard = GradMode.noGrad()) {
            r = g.mul(v);
          }
          rec.add(Tensor.scalar(GradMode.isEnabled() ? 1.0 : 0.0).keep());
          return r;
        };
        default -> throw new IllegalArgumentException("unknown hook kind " + kind);
      };
    }

    private void checkAfterBackward(JsonObject s, String where) {
      for (Map.Entry<String, JsonElement> e : s.getAsJsonObject("grads").entrySet()) {
        Tensor grad = env.get(e.getKey()).grad();
        if (e.getValue().isJsonNull()) {
          assertNull(grad, where + ": " + e.getKey() + ".grad() should be null, as torch's is None");
        } else {
          assertNotNull(grad, where + ": " + e.getKey() + ".grad() should be set, torch has " + e.getValue());
          assertValues(TensorSpec.from(e.getValue().getAsJsonObject()), grad, where + ": " + e.getKey() + ".grad()");
        }
      }
      JsonObject expected = s.getAsJsonObject("records");
      assertEquals(expected.keySet(), records.keySet(), where + ": recording hooks");
      for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
        List<JsonElement> seen = e.getValue().getAsJsonArray().asList();
        List<Tensor> actual = records.get(e.getKey());
        assertEquals(seen.size(), actual.size(), where + ": gradients recorded by " + e.getKey());
        for (int i = 0; i < seen.size(); i++) {
          assertValues(TensorSpec.from(seen.get(i).getAsJsonObject()), actual.get(i),
              where + ": " + e.getKey() + "[" + i + "]");
        }
      }
    }

    private void assertValues(TensorSpec expected, Tensor actual, String what) {
      assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
      assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
      double[] want = expected.doubles();
      double[] got = floatValuesOf(actual);
      for (int i = 0; i < want.length; i++) {
        if (!(want[i] == got[i] || Math.abs(want[i] - got[i]) <= rtol * Math.max(Math.abs(want[i]), 1))) {
          fail(what + ": element " + i + " is " + got[i] + ", torch has " + want[i] + "\n  expected "
              + java.util.Arrays.toString(want) + "\n  actual   " + java.util.Arrays.toString(got));
        }
      }
    }

    private Tensor arg(JsonObject s, int i) {
      return env.get(s.getAsJsonArray("args").get(i).getAsString());
    }

    private static double value(JsonObject s) {
      return s.get("value").getAsDouble();
    }
  }

  /** The exception the generator's throwing hook raises ({@code Boom} there). */
  private static final class HookFailure extends RuntimeException {
    HookFailure(String message) {
      super(message);
    }
  }
}
