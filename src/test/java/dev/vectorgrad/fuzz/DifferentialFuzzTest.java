package dev.vectorgrad.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.vectorgrad.DType;
import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.RemovableHandle;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.ValuesIndices;
import dev.vectorgrad.nn.Functional;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential fuzzing against PyTorch 1.13 (issue 11): random programs written and run by real torch
 * ({@code golden/fuzz/gen_fuzz.py}), replayed here step by step through the public Java API.
 *
 * <p>Each program is a list of steps over named tensors: creations (literals, {@code zeros}, {@code arange},
 * seeded {@code randn} ...), unary, broadcasting binary (float32 / float64 / int64 / bool mixes, Python float and int
 * scalars) and reducing ops over random dims, views and indexing, in-place ops on leaves, views and results, steps
 * under {@code no_grad}, {@code requires_grad_}, {@code retain_grad}, {@code register_hook} (hooks that scale, add to
 * or record the gradient, on leaves, results and views) and their removal, repeated {@code backward} with and without
 * {@code retain_graph}, {@code grad.zero_()} and {@code str(t)}. After every step the replay must reproduce what torch
 * reported: the result's values, shape, dtype, {@code requires_grad}, {@code is_leaf}, {@code grad_fn} name,
 * {@code _version}, a view's strides and offset, whether the argument itself was returned; the printed text; the
 * exception (its class where the API promises one, and a message containing torch's first sentence) where torch
 * raised; after each backward the {@code grad} of every tensor (present exactly where torch has one) and the gradients
 * each recording hook saw; at the end every tensor again (writes through views show in their bases).
 *
 * <p>Float values are compared bit for bit where the generator found them determined by IEEE arithmetic alone, and
 * otherwise within the tolerance it recorded: {@code ulps * ulp(expected) + atol}, with atol measured on torch's own
 * float32 error and on how 8-ulp perturbations propagate through that very program (see the generator's header).
 *
 * <p>The committed corpus (5,000 programs) is replayed in blocks of 50; a block fails with one line per failing
 * program naming its seed and step. {@code -Dfuzz.corpus=path} replays another corpus (the long profile:
 * {@code gen_fuzz.py --count 100000 --seed N --out target/fuzz.jsonl.gz}), {@code -Dfuzz.program=seed} a single
 * program.
 */
class DifferentialFuzzTest {

  private static final String CORPUS = "/golden/fuzz/corpus.jsonl.gz";
  private static final int BLOCK = 50;

  // ------------------------------------------------------------------------------------------------ the corpus

  /** The programs of the corpus (the header line left out), filtered to -Dfuzz.program when set. */
  static List<JsonObject> programs() throws IOException {
    String path = System.getProperty("fuzz.corpus");
    String only = System.getProperty("fuzz.program");
    List<JsonObject> out = new ArrayList<>();
    try (InputStream raw = path != null && !path.isBlank()
            ? Files.newInputStream(Path.of(path))
            : DifferentialFuzzTest.class.getResourceAsStream(CORPUS)) {
      if (raw == null) throw new IOException("missing test resource " + CORPUS + " (run gen_fuzz.py)");
      BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw, 1 << 16),
          StandardCharsets.UTF_8));
      String line;
      boolean header = true;
      while ((line = in.readLine()) != null) {
        if (header) {
          header = false;
          continue;
        }
        JsonObject program = JsonParser.parseString(line).getAsJsonObject();
        if (only == null || only.isBlank() || program.get("seed").getAsString().equals(only.trim())) {
          out.add(program);
        }
      }
    }
    return out;
  }

  @Test
  void theCommittedCorpusHoldsAtLeast5000Programs() throws IOException {
    if (System.getProperty("fuzz.corpus") != null || System.getProperty("fuzz.program") != null) return;
    int n = programs().size();
    assertTrue(n >= 5000, "the committed corpus should hold at least 5,000 programs, holds " + n);
  }

  /** One test per block of 50 programs; a failing block names each failing program's seed and step. */
  @TestFactory
  Stream<DynamicTest> replaysLikePyTorch() throws IOException {
    List<JsonObject> programs = programs();
    assertTrue(!programs.isEmpty(), "no programs to replay");
    List<DynamicTest> tests = new ArrayList<>();
    for (int from = 0; from < programs.size(); from += BLOCK) {
      List<JsonObject> block = programs.subList(from, Math.min(programs.size(), from + BLOCK));
      String name = "programs " + from + ".." + (from + block.size() - 1) + " (seeds "
          + block.get(0).get("seed") + ".." + block.get(block.size() - 1).get("seed") + ")";
      tests.add(DynamicTest.dynamicTest(name, () -> replayBlock(block)));
    }
    return tests.stream();
  }

  private static void replayBlock(List<JsonObject> block) {
    List<String> failures = new ArrayList<>();
    for (JsonObject program : block) {
      String failure = replayCatching(program);
      if (failure != null) failures.add(failure);
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + block.size() + " programs differ from PyTorch:\n" + String.join("\n", failures));
    }
  }

  /** Replays one program in its own scope; null if it matches torch, else one line naming the seed and step. */
  static String replayCatching(JsonObject program) {
    Replay replay = new Replay(program);
    try (TensorScope scope = TensorScope.open()) {
      replay.run();
      return null;
    } catch (Throwable e) {
      String message = String.valueOf(e.getMessage()).replace("\n", "\n      ");
      return "  program " + program.get("seed") + ", step " + replay.stepIndex + " (" + replay.describe() + "): "
          + (e instanceof AssertionError ? "" : e.getClass().getSimpleName() + ": ") + message;
    }
  }

  // ------------------------------------------------------------------------------------------------ the replay

  /** The state of one program's replay. */
  static final class Replay {
    final JsonObject program;
    final Map<String, Tensor> env = new LinkedHashMap<>();
    // the values (and their tol) each name was last checked against
    final Map<String, JsonObject> recorded = new LinkedHashMap<>();
    final Map<String, RemovableHandle> handles = new LinkedHashMap<>();
    // per recording hook: the gradients it saw during the last backward (copies kept in the program's scope)
    final Map<String, List<Tensor>> seen = new LinkedHashMap<>();
    int stepIndex = -1;
    JsonObject step;

    Replay(JsonObject program) {
      this.program = program;
    }

    String describe() {
      if (step == null) return "final snapshot";
      StringBuilder params = new StringBuilder();
      for (String k : step.keySet()) {
        if (List.of("op", "args", "out", "outs", "expect", "error", "grads", "values", "gradient").contains(k)) continue;
        params.append(", ").append(k).append('=').append(step.get(k));
      }
      String lhs = step.has("out") ? step.get("out").getAsString() + " = "
          : step.has("outs") ? strings(step.getAsJsonArray("outs")) + " = " : "";
      return lhs + step.get("op").getAsString() + "(" + String.join(", ", strings(step.getAsJsonArray("args")))
          + params + ")";
    }

    void run() {
      JsonArray steps = program.getAsJsonArray("steps");
      for (stepIndex = 0; stepIndex < steps.size(); stepIndex++) {
        step = steps.get(stepIndex).getAsJsonObject();
        runStep(step);
      }
      step = null;
      if (program.has("final")) {
        for (Map.Entry<String, JsonElement> e : program.getAsJsonObject("final").entrySet()) {
          String name = e.getKey();
          Expect.snapshot(e.getValue().getAsJsonObject(), env.get(name), recorded.get(name),
              "after the last step, " + name);
        }
      }
    }

    private void runStep(JsonObject s) {
      String op = s.get("op").getAsString();
      boolean noGrad = s.has("no_grad") && s.get("no_grad").getAsBoolean();
      if (s.has("error")) {
        Expect.raisesLikeTorch(s.getAsJsonObject("error"), () -> apply(s, op, noGrad));
        return;
      }
      Object result = apply(s, op, noGrad);
      switch (op) {
        case "lit" -> {
          env.put(s.get("out").getAsString(), (Tensor) result);
          JsonObject values = new JsonObject();
          values.add("v", s.getAsJsonArray("values"));
          recorded.put(s.get("out").getAsString(), values);
        }
        case "str" -> {
          String expected = s.getAsJsonObject("expect").get("str").getAsString();
          String actual = env.get(arg(s, 0)).toString();
          if (!expected.equals(actual)) {
            fail("str(" + arg(s, 0) + ") is\n" + actual + "\n      torch prints\n" + expected);
          }
        }
        case "backward" -> {
          checkGrads(s.getAsJsonObject("grads"));
          if (s.has("hooks")) checkHooks(s.getAsJsonObject("hooks"));
        }
        case "retain_grad", "grad_zero_", "hook", "hook_remove" -> { }
        default -> checkResult(s, op, result);
      }
    }

    private Object apply(JsonObject s, String op, boolean noGrad) {
      if (!noGrad) return Ops.apply(s, op, this);
      try (GradMode.Guard guard = GradMode.noGrad()) {
        return Ops.apply(s, op, this);
      }
    }

    @SuppressWarnings("unchecked")
    private void checkResult(JsonObject s, String op, Object result) {
      if (s.has("outs")) {
        List<Tensor> parts = (List<Tensor>) result;
        JsonArray expects = s.getAsJsonArray("expect");
        JsonArray outs = s.getAsJsonArray("outs");
        if (parts.size() != outs.size()) {
          fail("returns " + parts.size() + " tensors, torch " + outs.size());
        }
        for (int i = 0; i < parts.size(); i++) {
          String name = outs.get(i).getAsString();
          JsonObject expect = expects.get(i).getAsJsonObject();
          Expect.snapshot(expect, parts.get(i), null, name);
          env.put(name, parts.get(i));
          recorded.put(name, expect);
        }
        return;
      }
      String name = s.get("out").getAsString();
      Tensor t = (Tensor) result;
      JsonObject expect = s.getAsJsonObject("expect");
      if (expect.has("same")) {
        Tensor self = env.get(expect.get("same").getAsString());
        if (t != self) fail("torch returns " + expect.get("same").getAsString() + " itself, Java a new tensor");
      } else {
        for (JsonElement a : s.getAsJsonArray("args")) {
          if (env.get(a.getAsString()) == t) fail("torch returns a new tensor, Java returns " + a.getAsString());
        }
      }
      Expect.snapshot(expect, t, null, name);
      env.put(name, t);
      recorded.put(name, expect);
    }

    /** After a backward: exactly the names torch has a grad for have one, with torch's values. */
    private void checkGrads(JsonObject grads) {
      for (Map.Entry<String, Tensor> e : env.entrySet()) {
        Tensor grad = e.getValue().grad();
        JsonElement expected = grads.get(e.getKey());
        if (expected == null) {
          if (grad != null) fail(e.getKey() + ".grad() should be null, as torch's is None; it is " + grad);
        } else {
          if (grad == null) fail(e.getKey() + ".grad() should be set, torch has " + expected);
          Expect.values(expected.getAsJsonObject(), grad, null, e.getKey() + ".grad()");
        }
      }
    }

    /** After a backward: each recording hook saw as many gradients as torch's, with torch's values. */
    private void checkHooks(JsonObject hooks) {
      for (Map.Entry<String, JsonElement> e : hooks.entrySet()) {
        List<JsonElement> expected = e.getValue().getAsJsonArray().asList();
        List<Tensor> actual = seen.getOrDefault(e.getKey(), List.of());
        if (actual.size() != expected.size()) {
          fail("hook " + e.getKey() + " ran " + actual.size() + " times in this backward, torch's " + expected.size());
        }
        for (int i = 0; i < expected.size(); i++) {
          Expect.values(expected.get(i).getAsJsonObject(), actual.get(i), null,
              "the gradient hook " + e.getKey() + " saw (" + i + ")");
        }
      }
    }

    /** The hook of a "hook" step: gen_fuzz.py's make_hook. */
    java.util.function.UnaryOperator<Tensor> hook(JsonObject s) {
      double c = s.has("value") ? s.get("value").getAsDouble() : 0;
      return switch (s.get("kind").getAsString()) {
        case "scale" -> g -> g.mul(c);
        case "add" -> g -> g.add(c);
        case "record" -> {
          List<Tensor> list = seen.computeIfAbsent(s.get("handle").getAsString(), k -> new ArrayList<>());
          yield g -> {
            list.add(g.clone().keep());
            return null;
          };
        }
        default -> throw new AssertionError("unknown hook kind " + s.get("kind"));
      };
    }

    Tensor tensor(String name) {
      Tensor t = env.get(name);
      if (t == null) throw new IllegalStateException("the corpus names an unknown tensor " + name);
      return t;
    }
  }

  static String arg(JsonObject s, int i) {
    return s.getAsJsonArray("args").get(i).getAsString();
  }

  static List<String> strings(JsonArray a) {
    return a.asList().stream().map(JsonElement::getAsString).toList();
  }

  static long[] longs(JsonArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
    return out;
  }

  static int[] ints(JsonArray a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
    return out;
  }

  static DType dtype(String torchName) {
    return switch (torchName) {
      case "float32" -> DType.FLOAT32;
      case "float64" -> DType.FLOAT64;
      case "int64" -> DType.INT64;
      case "bool" -> DType.BOOL;
      default -> throw new IllegalArgumentException("unknown dtype " + torchName);
    };
  }

  /** A tensor holding exactly the given values (a literal of the program, or an upstream gradient). */
  static Tensor literal(DType dtype, long[] shape, JsonArray values) {
    if (shape.length == 0) {  // 0-dim: through full(), whose value is a double (exact for every value used)
      return Tensor.full(dtype, switch (dtype) {
        case FLOAT32 -> Expect.float32(values.get(0));
        case FLOAT64 -> values.get(0).getAsDouble();
        case INT64 -> values.get(0).getAsLong();
        case BOOL -> values.get(0).getAsBoolean() ? 1 : 0;
      });
    }
    int n = values.size();
    return switch (dtype) {
      case FLOAT32 -> {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) Expect.float32(values.get(i));
        yield Tensor.of(f, shape);
      }
      case FLOAT64 -> {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = values.get(i).getAsDouble();
        yield Tensor.of(d, shape);
      }
      case INT64 -> Tensor.of(longs(values), shape);
      case BOOL -> {
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) b[i] = values.get(i).getAsBoolean();
        yield Tensor.of(b, shape);
      }
    };
  }

  // ------------------------------------------------------------------------------------------------ the calls

  /** Each step's Java call: the torch call of gen_fuzz.py's run_op, spelled the Java way. */
  static final class Ops {
    private Ops() {}

    static Object apply(JsonObject s, String op, Replay r) {
      List<String> names = strings(s.getAsJsonArray("args"));
      Tensor[] a = names.stream().map(r::tensor).toArray(Tensor[]::new);
      Tensor x = a.length > 0 ? a[0] : null;
      return switch (op) {
        // creation
        case "lit" -> {
          Tensor t = literal(dtype(str(s, "dtype")), longs(s.getAsJsonArray("shape")), s.getAsJsonArray("values"));
          yield bool(s, "rg") ? t.requiresGrad_(true) : t;
        }
        case "zeros" -> Tensor.zeros(dtype(str(s, "dtype")), shape(s));
        case "ones" -> Tensor.ones(dtype(str(s, "dtype")), shape(s));
        case "full" -> Tensor.full(dtype(str(s, "dtype")), dbl(s, "value"), shape(s));
        case "scalar" -> Tensor.scalar(dbl(s, "value"));
        case "arange" -> Tensor.arange(lng(s, "start"), lng(s, "end"), lng(s, "step"));
        case "arange_float" -> Tensor.arange(dbl(s, "start"), dbl(s, "end"), dbl(s, "step"));
        case "randn" -> Tensor.randn(new Generator(lng(s, "seed")), shape(s));
        case "rand" -> Tensor.rand(new Generator(lng(s, "seed")), shape(s));
        case "randint" -> Tensor.randint(new Generator(lng(s, "seed")), lng(s, "low"), lng(s, "high"), shape(s));
        case "randperm" -> Tensor.randperm(lng(s, "n"), new Generator(lng(s, "seed")));
        // unary
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
        case "neg" -> x.neg();
        case "logical_not" -> x.logicalNot();
        case "nan_to_num" -> x.nanToNum(dbl(s, "nan"), dbl(s, "posinf"), dbl(s, "neginf"));
        case "clamp" -> x.clamp(dbl(s, "min"), dbl(s, "max"));
        case "clamp_min" -> x.clampMin(dbl(s, "min"));
        case "clamp_max" -> x.clampMax(dbl(s, "max"));
        case "leaky_relu" -> Functional.leakyRelu(x, dbl(s, "slope"));
        case "hardtanh" -> Functional.hardtanh(x, dbl(s, "min"), dbl(s, "max"));
        case "elu" -> Functional.elu(x, dbl(s, "alpha"));
        case "gelu" -> Functional.gelu(x, str(s, "approximate"));
        case "silu" -> Functional.silu(x);
        case "mish" -> Functional.mish(x);
        case "softplus" -> Functional.softplus(x, dbl(s, "beta"), dbl(s, "threshold"));
        // binary: tensor op tensor (broadcasting, promotion)
        case "add" -> x.add(a[1]);
        case "sub" -> x.sub(a[1]);
        case "mul" -> x.mul(a[1]);
        case "div" -> x.div(a[1]);
        case "pow" -> x.pow(a[1]);
        case "maximum" -> x.maximum(a[1]);
        case "minimum" -> x.minimum(a[1]);
        case "atan2" -> x.atan2(a[1]);
        case "fmod" -> x.fmod(a[1]);
        case "remainder" -> x.remainder(a[1]);
        case "eq" -> x.eq(a[1]);
        case "ne" -> x.ne(a[1]);
        case "lt" -> x.lt(a[1]);
        case "le" -> x.le(a[1]);
        case "gt" -> x.gt(a[1]);
        case "ge" -> x.ge(a[1]);
        case "logical_and" -> x.logicalAnd(a[1]);
        case "logical_or" -> x.logicalOr(a[1]);
        case "logical_xor" -> x.logicalXor(a[1]);
        // tensor op Python float (a Java double) / Python int (a Java long)
        case "add_scalar" -> x.add(dbl(s, "value"));
        case "sub_scalar" -> x.sub(dbl(s, "value"));
        case "mul_scalar" -> x.mul(dbl(s, "value"));
        case "div_scalar" -> x.div(dbl(s, "value"));
        case "pow_scalar" -> x.pow(dbl(s, "value"));
        case "fmod_scalar" -> x.fmod(dbl(s, "value"));
        case "remainder_scalar" -> x.remainder(dbl(s, "value"));
        case "eq_scalar" -> x.eq(dbl(s, "value"));
        case "ne_scalar" -> x.ne(dbl(s, "value"));
        case "lt_scalar" -> x.lt(dbl(s, "value"));
        case "le_scalar" -> x.le(dbl(s, "value"));
        case "gt_scalar" -> x.gt(dbl(s, "value"));
        case "ge_scalar" -> x.ge(dbl(s, "value"));
        case "add_int" -> x.add(lng(s, "int"));
        case "sub_int" -> x.sub(lng(s, "int"));
        case "mul_int" -> x.mul(lng(s, "int"));
        case "div_int" -> x.div(lng(s, "int"));
        case "pow_base" -> Tensor.pow(dbl(s, "base"), x);
        case "where" -> Tensor.where(a[0], a[1], a[2]);
        case "lerp" -> x.lerp(a[1], dbl(s, "weight"));
        case "addcmul" -> x.addcmul(a[1], a[2], dbl(s, "value"));
        case "addcdiv" -> x.addcdiv(a[1], a[2], dbl(s, "value"));
        // reductions
        case "sum" -> x.sum();
        case "mean" -> x.mean();
        case "max" -> x.max();
        case "min" -> x.min();
        case "argmax" -> x.argmax();
        case "argmin" -> x.argmin();
        case "prod" -> x.prod();
        case "var" -> x.var();
        case "std" -> x.std();
        case "norm" -> x.norm();
        case "all" -> x.all();
        case "any" -> x.any();
        case "count_nonzero" -> x.countNonzero();
        case "sum_dims" -> x.sum(dims(s), bool(s, "keepdim"));
        case "mean_dims" -> x.mean(dims(s), bool(s, "keepdim"));
        case "amax" -> x.amax(dims(s), bool(s, "keepdim"));
        case "amin" -> x.amin(dims(s), bool(s, "keepdim"));
        case "max_dim" -> pair(x.max(integer(s, "dim"), bool(s, "keepdim")));
        case "min_dim" -> pair(x.min(integer(s, "dim"), bool(s, "keepdim")));
        case "argmax_dim" -> x.argmax(integer(s, "dim"), bool(s, "keepdim"));
        case "argmin_dim" -> x.argmin(integer(s, "dim"), bool(s, "keepdim"));
        case "var_dims" -> x.var(dims(s), lng(s, "correction"), bool(s, "keepdim"));
        case "std_dims" -> x.std(dims(s), lng(s, "correction"), bool(s, "keepdim"));
        case "logsumexp" -> x.logsumexp(dims(s), bool(s, "keepdim"));
        case "norm_p" -> x.norm(dbl(s, "p"), dims(s), bool(s, "keepdim"));
        case "cumsum" -> x.cumsum(integer(s, "dim"));
        case "count_nonzero_dims" -> x.countNonzero(dims(s));
        case "softmax" -> x.softmax(integer(s, "dim"));
        case "log_softmax" -> x.logSoftmax(integer(s, "dim"));
        // matrix products
        case "matmul" -> x.matmul(a[1]);
        case "mm" -> x.mm(a[1]);
        case "bmm" -> x.bmm(a[1]);
        case "mv" -> x.mv(a[1]);
        case "dot" -> x.dot(a[1]);
        case "outer" -> x.outer(a[1]);
        // views and shape ops
        case "view" -> x.view(shape(s));
        case "reshape" -> x.reshape(shape(s));
        case "flatten" -> x.flatten(integer(s, "start"), integer(s, "end"));
        case "unflatten" -> x.unflatten(integer(s, "dim"), longs(s.getAsJsonArray("sizes")));
        case "transpose" -> x.transpose(integer(s, "dim0"), integer(s, "dim1"));
        case "t" -> x.t();
        case "mT" -> x.mT();
        case "permute" -> x.permute(dims(s));
        case "expand" -> x.expand(shape(s));
        case "expand_as" -> x.expandAs(a[1]);
        case "squeeze" -> x.squeeze();
        case "squeeze_dim" -> x.squeeze(integer(s, "dim"));
        case "unsqueeze" -> x.unsqueeze(integer(s, "dim"));
        case "narrow" -> x.narrow(integer(s, "dim"), lng(s, "start"), lng(s, "length"));
        case "select" -> x.select(integer(s, "dim"), lng(s, "index"));
        case "slice" -> x.slice(integer(s, "dim"), lng(s, "start"), lng(s, "end"), lng(s, "step"));
        case "split" -> x.split(lng(s, "size"), integer(s, "dim"));
        case "chunk" -> x.chunk(integer(s, "chunks"), integer(s, "dim"));
        case "unbind" -> x.unbind(integer(s, "dim"));
        case "contiguous" -> x.contiguous();
        case "clone" -> x.clone();
        case "detach" -> x.detach();
        case "to" -> x.to(dtype(str(s, "dtype")));
        case "cat" -> Tensor.cat(integer(s, "dim"), a);
        case "stack" -> Tensor.stack(integer(s, "dim"), a);
        // indexing
        case "index_select" -> x.indexSelect(integer(s, "dim"), a[1]);
        case "gather" -> x.gather(integer(s, "dim"), a[1]);
        case "scatter_add" -> x.scatterAdd(integer(s, "dim"), a[1], a[2]);
        case "masked_fill" -> x.maskedFill(a[1], dbl(s, "value"));
        case "masked_select" -> x.maskedSelect(a[1]);
        case "nonzero" -> x.nonzero();
        case "one_hot" -> x.oneHot(lng(s, "num_classes"));
        // in place
        case "add_" -> x.add_(a[1]);
        case "sub_" -> x.sub_(a[1]);
        case "mul_" -> x.mul_(a[1]);
        case "div_" -> x.div_(a[1]);
        case "copy_" -> x.copy_(a[1]);
        case "add_scalar_" -> x.add_(dbl(s, "value"));
        case "sub_scalar_" -> x.sub_(dbl(s, "value"));
        case "mul_scalar_" -> x.mul_(dbl(s, "value"));
        case "div_scalar_" -> x.div_(dbl(s, "value"));
        case "zero_" -> x.zero_();
        case "fill_" -> x.fill_(dbl(s, "value"));
        case "clamp_" -> x.clamp_(dbl(s, "min"), dbl(s, "max"));
        case "exp_" -> x.exp_();
        case "relu_" -> x.relu_();
        case "sigmoid_" -> x.sigmoid_();
        case "tanh_" -> x.tanh_();
        case "masked_fill_" -> x.maskedFill_(a[1], dbl(s, "value"));
        case "scatter_add_" -> x.scatterAdd_(integer(s, "dim"), a[1], a[2]);
        // autograd
        case "requires_grad_" -> x.requiresGrad_(bool(s, "flag"));
        case "retain_grad" -> {
          x.retainGrad();
          yield null;
        }
        case "grad_zero_" -> {
          if (x.grad() != null) x.grad().zero_();
          yield null;
        }
        case "hook" -> {
          r.handles.put(str(s, "handle"), x.registerHook(r.hook(s)));
          yield null;
        }
        case "hook_remove" -> {
          r.handles.get(str(s, "handle")).remove();
          yield null;
        }
        case "backward" -> {
          r.seen.values().forEach(List::clear);
          Tensor gradient = null;
          if (s.has("gradient") && !s.get("gradient").isJsonNull()) {
            JsonObject g = s.getAsJsonObject("gradient");
            gradient = literal(dtype(str(g, "dtype")), longs(g.getAsJsonArray("shape")), g.getAsJsonArray("values"));
          }
          x.backward(gradient, bool(s, "retain_graph"));
          yield null;
        }
        case "str" -> null;
        default -> throw new AssertionError("unknown op in the corpus: " + op);
      };
    }

    private static List<Tensor> pair(ValuesIndices vi) {
      return List.of(vi.values(), vi.indices());
    }

    private static String str(JsonObject s, String k) {
      return s.get(k).getAsString();
    }

    private static boolean bool(JsonObject s, String k) {
      return s.get(k).getAsBoolean();
    }

    private static double dbl(JsonObject s, String k) {
      return s.get(k).getAsDouble();
    }

    private static long lng(JsonObject s, String k) {
      return s.get(k).getAsLong();
    }

    private static int integer(JsonObject s, String k) {
      return s.get(k).getAsInt();
    }

    private static long[] shape(JsonObject s) {
      return longs(s.getAsJsonArray("shape"));
    }

    private static int[] dims(JsonObject s) {
      return ints(s.getAsJsonArray("dims"));
    }
  }

  // ------------------------------------------------------------------------------------------------ asserting

  /** Comparisons against torch's snapshots. */
  static final class Expect {
    private Expect() {}

    /** A float32 value of the corpus: its shortest decimal text, parsed as a float (exact). */
    static double float32(JsonElement e) {
      if (e.getAsJsonPrimitive().isString()) return Double.parseDouble(e.getAsString());  // NaN, +-Infinity
      return Float.parseFloat(e.getAsString());
    }

    static void snapshot(JsonObject expect, Tensor t, JsonObject recordedValues, String what) {
      if (t == null) fail(what + ": no such tensor in the replay");
      if (expect.has("rg")) {
        if (expect.get("rg").getAsBoolean() != t.requiresGrad()) {
          fail(what + ": requiresGrad() is " + t.requiresGrad() + ", torch has " + expect.get("rg"));
        }
        if (expect.get("leaf").getAsBoolean() != t.isLeaf()) {
          fail(what + ": isLeaf() is " + t.isLeaf() + ", torch has " + expect.get("leaf"));
        }
        String fn = expect.get("fn").isJsonNull() ? null : expect.get("fn").getAsString();
        String actual = t.gradFn() == null ? null : t.gradFn().name();
        if (fn == null ? actual != null : !fn.equals(actual)) {
          fail(what + ": gradFn() is " + actual + ", torch has " + fn);
        }
      }
      // no "ver" where torch's _version is an implementation detail (one_hot is zeros().scatter_() in torch)
      if (expect.has("ver") && expect.get("ver").getAsLong() != t.version()) {
        fail(what + ": version() is " + t.version() + ", torch's _version is " + expect.get("ver"));
      }
      if (expect.has("lay") && t.numel() > 0) {
        // the stride of a dim of size 1 reaches no other element: only the strides of longer dims are compared
        JsonArray lay = expect.getAsJsonArray("lay");
        long[] stride = longs(lay.get(0).getAsJsonArray());
        long[] actual = t.stride().clone();
        for (int i = 0; i < stride.length && i < actual.length; i++) {
          if (t.shape()[i] <= 1) actual[i] = stride[i];
        }
        if (!Arrays.equals(stride, actual) || lay.get(1).getAsLong() != t.storageOffset()
            || lay.get(2).getAsBoolean() != t.isContiguous()) {
          fail(what + ": a view with stride " + Arrays.toString(t.stride()) + ", offset " + t.storageOffset()
              + ", contiguous " + t.isContiguous() + "; torch has " + lay);
        }
      }
      values(expect, t, recordedValues, what);
    }

    /** Shape, dtype and values: int64 and bool exactly, floats bit for bit or within the recorded tol. */
    static void values(JsonObject expect, Tensor t, JsonObject recordedValues, String what) {
      long[] shape = longs(expect.getAsJsonArray("s"));
      if (!Arrays.equals(shape, t.shape())) {
        fail(what + ": shape " + Arrays.toString(t.shape()) + ", torch has " + Arrays.toString(shape));
      }
      DType dtype = dtype(expect.get("d").getAsString());
      if (dtype != t.dtype()) fail(what + ": dtype " + t.dtype() + ", torch has " + dtype);
      // a snapshot without values: unchanged since they were recorded, with their tol
      JsonObject source = expect.has("v") || recordedValues == null ? expect : recordedValues;
      if (!source.has("v")) return;
      JsonArray v = source.getAsJsonArray("v");
      JsonArray tol = source.has("tol") ? source.getAsJsonArray("tol") : null;
      boolean zeroSign = !source.has("z0");
      int n = v.size();
      switch (dtype) {
        case INT64 -> {
          long[] actual = t.toLongArray();
          for (int i = 0; i < n; i++) {
            if (actual[i] != v.get(i).getAsLong()) mismatch(what, i, v, Arrays.toString(actual), null);
          }
        }
        case BOOL -> {
          boolean[] actual = t.toBooleanArray();
          for (int i = 0; i < n; i++) {
            if (actual[i] != v.get(i).getAsBoolean()) mismatch(what, i, v, Arrays.toString(actual), null);
          }
        }
        case FLOAT32, FLOAT64 -> {
          double[] actual;
          if (dtype == DType.FLOAT64) {
            actual = t.toDoubleArray();
          } else {
            float[] f = t.toFloatArray();
            actual = new double[f.length];
            for (int i = 0; i < f.length; i++) actual[i] = f[i];
          }
          for (int i = 0; i < n; i++) {
            double e = dtype == DType.FLOAT32 ? float32(v.get(i)) : v.get(i).getAsDouble();
            if (!close(e, actual[i], dtype, tol, zeroSign)) mismatch(what, i, v, Arrays.toString(actual), tol);
          }
        }
      }
    }

    /**
     * Bit for bit without tol (a zero's sign included where {@code zeroSign}: not for a reduction's zero); else within
     * ulps * ulp(expected) + atol.
     */
    static boolean close(double expected, double actual, DType dtype, JsonArray tol, boolean zeroSign) {
      if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
      if (tol == null) {
        return Double.doubleToLongBits(expected) == Double.doubleToLongBits(actual) || (!zeroSign && expected == actual);
      }
      if (expected == actual) return true;
      if (Double.isInfinite(expected) || Double.isInfinite(actual)) return false;
      double ulp = dtype == DType.FLOAT32 ? Math.ulp((float) expected) : Math.ulp(expected);
      return Math.abs(expected - actual) <= tol.get(0).getAsDouble() * ulp + tol.get(1).getAsDouble();
    }

    private static void mismatch(String what, int i, JsonArray expected, String actual, JsonArray tol) {
      fail(what + ": element " + i + " differs (" + (tol == null ? "exact" : "tol " + tol) + ")\n      torch "
          + expected + "\n      java  " + actual);
    }

    static void raisesLikeTorch(JsonObject error, Runnable call) {
      String message = error.get("message").getAsString();
      String fragment = error.get("fragment").getAsString();
      String javaType = error.get("java").getAsString();
      try {
        call.run();
      } catch (RuntimeException e) {
        if (!javaType.equals("RuntimeException") && !e.getClass().getSimpleName().equals(javaType)) {
          fail("throws " + e + "; the API promises " + javaType + " (torch: " + message + ")");
        }
        if (e.getMessage() == null || !e.getMessage().contains(fragment)) {
          fail("the message should contain torch's\n      \"" + fragment + "\"\n      but is\n      \""
              + e.getMessage() + "\"");
        }
        return;
      }
      fail("returns normally; torch raises " + error.get("type").getAsString() + ": " + message);
    }
  }
}
