package dev.vectorgrad.bench;

/**
 * The data order of the training benchmark, computed identically here and in
 * {@code native-bench/training/train_bench.py} ({@code shared_order}), so that vectorgrad and
 * PyTorch train on the same batches in the same order. Neither library's own shuffle can serve:
 * vectorgrad's {@code Generator} deliberately differs from PyTorch's mt19937 streams.
 *
 * <p>The stream is SplitMix64 (Steele, Lea and Flood, 2014), which both languages compute exactly
 * in 64-bit integer arithmetic; a permutation is a Fisher-Yates shuffle drawing
 * {@code j = next() mod (i + 1)} (unsigned) for {@code i = n-1 .. 1}. Modulo bias is irrelevant
 * here: only equality across the two languages matters.
 */
final class SharedOrder {
  /** The digits training part: 80% of 1797, rounded as {@code random_split([0.8, 0.2])} rounds (1438). */
  static final int DIGITS_TRAIN = 1438;
  /** Seed of the digits split; epoch e is shuffled with seed {@code EPOCH_SEED + e}. */
  static final long SPLIT_SEED = 0;
  static final long EPOCH_SEED = 1000;

  private SharedOrder() {}

  /** A permutation of 0..n-1 from the SplitMix64 stream seeded with {@code seed}. */
  static long[] permutation(int n, long seed) {
    long[] order = new long[n];
    for (int i = 0; i < n; i++) order[i] = i;
    long state = seed;
    for (int i = n - 1; i > 0; i--) {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      int j = (int) Long.remainderUnsigned(z, i + 1);
      long t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The order of the samples in epoch {@code epoch} (0-based, warm-up epochs included). */
  static long[] epochOrder(int n, int epoch) {
    return permutation(n, EPOCH_SEED + epoch);
  }

  /** The digits (in scikit-learn's order) that form the training set, in training-set order. */
  static long[] digitsTrainIndices() {
    long[] all = permutation(1797, SPLIT_SEED);
    return java.util.Arrays.copyOf(all, DIGITS_TRAIN);
  }

  /**
   * A fingerprint of an epoch, printed in the CSV so that the report can check that both sides
   * trained on the same samples in the same order: the sums of {@code (i + 1) * order[i]} and of
   * {@code (i + 1) * (labels[order[i]] + 1)} modulo 2^61 - 1, in hex, joined by a dash.
   */
  static String digest(long[] order, long[] labels) {
    final long p = (1L << 61) - 1;
    long h = 0;
    long g = 0;
    for (int i = 0; i < order.length; i++) {
      h = (h + (i + 1L) * order[i]) % p;
      g = (g + (i + 1L) * (labels[(int) order[i]] + 1)) % p;
    }
    return Long.toHexString(h) + "-" + Long.toHexString(g);
  }
}
