package dev.vectorgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
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
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * SGD, Adam, AdamW, RMSprop and the schedulers against PyTorch 1.13 ({@code /golden/optim/optim.json},
 * written by {@code gen_optim.py} beside it with real torch, {@code foreach=False}).
 *
 * <p>Optimizers: each case starts from the same explicit parameters (sizes 1, 7, 33, 1025: vector
 * loops with tails), and is fed at each of 100 steps explicit gradients (a parameter without a
 * gradient at a step is skipped, so states start late and step counts differ between parameters),
 * with options per group and learning rates changed by hand mid-run in some cases. After the
 * first and the last step, every parameter must equal PyTorch's: bit for bit in float32 when the
 * golden's probe confirmed that this torch build rounds as the Java kernels do (fma in
 * {@code add(alpha)} and {@code addcmul}), else within 1e-6 relative (the bound); float64
 * within 1e-12 relative (bit for bit on x86-64 today, but the bias corrections use {@code Math.pow},
 * which may differ from glibc's {@code pow} by an ulp, and by more often on platforms without its
 * intrinsic). The final state dict (state tensors, step counts, groups' options) must equal
 * PyTorch's; PyTorch's state dict at step 50 loaded into a fresh Java optimizer must continue to
 * PyTorch's final parameters; and a Java state dict round trip in the middle of a run must
 * continue bit for bit.
 *
 * <p>Schedulers: learning rates (and OneCycleLR's momentum / beta1) after construction and after
 * every step, the state dict in the middle of the schedule, a resumption through the state dicts,
 * the closed forms of {@code step(epoch)}, {@code last_epoch} resumption and OneCycleLR's error
 * past its last step.
 */
class PyTorchGoldenOptimTest {
  private static final JsonObject GOLDEN = load();
  private static final int STEPS = GOLDEN.get("steps").getAsInt();
  private static final int[][] SCHEDULE = intTable(GOLDEN.getAsJsonArray("grad_schedule"));
  /** Keys of PyTorch's param groups that have no meaning here (implementation switches of torch). */
  private static final Set<String> TORCH_ONLY_KEYS = Set.of("foreach", "differentiable", "capturable", "fused");

  private static JsonObject load() {
    try (InputStream in = PyTorchGoldenOptimTest.class.getResourceAsStream("/golden/optim/optim.json")) {
      assertNotNull(in, "golden file /golden/optim/optim.json is missing");
      try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        return JsonParser.parseReader(r).getAsJsonObject();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int[][] intTable(JsonArray rows) {
    int[][] out = new int[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = rows.get(i).getAsJsonArray().asList().stream().mapToInt(JsonElement::getAsInt).toArray();
    }
    return out;
  }

  /** Whether the golden's probe found torch rounding exactly as the Java kernels do. */
  static boolean torchRoundsAsKernels() {
    JsonObject probe = GOLDEN.getAsJsonObject("rounding_probe");
    return probe.entrySet().stream().allMatch(e -> e.getValue().getAsBoolean());
  }

  // ------------------------------------------------------------------------------------------ values

  /** Exact values of a JSON list: float32 through Float.parseFloat of the shortest repr. */
  static double[] values(JsonArray a, DType dtype) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      String s = a.get(i).getAsString();
      out[i] = dtype == DType.FLOAT32 ? Float.parseFloat(s) : Double.parseDouble(s);
    }
    return out;
  }

  static Tensor tensor(double[] v, DType dtype, long... shape) {
    if (dtype == DType.FLOAT32) {
      float[] f = new float[v.length];
      for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
      return Tensor.of(f, shape);
    }
    return Tensor.of(v, shape);
  }

  static double[] valuesOf(Tensor t) {
    return t.dtype() == DType.FLOAT32 ? toDoubles(t.toFloatArray()) : t.toDoubleArray();
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  static DType dtypeNamed(String name) {
    return switch (name) {
      case "float32" -> DType.FLOAT32;
      case "float64" -> DType.FLOAT64;
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * Compares values: bit for bit when {@code exact}, else within {@code rtol * |expected|}.
   * Reports the first mismatch, the count, and the largest relative error.
   */
  static void assertClose(String what, double[] expected, double[] actual, boolean exact, double rtol) {
    assertEquals(expected.length, actual.length, what + ": length");
    int bad = 0;
    int first = -1;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      boolean ok = exact ? Double.doubleToLongBits(e) == Double.doubleToLongBits(a) || (e == 0 && a == 0)
          : Math.abs(a - e) <= rtol * Math.abs(e) || e == a;
      if (e != a) worst = Math.max(worst, Math.abs(a - e) / Math.max(Math.abs(e), Double.MIN_NORMAL));
      if (!ok) {
        bad++;
        if (first < 0) first = i;
      }
    }
    if (bad > 0) {
      fail(what + ": " + bad + " of " + expected.length + " values differ (" + (exact ? "bit-exact" : "rtol " + rtol)
          + "), first at [" + first + "]: expected " + expected[first] + " got " + actual[first]
          + "; largest relative error " + worst);
    }
  }

  // ------------------------------------------------------------------------------------------ optimizer cases

  /** A run of one golden case: parameters, bank of gradients, optimizer. */
  static final class Run {
    final JsonObject c;
    final DType dtype;
    final List<Tensor> params = new ArrayList<>();
    final List<List<Tensor>> bank = new ArrayList<>();
    Optimizer opt;

    Run(JsonObject c) {
      this.c = c;
      this.dtype = dtypeNamed(c.get("dtype").getAsString());
      JsonObject data = GOLDEN.getAsJsonObject("data").getAsJsonObject(c.get("dtype").getAsString());
      for (JsonElement init : data.getAsJsonArray("init")) {
        params.add(tensor(values(init.getAsJsonArray(), dtype), dtype).requiresGrad_(true));
      }
      for (JsonElement gs : data.getAsJsonArray("bank")) {
        List<Tensor> row = new ArrayList<>();
        for (JsonElement g : gs.getAsJsonArray()) row.add(tensor(values(g.getAsJsonArray(), dtype), dtype));
        bank.add(row);
      }
      opt = build(c, params);
    }

    /** Feeds step t's gradients (and lr changes) and steps. */
    void step(int t) {
      JsonObject changes = c.getAsJsonObject("lr_changes");
      if (changes.has(Integer.toString(t))) {
        JsonArray lrs = changes.getAsJsonArray(Integer.toString(t));
        for (int g = 0; g < lrs.size(); g++) opt.paramGroups().get(g).setLr(lrs.get(g).getAsDouble());
      }
      for (int j = 0; j < params.size(); j++) {
        int k = SCHEDULE[t][j];
        params.get(j).setGrad(k < 0 ? null : bank.get(k).get(j).clone());
      }
      opt.step();
    }

    void checkParams(String what, JsonArray expected) {
      boolean exact = dtype == DType.FLOAT32 && torchRoundsAsKernels();
      double rtol = dtype == DType.FLOAT32 ? 1e-6 : 1e-12;
      for (int j = 0; j < params.size(); j++) {
        assertClose(c.get("name").getAsString() + " " + dtype + " " + what + " param " + j,
            values(expected.get(j).getAsJsonArray(), dtype), valuesOf(params.get(j)), exact, rtol);
      }
    }
  }

  /** The optimizer of a case: first group through the constructor and fluent setters, others through addParamGroup. */
  static Optimizer build(JsonObject c, List<Tensor> params) {
    JsonArray groups = c.getAsJsonArray("groups");
    double lr = c.get("lr").getAsDouble();
    List<Tensor> first = paramsOf(groups.get(0).getAsJsonObject(), params);
    JsonObject options = c.getAsJsonObject("options");
    Optimizer opt = switch (c.get("optimizer").getAsString()) {
      case "SGD" -> {
        SGD o = new SGD(first, lr);
        if (options.has("momentum")) o.momentum(options.get("momentum").getAsDouble());
        if (options.has("dampening")) o.dampening(options.get("dampening").getAsDouble());
        if (options.has("weight_decay")) o.weightDecay(options.get("weight_decay").getAsDouble());
        if (options.has("nesterov")) o.nesterov(options.get("nesterov").getAsBoolean());
        if (options.has("maximize")) o.maximize(options.get("maximize").getAsBoolean());
        yield o;
      }
      case "Adam" -> {
        Adam o = new Adam(first, lr);
        if (options.has("betas")) o.betas(beta(options, 0), beta(options, 1));
        if (options.has("eps")) o.eps(options.get("eps").getAsDouble());
        if (options.has("weight_decay")) o.weightDecay(options.get("weight_decay").getAsDouble());
        if (options.has("amsgrad")) o.amsgrad(options.get("amsgrad").getAsBoolean());
        if (options.has("maximize")) o.maximize(options.get("maximize").getAsBoolean());
        yield o;
      }
      case "AdamW" -> {
        AdamW o = new AdamW(first, lr);
        if (options.has("betas")) o.betas(beta(options, 0), beta(options, 1));
        if (options.has("eps")) o.eps(options.get("eps").getAsDouble());
        if (options.has("weight_decay")) o.weightDecay(options.get("weight_decay").getAsDouble());
        if (options.has("amsgrad")) o.amsgrad(options.get("amsgrad").getAsBoolean());
        if (options.has("maximize")) o.maximize(options.get("maximize").getAsBoolean());
        yield o;
      }
      case "RMSprop" -> {
        RMSprop o = new RMSprop(first, lr);
        if (options.has("alpha")) o.alpha(options.get("alpha").getAsDouble());
        if (options.has("eps")) o.eps(options.get("eps").getAsDouble());
        if (options.has("weight_decay")) o.weightDecay(options.get("weight_decay").getAsDouble());
        if (options.has("momentum")) o.momentum(options.get("momentum").getAsDouble());
        if (options.has("centered")) o.centered(options.get("centered").getAsBoolean());
        if (options.has("maximize")) o.maximize(options.get("maximize").getAsBoolean());
        yield o;
      }
      default -> throw new IllegalArgumentException(c.get("optimizer").getAsString());
    };
    for (int g = 1; g < groups.size(); g++) {
      JsonObject group = groups.get(g).getAsJsonObject();
      opt.addParamGroup(paramsOf(group, params), optionMap(group.getAsJsonObject("options")));
    }
    return opt;
  }

  private static double beta(JsonObject options, int i) {
    return options.getAsJsonArray("betas").get(i).getAsDouble();
  }

  private static List<Tensor> paramsOf(JsonObject group, List<Tensor> params) {
    List<Tensor> out = new ArrayList<>();
    for (JsonElement i : group.getAsJsonArray("params")) out.add(params.get(i.getAsInt()));
    return out;
  }

  /** JSON options as group options: numbers as Double, tuples as List<Double>. */
  static Map<String, Object> optionMap(JsonObject o) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (var e : o.entrySet()) m.put(e.getKey(), plain(e.getValue(), false));
    return m;
  }

  /** A JSON value as a state-dict value: numbers Double (or Integer when asked), lists, maps, tensors. */
  static Object plain(JsonElement v, boolean intsAsIntegers) {
    if (v == null || v.isJsonNull()) return null;
    if (v.isJsonPrimitive()) {
      var p = v.getAsJsonPrimitive();
      if (p.isBoolean()) return p.getAsBoolean();
      if (p.isString()) return p.getAsString();
      String s = p.getAsString();
      boolean integral = !s.contains(".") && !s.contains("e") && !s.contains("E");
      return intsAsIntegers && integral ? (Object) p.getAsInt() : (Object) p.getAsDouble();
    }
    if (v.isJsonArray()) {
      List<Object> out = new ArrayList<>();
      for (JsonElement e : v.getAsJsonArray()) out.add(plain(e, intsAsIntegers));
      return out;
    }
    JsonObject o = v.getAsJsonObject();
    if (o.has("dtype") && o.has("values") && o.has("shape")) {
      DType d = dtypeNamed(o.get("dtype").getAsString());
      long[] shape = o.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
      double[] vals = values(o.getAsJsonArray("values"), d);
      if (shape.length == 0) return Tensor.full(d, vals[0]);
      return tensor(vals, d, shape);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (var e : o.entrySet()) m.put(e.getKey(), plain(e.getValue(), intsAsIntegers));
    return m;
  }

  /** PyTorch's state dict (JSON) as a Java StateDict. */
  static Optimizer.StateDict stateDictOf(JsonObject sd) {
    Map<Integer, Map<String, Object>> state = new LinkedHashMap<>();
    for (var e : sd.getAsJsonObject("state").entrySet()) {
      Map<String, Object> entries = new LinkedHashMap<>();
      for (var s : e.getValue().getAsJsonObject().entrySet()) entries.put(s.getKey(), plain(s.getValue(), true));
      state.put(Integer.parseInt(e.getKey()), entries);
    }
    List<Map<String, Object>> groups = new ArrayList<>();
    for (JsonElement g : sd.getAsJsonArray("param_groups")) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (var e : g.getAsJsonObject().entrySet()) {
        m.put(e.getKey(), plain(e.getValue(), e.getKey().equals("params")));
      }
      groups.add(m);
    }
    return new Optimizer.StateDict(state, groups);
  }

  static List<JsonObject> cases() {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement c : GOLDEN.getAsJsonArray("cases")) out.add(c.getAsJsonObject());
    return out;
  }

  static String label(JsonObject c) {
    return c.get("name").getAsString() + " " + c.get("dtype").getAsString();
  }

  @Test
  void goldenCoversEveryOptimizerOptionAndBothDtypes() {
    Set<String> seen = new java.util.HashSet<>();
    for (JsonObject c : cases()) {
      seen.add(c.get("optimizer").getAsString() + "/" + c.get("dtype").getAsString());
      for (String k : c.getAsJsonObject("options").keySet()) seen.add(c.get("optimizer").getAsString() + "." + k);
    }
    for (String opt : List.of("SGD", "Adam", "AdamW", "RMSprop")) {
      assertTrue(seen.contains(opt + "/float32") && seen.contains(opt + "/float64"), opt);
    }
    for (String k : List.of("SGD.momentum", "SGD.dampening", "SGD.weight_decay", "SGD.nesterov", "SGD.maximize",
        "Adam.betas", "Adam.eps", "Adam.weight_decay", "Adam.amsgrad", "Adam.maximize", "AdamW.weight_decay",
        "AdamW.amsgrad", "AdamW.maximize", "AdamW.betas", "RMSprop.alpha", "RMSprop.eps", "RMSprop.weight_decay",
        "RMSprop.momentum", "RMSprop.centered", "RMSprop.maximize")) {
      assertTrue(seen.contains(k), "no golden case sets " + k);
    }
    assertEquals(List.of(1, 7, 33, 1025), GOLDEN.getAsJsonArray("sizes").asList().stream().map(JsonElement::getAsInt).toList());
  }

  @TestFactory
  Stream<DynamicTest> hundredStepsEqualPyTorch() {
    return cases().stream().map(c -> DynamicTest.dynamicTest(label(c), () -> {
      try (TensorScope scope = TensorScope.open()) {
        Run run = new Run(c);
        for (int t = 0; t < STEPS; t++) {
          run.step(t);
          if (t == 0) run.checkParams("after step 1", c.getAsJsonArray("after_first_step"));
        }
        run.checkParams("after " + STEPS + " steps", c.getAsJsonArray("final"));
        try (Optimizer.StateDict sd = run.opt.stateDict()) {
          assertStateDictEquals(label(c), c.getAsJsonObject("state_dict"), sd, run.dtype);
        }
        run.opt.close();
      }
    }));
  }

  /** Java's state dict against PyTorch's: same parameters with state, same entries and values, same group options. */
  static void assertStateDictEquals(String what, JsonObject torch, Optimizer.StateDict sd, DType dtype) {
    boolean exact = dtype == DType.FLOAT32 && torchRoundsAsKernels();
    double rtol = dtype == DType.FLOAT32 ? 1e-6 : 1e-12;
    JsonObject state = torch.getAsJsonObject("state");
    assertEquals(state.keySet().stream().map(Integer::parseInt).collect(java.util.stream.Collectors.toSet()),
        sd.state().keySet(), what + ": parameters with state");
    for (var e : state.entrySet()) {
      Map<String, Object> mine = sd.state().get(Integer.parseInt(e.getKey()));
      JsonObject theirs = e.getValue().getAsJsonObject();
      assertEquals(theirs.keySet(), mine.keySet(), what + ": state keys of param " + e.getKey());
      for (var s : theirs.entrySet()) {
        String where = what + ": state[" + e.getKey() + "]['" + s.getKey() + "']";
        Object m = mine.get(s.getKey());
        JsonElement v = s.getValue();
        if (v.isJsonNull()) {
          assertNull(m, where);
        } else if (v.isJsonObject()) {
          JsonObject tj = v.getAsJsonObject();
          Tensor t = (Tensor) m;
          DType d = dtypeNamed(tj.get("dtype").getAsString());
          assertEquals(d, t.dtype(), where + " dtype");
          assertEquals(Arrays.toString(tj.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray()),
              Arrays.toString(t.shape()), where + " shape");
          assertClose(where, values(tj.getAsJsonArray("values"), d), valuesOf(t), exact || s.getKey().equals("step"), rtol);
        } else {
          assertEquals(v.getAsLong(), ((Number) m).longValue(), where);
          assertTrue(m instanceof Long, where + " is a Python int: " + m.getClass());
        }
      }
    }
    JsonArray groups = torch.getAsJsonArray("param_groups");
    assertEquals(groups.size(), sd.paramGroups().size(), what + ": groups");
    for (int g = 0; g < groups.size(); g++) {
      assertGroupEquals(what + ": param_groups[" + g + "]", groups.get(g).getAsJsonObject(), sd.paramGroups().get(g));
    }
  }

  /** A group's options against PyTorch's (numbers as doubles; torch's implementation switches skipped). */
  static void assertGroupEquals(String what, JsonObject theirs, Map<String, Object> mine) {
    for (var e : theirs.entrySet()) {
      if (TORCH_ONLY_KEYS.contains(e.getKey())) {
        assertFalse(mine.containsKey(e.getKey()), what + " has torch's switch " + e.getKey());
        continue;
      }
      assertTrue(mine.containsKey(e.getKey()), what + " lacks '" + e.getKey() + "'");
      assertSameValue(what + "['" + e.getKey() + "']", plain(e.getValue(), false), mine.get(e.getKey()), 0);
    }
    for (String k : mine.keySet()) assertTrue(theirs.has(k), what + " has '" + k + "', which PyTorch's has not");
  }

  /** Equal values: numbers as doubles within {@code rtol} (0: exactly), lists and maps element by element. */
  static void assertSameValue(String what, Object expected, Object actual, double rtol) {
    if (expected instanceof Number e) {
      assertTrue(actual instanceof Number, what + ": expected a number, got " + actual);
      double a = ((Number) actual).doubleValue();
      double x = e.doubleValue();
      assertTrue(a == x || Math.abs(a - x) <= rtol * Math.abs(x), what + ": expected " + x + " got " + a);
    } else if (expected instanceof List<?> el) {
      assertTrue(actual instanceof List<?>, what + ": expected a list, got " + actual);
      List<?> al = (List<?>) actual;
      assertEquals(el.size(), al.size(), what + ": length");
      for (int i = 0; i < el.size(); i++) assertSameValue(what + "[" + i + "]", el.get(i), al.get(i), rtol);
    } else if (expected instanceof Map<?, ?> em) {
      assertTrue(actual instanceof Map<?, ?>, what + ": expected a map, got " + actual);
      Map<?, ?> am = (Map<?, ?>) actual;
      assertEquals(em.keySet(), am.keySet(), what + ": keys");
      for (var k : em.keySet()) assertSameValue(what + "['" + k + "']", em.get(k), am.get(k), rtol);
    } else {
      assertEquals(expected, actual, what);
    }
  }

  @TestFactory
  Stream<DynamicTest> pyTorchStateDictAtStep50ContinuesToPyTorchsResult() {
    return cases().stream().filter(c -> c.has("midpoint")).map(c -> DynamicTest.dynamicTest(label(c), () -> {
      try (TensorScope scope = TensorScope.open()) {
        Run run = new Run(c);
        JsonObject mid = c.getAsJsonObject("midpoint");
        int start = mid.get("step").getAsInt();
        JsonArray ps = mid.getAsJsonArray("params");
        for (int j = 0; j < run.params.size(); j++) {
          Tensor p = run.params.get(j);
          try (var g = dev.vectorgrad.GradMode.noGrad()) {
            p.copy_(tensor(values(ps.get(j).getAsJsonArray(), run.dtype), run.dtype));
          }
        }
        try (Optimizer.StateDict torchState = stateDictOf(mid.getAsJsonObject("state_dict"))) {
          run.opt.loadStateDict(torchState);
        }
        // lr changes before the midpoint are part of the loaded groups' options
        for (int t = start; t < STEPS; t++) run.step(t);
        run.checkParams("after loading PyTorch's step-" + start + " state and " + (STEPS - start) + " more steps",
            c.getAsJsonArray("final"));
        run.opt.close();
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> javaStateDictRoundTripContinuesBitForBit() {
    return cases().stream().map(c -> DynamicTest.dynamicTest(label(c), () -> {
      try (TensorScope scope = TensorScope.open()) {
        Run run = new Run(c);
        int split = 37;
        for (int t = 0; t < split; t++) run.step(t);
        // a second optimizer over copies of the parameters, restored from the first one's state dict
        Run copy = new Run(c);
        for (int j = 0; j < run.params.size(); j++) {
          try (var g = dev.vectorgrad.GradMode.noGrad()) {
            copy.params.get(j).copy_(run.params.get(j));
          }
        }
        try (Optimizer.StateDict sd = run.opt.stateDict()) {
          copy.opt.loadStateDict(sd);
        }
        // the dict was closed: the loaded state must not share its tensors
        for (int t = split; t < STEPS; t++) {
          run.step(t);
          copy.step(t);
        }
        for (int j = 0; j < run.params.size(); j++) {
          assertClose(label(c) + " round trip param " + j, valuesOf(run.params.get(j)), valuesOf(copy.params.get(j)), true, 0);
        }
        copy.checkParams("after a state dict round trip at step " + split, c.getAsJsonArray("final"));
        run.opt.close();
        copy.opt.close();
      }
    }));
  }

  // ------------------------------------------------------------------------------------------ schedulers

  static Optimizer schedulerOptimizer(JsonObject spec) {
    List<Tensor> ps = List.of(Tensor.zeros(3).requiresGrad_(true), Tensor.zeros(2).requiresGrad_(true));
    JsonArray lrs = spec.getAsJsonArray("lrs");
    JsonObject options = spec.getAsJsonObject("options");
    Optimizer opt = switch (spec.get("type").getAsString()) {
      case "SGD" -> {
        SGD o = new SGD(List.of(ps.get(0)), lrs.get(0).getAsDouble());
        if (options.has("momentum")) o.momentum(options.get("momentum").getAsDouble());
        yield o;
      }
      case "Adam" -> new Adam(List.of(ps.get(0)), lrs.get(0).getAsDouble());
      case "AdamW" -> new AdamW(List.of(ps.get(0)), lrs.get(0).getAsDouble());
      case "RMSprop" -> new RMSprop(List.of(ps.get(0)), lrs.get(0).getAsDouble());
      default -> throw new IllegalArgumentException(spec.toString());
    };
    opt.addParamGroup(List.of(ps.get(1)), Map.of("lr", lrs.get(1).getAsDouble()));
    return opt;
  }

  static LRScheduler scheduler(Optimizer opt, JsonObject a) {
    int lastEpoch = a.has("last_epoch") ? a.get("last_epoch").getAsInt() : -1;
    return switch (a.get("type").getAsString()) {
      case "StepLR" -> new StepLR(opt, a.get("step_size").getAsInt(), a.has("gamma") ? a.get("gamma").getAsDouble() : 0.1,
          lastEpoch);
      case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, a.get("T_max").getAsInt(),
          a.has("eta_min") ? a.get("eta_min").getAsDouble() : 0, lastEpoch);
      case "LinearLR" -> a.has("start_factor")
          ? new LinearLR(opt, a.get("start_factor").getAsDouble(), a.get("end_factor").getAsDouble(),
              a.get("total_iters").getAsInt(), lastEpoch)
          : new LinearLR(opt);
      case "OneCycleLR" -> {
        JsonElement m = a.get("max_lr");
        OneCycleLR.Options o = m.isJsonArray()
            ? OneCycleLR.options(m.getAsJsonArray().asList().stream().mapToDouble(JsonElement::getAsDouble).toArray())
            : OneCycleLR.options(m.getAsDouble());
        if (a.has("total_steps")) o.totalSteps(a.get("total_steps").getAsInt());
        if (a.has("epochs")) o.epochs(a.get("epochs").getAsInt());
        if (a.has("steps_per_epoch")) o.stepsPerEpoch(a.get("steps_per_epoch").getAsInt());
        if (a.has("pct_start")) o.pctStart(a.get("pct_start").getAsDouble());
        if (a.has("anneal_strategy")) o.annealStrategy(a.get("anneal_strategy").getAsString());
        if (a.has("three_phase")) o.threePhase(a.get("three_phase").getAsBoolean());
        if (a.has("div_factor")) o.divFactor(a.get("div_factor").getAsDouble());
        if (a.has("final_div_factor")) o.finalDivFactor(a.get("final_div_factor").getAsDouble());
        if (a.has("base_momentum")) o.baseMomentum(a.get("base_momentum").getAsDouble());
        if (a.has("max_momentum")) o.maxMomentum(a.get("max_momentum").getAsDouble());
        if (a.has("cycle_momentum")) o.cycleMomentum(a.get("cycle_momentum").getAsBoolean());
        yield new OneCycleLR(opt, o);
      }
      default -> throw new IllegalArgumentException(a.toString());
    };
  }

  /** Learning rates: PyTorch's to 1e-13 relative (Math.cos against glibc's cos: an ulp apart at times). */
  private static final double LR_RTOL = 1e-13;

  static void assertLrs(String what, JsonArray expected, List<Double> actual) {
    assertSameValue(what, plain(expected, false), actual, LR_RTOL);
  }

  static List<Double> momentums(Optimizer opt) {
    List<Double> out = new ArrayList<>();
    for (ParamGroup g : opt.paramGroups()) out.add(g.has("betas") ? g.getDouble("betas", 0) : g.getDouble("momentum"));
    return out;
  }

  static List<JsonObject> objects(String key) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : GOLDEN.getAsJsonArray(key)) out.add(e.getAsJsonObject());
    return out;
  }

  @TestFactory
  Stream<DynamicTest> schedulersFollowPyTorch() {
    return objects("schedulers").stream().map(s -> DynamicTest.dynamicTest(s.get("name").getAsString(), () -> {
      String name = s.get("name").getAsString();
      Optimizer opt = schedulerOptimizer(s.getAsJsonObject("optimizer"));
      LRScheduler sched = scheduler(opt, s.getAsJsonObject("scheduler"));
      JsonArray lrs = s.getAsJsonArray("lrs");
      JsonArray moms = s.getAsJsonArray("momentums");
      int steps = s.get("steps").getAsInt();
      int mid = s.get("midpoint").getAsInt();
      assertLrs(name + " after construction", lrs.get(0).getAsJsonArray(), sched.getLastLr());
      for (int t = 1; t <= steps; t++) {
        opt.step();
        sched.step();
        assertLrs(name + " step " + t, lrs.get(t).getAsJsonArray(), sched.getLastLr());
        assertSameValue(name + " momentum at step " + t, plain(moms.get(t), false), momentums(opt), LR_RTOL);
        for (int g = 0; g < 2; g++) assertEquals(sched.getLastLr().get(g), opt.paramGroups().get(g).lr());
        if (t == mid) {
          assertSameValue(name + " state_dict", plain(s.getAsJsonObject("state_dict"), false), sched.stateDict(), LR_RTOL);
          JsonArray groups = s.getAsJsonArray("optimizer_param_groups");
          Optimizer.StateDict osd = opt.stateDict();
          for (int g = 0; g < groups.size(); g++) {
            JsonObject theirs = groups.get(g).getAsJsonObject();
            for (var e : theirs.entrySet()) {
              if (TORCH_ONLY_KEYS.contains(e.getKey())) continue;
              assertSameValue(name + " param_groups[" + g + "]['" + e.getKey() + "']", plain(e.getValue(), false),
                  osd.paramGroups().get(g).get(e.getKey()), LR_RTOL);
            }
          }
          // resume: new optimizer and scheduler, then both state dicts (PyTorch's documented order)
          Optimizer opt2 = schedulerOptimizer(s.getAsJsonObject("optimizer"));
          LRScheduler sched2 = scheduler(opt2, s.getAsJsonObject("scheduler"));
          opt2.loadStateDict(osd);
          sched2.loadStateDict(sched.stateDict());
          JsonArray resumed = s.getAsJsonArray("resumed_lrs");
          for (int u = 0; u < resumed.size(); u++) {
            opt2.step();
            sched2.step();
            assertLrs(name + " resumed step " + (t + 1 + u), resumed.get(u).getAsJsonArray(), sched2.getLastLr());
          }
        }
      }
      if (s.has("overstep_error")) {
        JsonElement err = s.get("overstep_error");
        if (err.isJsonNull()) {
          sched.step();
          sched.step();
        } else {
          IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            sched.step();
            sched.step();
          });
          assertEquals(err.getAsString(), e.getMessage());
        }
      }
    }));
  }

  @TestFactory
  @SuppressWarnings("deprecation")
  Stream<DynamicTest> closedFormsOfStepEpoch() {
    return objects("closed_forms").stream().map(s -> DynamicTest.dynamicTest(s.get("name").getAsString(), () -> {
      Optimizer opt = schedulerOptimizer(JsonParser.parseString("{\"type\":\"SGD\",\"lrs\":[0.1,0.05],\"options\":{}}")
          .getAsJsonObject());
      LRScheduler sched = scheduler(opt, s.getAsJsonObject("scheduler"));
      JsonArray epochs = s.getAsJsonArray("epochs");
      JsonArray lrs = s.getAsJsonArray("lrs");
      for (int i = 0; i < epochs.size(); i++) {
        sched.step(epochs.get(i).getAsInt());
        assertLrs(s.get("name").getAsString() + " step(" + epochs.get(i) + ")", lrs.get(i).getAsJsonArray(), sched.getLastLr());
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> resumingWithLastEpoch() {
    return objects("resumed").stream().map(s -> DynamicTest.dynamicTest(s.get("name").getAsString(), () -> {
      JsonArray groupLrs = s.getAsJsonArray("group_lrs");
      JsonArray initial = s.getAsJsonArray("initial_lrs");
      SGD opt = new SGD(List.of(Tensor.zeros(3).requiresGrad_(true)), groupLrs.get(0).getAsDouble());
      opt.paramGroups().get(0).set("initial_lr", initial.get(0).getAsDouble());
      opt.addParamGroup(List.of(Tensor.zeros(2).requiresGrad_(true)),
          Map.of("lr", groupLrs.get(1).getAsDouble(), "initial_lr", initial.get(1).getAsDouble()));
      LRScheduler sched = scheduler(opt, s.getAsJsonObject("scheduler"));
      JsonArray lrs = s.getAsJsonArray("lrs");
      assertLrs(s.get("name").getAsString() + " after construction", lrs.get(0).getAsJsonArray(), sched.getLastLr());
      for (int t = 1; t < lrs.size(); t++) {
        opt.step();
        sched.step();
        assertLrs(s.get("name").getAsString() + " step " + t, lrs.get(t).getAsJsonArray(), sched.getLastLr());
      }
    }));
  }

  @Test
  void resumingWithoutInitialLrIsRefusedAsPyTorchDoes() {
    SGD opt = new SGD(List.of(Tensor.zeros(3).requiresGrad_(true)), 0.1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 3, 0.5, 4));
    assertEquals("param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer", e.getMessage());
  }
}
