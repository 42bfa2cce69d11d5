package dev.vectorgrad.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.nn.Embedding;
import dev.vectorgrad.nn.Functional;
import dev.vectorgrad.nn.GELU;
import dev.vectorgrad.nn.LayerNorm;
import dev.vectorgrad.nn.Linear;
import dev.vectorgrad.nn.ReLU;
import dev.vectorgrad.nn.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Small models whose forward passes the fault tests interrupt: each is a loss over leaves that
 * require grad, covering matrix products, broadcasting, reductions, views, in-place ops on
 * non-leaves, concatenation, indexing and log-softmax.
 */
final class Programs {
  private Programs() {}

  /** A loss-making program over its leaves, reading its {@code data} (inputs and targets). */
  record Program(String name, List<Tensor> leaves, List<Tensor> data, Function<List<Tensor>, Tensor> loss) {
    Tensor forward() {
      return loss.apply(leaves);
    }

    /** Each leaf's gradient as a float array, null where it has none. */
    float[][] grads() {
      float[][] out = new float[leaves.size()][];
      for (int i = 0; i < out.length; i++) {
        Tensor g = leaves.get(i).grad();
        out[i] = g == null ? null : g.toFloatArray();
      }
      return out;
    }

    /** Sets every leaf's gradient to None (PyTorch's {@code zero_grad(set_to_none=True)}). */
    void clearGrads() {
      for (Tensor leaf : leaves) leaf.setGrad(null);
    }

    /** Leaf {@code i}'s parameters as floats (to check that nothing wrote them). */
    float[][] values() {
      float[][] out = new float[leaves.size()][];
      for (int i = 0; i < out.length; i++) out[i] = leaves.get(i).toFloatArray();
      return out;
    }

    void close() {
      leaves.forEach(Tensor::close);
      data.forEach(Tensor::close);
    }
  }

  /** An MLP 128-64-10 with an MSE loss (the weights above 64 KiB take their own blocks). */
  static Program mlpMse(long seed) {
    Generator g = new Generator(seed);
    Sequential model = new Sequential(new Linear(128, 160, true, g), new ReLU(), new Linear(160, 10, true, g));
    Tensor x = Tensor.randn(g, 32, 128);
    Tensor y = Tensor.randn(g, 32, 10);
    return new Program("mlp-mse", new ArrayList<>(model.parameters()), List.of(x, y),
        p -> Functional.mseLoss(model.forward(x), y));
  }

  /** Hand-written: views, in-place relu on a non-leaf, concatenation, index_select, log-softmax and NLL by gather. */
  static Program mixed(long seed) {
    Generator g = new Generator(seed);
    Tensor w1 = Tensor.randn(g, 24, 16).requiresGrad_(true);
    Tensor w2 = Tensor.randn(g, 32, 5).requiresGrad_(true);
    Tensor b = Tensor.randn(g, 5).requiresGrad_(true);
    Tensor x = Tensor.randn(g, 8, 24);
    Tensor target = Tensor.of(new long[] {0, 1, 2, 3, 4, 0, 1, 2}, 8, 1);
    Tensor index = Tensor.of(new long[] {3, 1, 0, 2});
    return new Program("mixed", List.of(w1, w2, b), List.of(x, target, index), p -> {
      Tensor h = x.matmul(p.get(0)).relu_();                       // in place on a non-leaf
      Tensor wide = Tensor.cat(1, h, h.narrow(1, 0, 16).mul(0.5));  // 8 x 32
      Tensor logits = wide.matmul(p.get(1)).add(p.get(2));
      Tensor logp = Functional.logSoftmax(logits, 1).indexSelect(0, Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}));
      Tensor picked = logp.gather(1, target).t();                   // a view
      return picked.sum().neg().div(8).add(logp.indexSelect(0, index).exp().mean());
    });
  }

  /** Embedding, LayerNorm, GELU and a linear classifier with cross-entropy: the nn layers' own derivatives. */
  static Program classifier(long seed) {
    Generator g = new Generator(seed);
    Embedding embed = new Embedding(50, 24, g);
    Sequential head = new Sequential(new LayerNorm(24), new GELU(), new Linear(24, 7, true, g));
    Tensor tokens = Tensor.of(new long[] {3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3, 2, 38, 46, 26}, 4, 4);
    Tensor labels = Tensor.of(new long[] {1, 6, 0, 3});
    List<Tensor> leaves = new ArrayList<>(embed.parameters());
    leaves.addAll(head.parameters());
    return new Program("classifier", leaves, List.of(tokens, labels),
        p -> Functional.crossEntropy(head.forward(embed.forward(tokens)).mean(new int[] {1}, false), labels));
  }

  /** The programs the fault tests interrupt (each call makes fresh leaves). */
  static List<Program> all(long seed) {
    return List.of(mlpMse(seed), mixed(seed + 1), classifier(seed + 2));
  }

  /** How many programs {@link #all} makes. */
  static final int COUNT = 3;

  /** Each leaf's grad is either what it was ({@code before}) or that plus the pass's whole gradient. */
  static int[] checkEachLeafAllOrNothing(float[][] before, float[][] full, float[][] now, String what) {
    int updated = 0, untouched = 0;
    for (int i = 0; i < now.length; i++) {
      float[] expectedIfUpdated = plus(before[i], full[i]);
      if (Arrays.equals(now[i], before[i])) {
        untouched++;
      } else {
        assertArrayEquals(expectedIfUpdated, now[i], what + ": leaf " + i + " was half-updated");
        updated++;
      }
    }
    assertTrue(updated + untouched == now.length);
    return new int[] {updated, untouched};
  }

  /** {@code a + b} elementwise in float, as accumulation adds; a null {@code a} is no gradient yet. */
  static float[] plus(float[] a, float[] b) {
    if (a == null) return b.clone();
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    return out;
  }
}
