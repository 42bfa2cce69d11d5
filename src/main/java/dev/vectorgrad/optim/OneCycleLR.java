package dev.vectorgrad.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The 1cycle policy (Smith and Topin): the learning rate rises from {@code max_lr / div_factor} to
 * {@code max_lr} over the first {@code pct_start} of the steps and then falls to
 * {@code initial_lr / final_div_factor} (optionally in three phases), while the momentum (SGD's
 * {@code momentum}, Adam's {@code beta1}) moves the opposite way between {@code max_momentum} and
 * {@code base_momentum}. Call {@link #step()} after every batch. PyTorch:
 * {@code torch.optim.lr_scheduler.OneCycleLR} (1.13), same phases, cosine or linear annealing,
 * same arithmetic.
 *
 * <pre>{@code
 * var sched = new OneCycleLR(opt, OneCycleLR.options(0.1).epochs(10).stepsPerEpoch(loader.size())
 *     .annealStrategy("linear"));
 * }</pre>
 *
 * <p>State dict: PyTorch's attributes ({@code total_steps}, {@code _schedule_phases},
 * {@code cycle_momentum}, {@code use_beta1}, ...); PyTorch's {@code anneal_func} (a bound method)
 * is stored as its name, {@code "_annealing_cos"} or {@code "_annealing_linear"}.
 */
public final class OneCycleLR extends LRScheduler {

  /**
   * OneCycleLR's arguments with PyTorch's defaults; {@code max_lr} and either {@code total_steps}
   * or {@code epochs} and {@code steps_per_epoch} are required.
   */
  public static final class Options {
    private double[] maxLrs;
    private Integer totalSteps;
    private Integer epochs;
    private Integer stepsPerEpoch;
    private double pctStart = 0.3;
    private String annealStrategy = "cos";
    private boolean cycleMomentum = true;
    private double[] baseMomentums = {0.85};
    private double[] maxMomentums = {0.95};
    private double divFactor = 25.;
    private double finalDivFactor = 1e4;
    private boolean threePhase = false;
    private int lastEpoch = -1;

    private Options() {}

    /** The peak learning rate of every group. PyTorch: {@code max_lr}. */
    public Options maxLr(double maxLr) {
      this.maxLrs = new double[] {maxLr};
      return this;
    }

    /** The peak learning rate of each group (one per group). PyTorch: {@code max_lr=[...]}. */
    public Options maxLr(double... maxLrs) {
      this.maxLrs = maxLrs.clone();
      return this;
    }

    /** The number of steps of the cycle. PyTorch: {@code total_steps}. */
    public Options totalSteps(int totalSteps) {
      this.totalSteps = totalSteps;
      return this;
    }

    /** With {@link #stepsPerEpoch}, the cycle lasts {@code epochs * steps_per_epoch} steps. PyTorch: {@code epochs}. */
    public Options epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** PyTorch: {@code steps_per_epoch}. */
    public Options stepsPerEpoch(int stepsPerEpoch) {
      this.stepsPerEpoch = stepsPerEpoch;
      return this;
    }

    /** Fraction of the cycle spent increasing the learning rate (default 0.3). PyTorch: {@code pct_start}. */
    public Options pctStart(double pctStart) {
      this.pctStart = pctStart;
      return this;
    }

    /** {@code "cos"} (default) or {@code "linear"}. PyTorch: {@code anneal_strategy}. */
    public Options annealStrategy(String annealStrategy) {
      this.annealStrategy = annealStrategy;
      return this;
    }

    /** Whether the momentum cycles inversely to the learning rate (default true). PyTorch: {@code cycle_momentum}. */
    public Options cycleMomentum(boolean cycleMomentum) {
      this.cycleMomentum = cycleMomentum;
      return this;
    }

    /** The lower momentum (default 0.85; one value or one per group). PyTorch: {@code base_momentum}. */
    public Options baseMomentum(double... baseMomentums) {
      this.baseMomentums = baseMomentums.clone();
      return this;
    }

    /** The upper momentum (default 0.95; one value or one per group). PyTorch: {@code max_momentum}. */
    public Options maxMomentum(double... maxMomentums) {
      this.maxMomentums = maxMomentums.clone();
      return this;
    }

    /** {@code initial_lr = max_lr / div_factor} (default 25). PyTorch: {@code div_factor}. */
    public Options divFactor(double divFactor) {
      this.divFactor = divFactor;
      return this;
    }

    /** {@code min_lr = initial_lr / final_div_factor} (default 1e4). PyTorch: {@code final_div_factor}. */
    public Options finalDivFactor(double finalDivFactor) {
      this.finalDivFactor = finalDivFactor;
      return this;
    }

    /** Three phases (up, down to the initial rate, then annihilation) instead of two (default false). PyTorch: {@code three_phase}. */
    public Options threePhase(boolean threePhase) {
      this.threePhase = threePhase;
      return this;
    }

    /** Resumes a cycle at this step (default -1: a new cycle). PyTorch: {@code last_epoch}. */
    public Options lastEpoch(int lastEpoch) {
      this.lastEpoch = lastEpoch;
      return this;
    }
  }

  /** New options with the given peak learning rate (for every group). */
  public static Options options(double maxLr) {
    return new Options().maxLr(maxLr);
  }

  /** New options with one peak learning rate per group. */
  public static Options options(double... maxLrs) {
    return new Options().maxLr(maxLrs);
  }

  /** One phase of the cycle: PyTorch's {@code _schedule_phases} entry. */
  private record Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("end_step", endStep);
      m.put("start_lr", startLr);
      m.put("end_lr", endLr);
      m.put("start_momentum", startMomentum);
      m.put("end_momentum", endMomentum);
      return m;
    }
  }

  private int totalSteps;
  private List<Phase> phases;
  private boolean linear;
  private boolean cycleMomentum;
  private boolean useBeta1;

  /** {@code OneCycleLR(optimizer, max_lr, total_steps)} with the other arguments at PyTorch's defaults. */
  public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
    this(optimizer, options(maxLr).totalSteps(totalSteps));
  }

  /**
   * {@code OneCycleLR(optimizer, **options)}: sets each group's {@code initial_lr}, {@code max_lr},
   * {@code min_lr} (and with momentum cycling {@code max_momentum}, {@code base_momentum} and the
   * momentum or beta1), then takes the initial step.
   *
   * @throws IllegalArgumentException for missing or invalid arguments, with PyTorch's messages
   */
  public OneCycleLR(Optimizer optimizer, Options options) {
    super(prepare(optimizer, options), options.lastEpoch);
    this.totalSteps = totalSteps(options);
    this.phases = phases(options, totalSteps);
    this.linear = options.annealStrategy.equals("linear");
    this.cycleMomentum = options.cycleMomentum;
    this.useBeta1 = optimizer.defaults().containsKey("betas");
    initialStep();
  }

  private static int totalSteps(Options o) {
    if (o.totalSteps == null && o.epochs == null && o.stepsPerEpoch == null) {
      throw new IllegalArgumentException("You must define either total_steps OR (epochs AND steps_per_epoch)");
    }
    if (o.totalSteps != null) {
      if (o.totalSteps <= 0) throw new IllegalArgumentException("Expected positive integer total_steps, but got " + o.totalSteps);
      return o.totalSteps;
    }
    if (o.epochs == null || o.epochs <= 0) throw new IllegalArgumentException("Expected positive integer epochs, but got " + o.epochs);
    if (o.stepsPerEpoch == null || o.stepsPerEpoch <= 0) {
      throw new IllegalArgumentException("Expected positive integer steps_per_epoch, but got " + o.stepsPerEpoch);
    }
    return o.epochs * o.stepsPerEpoch;
  }

  private static List<Phase> phases(Options o, int totalSteps) {
    List<Phase> p = new ArrayList<>();
    if (o.threePhase) {
      p.add(new Phase(o.pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"));
      p.add(new Phase(2 * o.pctStart * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"));
      p.add(new Phase(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"));
    } else {
      p.add(new Phase(o.pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"));
      p.add(new Phase(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"));
    }
    return p;
  }

  private static double[] perGroup(String name, Optimizer optimizer, double[] values) {
    int n = optimizer.paramGroups().size();
    if (values.length == 1) {
      double[] out = new double[n];
      java.util.Arrays.fill(out, values[0]);
      return out;
    }
    if (values.length != n) throw new IllegalArgumentException("expected " + n + " values for " + name + ", got " + values.length);
    return values;
  }

  /** PyTorch's constructor body before {@code super().__init__}: validates and writes the groups' entries. */
  private static Optimizer prepare(Optimizer optimizer, Options o) {
    if (o.maxLrs == null) throw new IllegalArgumentException("max_lr is required");
    int total = totalSteps(o);
    phases(o, total);
    if (o.pctStart < 0 || o.pctStart > 1) {
      throw new IllegalArgumentException("Expected float between 0 and 1 pct_start, but got " + Py.repr(o.pctStart));
    }
    if (!o.annealStrategy.equals("cos") && !o.annealStrategy.equals("linear")) {
      throw new IllegalArgumentException("anneal_strategy must by one of 'cos' or 'linear', instead got " + o.annealStrategy);
    }
    double[] maxLrs = perGroup("max_lr", optimizer, o.maxLrs);
    List<ParamGroup> groups = optimizer.paramGroups();
    if (o.lastEpoch == -1) {
      for (int i = 0; i < groups.size(); i++) {
        ParamGroup g = groups.get(i);
        g.set("initial_lr", maxLrs[i] / o.divFactor);
        g.set("max_lr", maxLrs[i]);
        g.set("min_lr", g.getDouble("initial_lr") / o.finalDivFactor);
      }
    }
    if (o.cycleMomentum) {
      Map<String, Object> defaults = optimizer.defaults();
      if (!defaults.containsKey("momentum") && !defaults.containsKey("betas")) {
        throw new IllegalArgumentException("optimizer must support momentum with `cycle_momentum` option enabled");
      }
      boolean useBeta1 = defaults.containsKey("betas");
      double[] maxMomentums = perGroup("max_momentum", optimizer, o.maxMomentums);
      double[] baseMomentums = perGroup("base_momentum", optimizer, o.baseMomentums);
      if (o.lastEpoch == -1) {
        for (int i = 0; i < groups.size(); i++) {
          ParamGroup g = groups.get(i);
          if (useBeta1) {
            g.set("betas", List.of(maxMomentums[i], g.getDouble("betas", 1)));
          } else {
            g.set("momentum", maxMomentums[i]);
          }
          g.set("max_momentum", maxMomentums[i]);
          g.set("base_momentum", baseMomentums[i]);
        }
      }
    }
    return optimizer;
  }

  private double anneal(double start, double end, double pct) {
    if (linear) return (end - start) * pct + start;
    double cosOut = Math.cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cosOut;
  }

  /**
   * @throws IllegalStateException when stepped past {@code total_steps}, with PyTorch's message
   */
  @Override
  protected double[] computeLr() {
    int stepNum = lastEpoch;
    if (stepNum > totalSteps) {
      throw new IllegalStateException("Tried to step " + (stepNum + 1) + " times. The specified number of total steps is "
          + totalSteps);
    }
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int gi = 0; gi < lrs.length; gi++) {
      ParamGroup group = groups.get(gi);
      double startStep = 0;
      double computedLr = 0;
      double computedMomentum = 0;
      for (int i = 0; i < phases.size(); i++) {
        Phase phase = phases.get(i);
        double endStep = phase.endStep();
        if (stepNum <= endStep || i == phases.size() - 1) {
          double pct = (stepNum - startStep) / (endStep - startStep);
          computedLr = anneal(group.getDouble(phase.startLr()), group.getDouble(phase.endLr()), pct);
          if (cycleMomentum) {
            computedMomentum = anneal(group.getDouble(phase.startMomentum()), group.getDouble(phase.endMomentum()), pct);
          }
          break;
        }
        startStep = phase.endStep();
      }
      lrs[gi] = computedLr;
      if (cycleMomentum) {
        if (useBeta1) {
          group.set("betas", List.of(computedMomentum, group.getDouble("betas", 1)));
        } else {
          group.set("momentum", computedMomentum);
        }
      }
    }
    return lrs;
  }

  @Override
  protected void putOwnState(Map<String, Object> state) {
    state.put("total_steps", totalSteps);
    List<Map<String, Object>> p = new ArrayList<>();
    for (Phase phase : phases) p.add(phase.toMap());
    state.put("_schedule_phases", List.copyOf(p));
    state.put("anneal_func", linear ? "_annealing_linear" : "_annealing_cos");
    state.put("cycle_momentum", cycleMomentum);
    if (cycleMomentum) state.put("use_beta1", useBeta1);
  }

  @Override
  protected boolean loadOwnState(String key, Object value) {
    switch (key) {
      case "total_steps" -> totalSteps = toInt(key, value);
      case "anneal_func" -> {
        if (!"_annealing_linear".equals(value) && !"_annealing_cos".equals(value)) {
          throw new IllegalArgumentException("anneal_func must be '_annealing_cos' or '_annealing_linear', got " + value);
        }
        linear = "_annealing_linear".equals(value);
      }
      case "cycle_momentum" -> cycleMomentum = Boolean.TRUE.equals(value);
      case "use_beta1" -> useBeta1 = Boolean.TRUE.equals(value);
      case "_schedule_phases" -> {
        if (!(value instanceof List<?> list)) throw new IllegalArgumentException("_schedule_phases is not a list: " + value);
        List<Phase> loaded = new ArrayList<>();
        for (Object o : list) {
          if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("a schedule phase is not a map: " + o);
          loaded.add(new Phase(toDouble("end_step", m.get("end_step")), (String) m.get("start_lr"), (String) m.get("end_lr"),
              (String) m.get("start_momentum"), (String) m.get("end_momentum")));
        }
        phases = loaded;
      }
      default -> {
        return false;
      }
    }
    return true;
  }
}
