package dev.vectorgrad.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When the training benchmark's warm-up ends: a fixed number of epochs, or (the default) when the
 * step time has settled. The JIT compiles the step's methods over thousands of steps, some of
 * them (kernels called once per step, large Vector API methods) late, so a fixed count that
 * sufficed once stops sufficing when the code changes (issue 8: 100 digits epochs measured
 * 90 us/step and 154 KB of heap per step, 1,500 epochs 53 us and 21.5 KB).
 *
 * <p>The rule, the same in {@code train_bench.py}: warm-up runs in blocks of {@code blockEpochs}
 * epochs; a block <em>improves</em> when its median step time is more than {@code tolerance}
 * below the best block median so far, or (vectorgrad) its Java heap bytes per step more than
 * {@code tolerance} below the best so far (code the JIT has not compiled yet allocates what
 * escape analysis later removes, so the heap is a load-independent sign of it). A block is
 * <em>quiet</em> when it did not improve and (vectorgrad) the JIT compilers worked less than
 * {@value #JIT_QUIET_MS} ms during it: the step time can sit on a plateau for thousands of steps
 * while C2 is still compiling (digits: 151 KB and 90 us per step from epoch 120 to 260, then
 * 40 KB, then 20 KB and 50 us by epoch 460), and only the compilers' silence says the plateau
 * is the last one. The warm-up has settled after {@code patience} quiet blocks in a row, and at
 * least {@code minEpochs}; it stops unsettled at {@code maxEpochs} (said in the summary).
 */
final class WarmUp {
  /** JIT compilation time (ms, all compiler threads) below which a block counts as the compilers' silence. */
  static final long JIT_QUIET_MS = 10;
  /** The digits' rule: blocks of 20 epochs (900 steps), 3 quiet blocks, 2%, 100 to 4000 epochs. */
  static final WarmUp DIGITS = new WarmUp(20, 3, 0.02, 100, 4000);
  /** Fashion-MNIST's: blocks of 1 epoch (938 steps), 2 quiet blocks, 2%, 2 to 20 epochs. */
  static final WarmUp FASHION = new WarmUp(1, 2, 0.02, 2, 20);

  final int blockEpochs;
  private final int patience;
  private final double tolerance;
  private final int minEpochs;
  private final int maxEpochs;
  private final boolean fixed;
  private int epochs;
  private int quiet;
  private double bestMedian = Double.POSITIVE_INFINITY;
  private double bestHeap = Double.POSITIVE_INFINITY;
  private final List<String> trace = new ArrayList<>();

  private WarmUp(int blockEpochs, int patience, double tolerance, int minEpochs, int maxEpochs) {
    this(blockEpochs, patience, tolerance, minEpochs, maxEpochs, false);
  }

  private WarmUp(int blockEpochs, int patience, double tolerance, int minEpochs, int maxEpochs, boolean fixed) {
    this.blockEpochs = blockEpochs;
    this.patience = patience;
    this.tolerance = tolerance;
    this.minEpochs = minEpochs;
    this.maxEpochs = maxEpochs;
    this.fixed = fixed;
  }

  /** {@code "auto"}: a fresh copy of {@code rule}; a number: exactly that many epochs (one block). */
  static WarmUp parse(String spec, WarmUp rule) {
    if (spec.equals("auto")) {
      return new WarmUp(rule.blockEpochs, rule.patience, rule.tolerance, rule.minEpochs, rule.maxEpochs);
    }
    int n = Integer.parseInt(spec);
    if (n < 0) throw new IllegalArgumentException("--warmup-epochs must be auto or >= 0, not " + spec);
    return new WarmUp(n, 0, 0, n, n, true);   // one block of n epochs (none for 0)
  }

  /** Whether the warm-up is over. */
  boolean done() {
    if (fixed) return epochs >= maxEpochs;
    return epochs >= maxEpochs || (epochs >= minEpochs && quiet >= patience);
  }

  /**
   * Records a finished block: its median step time (us), heap bytes per step (NaN: not known) and
   * the JIT's compilation time during it (ms; negative: not known).
   */
  void block(double medianUs, double heapPerStep, long jitMillis) {
    epochs += blockEpochs;
    boolean improved = medianUs < bestMedian * (1 - tolerance)
        || (!Double.isNaN(heapPerStep) && heapPerStep < bestHeap * (1 - tolerance));
    bestMedian = Math.min(bestMedian, medianUs);
    if (!Double.isNaN(heapPerStep)) bestHeap = Math.min(bestHeap, heapPerStep);
    quiet = improved || jitMillis >= JIT_QUIET_MS ? 0 : quiet + 1;
    trace.add(String.format(Locale.ROOT, "%.1f/%.0f/%d", medianUs, heapPerStep, jitMillis));
  }

  /** One line for the CSV's comments: the outcome, the rule and each block's figures. */
  String summary() {
    String outcome = fixed ? "fixed, " + epochs + " epochs"
        : quiet >= patience && epochs >= minEpochs ? "settled after " + epochs + " epochs"
        : "NOT settled, stopped at the cap of " + epochs + " epochs";
    String rule = fixed ? "" : String.format(Locale.ROOT, " (blocks of %d epochs, %d without a %.0f%% improvement, %d-%d epochs)",
        blockEpochs, patience, 100 * tolerance, minEpochs, maxEpochs);
    return outcome + rule + "; per block, median step us/heap bytes per step/JIT ms: " + String.join(" ", trace);
  }
}
