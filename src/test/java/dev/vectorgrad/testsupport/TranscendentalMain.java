package dev.vectorgrad.testsupport;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.nn.Functional;
import java.util.Random;

/**
 * Computes float32 and float64 exp, log, sigmoid, silu, (float32) tanh, softmax, log_softmax (rows of 37 and of 7),
 * logsumexp and a cross-entropy loss with its gradient on fixed inputs and prints one line per result: its name and a 64-bit hash
 * of the raw bits of every element. With {@code -Dtranscendental.warm=true} it first repeats the same
 * computations until C2 has had time to compile the kernels. Run in JVMs with different JIT states
 * ({@code -Xint}, {@code -XX:TieredStopAtLevel=1}, warmed default) by
 * {@code TranscendentalDeterminismTest}, which compares the lines.
 */
public final class TranscendentalMain {
  private TranscendentalMain() {}

  /** 4099 elements (not a multiple of any lane count: the masked tails run too), specials first. */
  static float[] input() {
    float[] x = new float[4099];
    float[] specials = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.72f, 88.8f, -87.5f,
        -103.9f, -104f, -150f, 1f, -1f, 1e-40f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, 0.6931472f};
    System.arraycopy(specials, 0, x, 0, specials.length);
    Random rnd = new Random(11);
    for (int i = specials.length; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * (i % 3 == 0 ? 30 : 4));
    return x;
  }

  public static void main(String[] args) {
    boolean warm = Boolean.getBoolean("transcendental.warm");
    if (warm) {
      long deadline = System.nanoTime() + 60_000_000_000L;   // a cap for a loaded machine
      for (int it = 0; it < 4000 && System.nanoTime() < deadline; it++) compute(false);
    }
    compute(true);
    System.out.println("transcendental-done");
  }

  private static void compute(boolean print) {
    compute(print, DType.FLOAT32);
    compute(print, DType.FLOAT64);
  }

  /** The results in {@code dtype}: the elementwise ones first (the scalar kernels give them the same bits). */
  @SuppressWarnings("try")
  private static void compute(boolean print, DType dtype) {
    String p = dtype == DType.FLOAT32 ? "" : "float64 ";
    try (var scope = TensorScope.open()) {
      float[] data = input();
      Tensor x = Tensor.of(data, data.length).to(dtype);
      if (dtype == DType.FLOAT64) x = x.mul(1.000000001);   // use the double mantissa's low bits too
      report(print, p + "exp", x.exp());
      report(print, p + "log", x.log());
      report(print, p + "log|x|", x.abs().log());
      report(print, p + "sigmoid", x.sigmoid());
      report(print, p + "silu", Functional.silu(x));
      if (dtype == DType.FLOAT32) report(print, "tanh", x.tanh());   // float64 tanh is still SVML's
      Random rnd = new Random(5);
      float[] logits = new float[64 * 37];
      for (int i = 0; i < logits.length; i++) logits[i] = (float) (rnd.nextGaussian() * 3);
      long[] targets = new long[64];
      for (int i = 0; i < targets.length; i++) targets[i] = rnd.nextInt(37);
      Tensor z = Tensor.of(logits, 64, 37).to(dtype);
      report(print, p + "softmax", z.softmax(1));
      report(print, p + "log_softmax", z.logSoftmax(1));
      report(print, p + "logsumexp", z.logsumexp(new int[] {1}, false));
      Tensor shortRows = Tensor.of(java.util.Arrays.copyOf(logits, 64 * 7), 64, 7).to(dtype);   // one vector per row
      report(print, p + "softmax rows of 7", shortRows.softmax(1));
      report(print, p + "log_softmax rows of 7", shortRows.logSoftmax(1));
      Tensor leaf = Tensor.of(logits, 64, 37).to(dtype).detach().requiresGrad_(true);
      Tensor loss = Functional.crossEntropy(leaf, Tensor.of(targets, 64));
      loss.backward();
      report(print, p + "cross_entropy", loss);
      report(print, p + "cross_entropy.grad", leaf.grad());
    }
  }

  private static void report(boolean print, String name, Tensor t) {
    if (!print) return;
    double[] v = t.toDoubleArray();   // float32 values convert exactly: the hash sees every bit of either type
    long h = 0xcbf29ce484222325L;
    for (double d : v) {
      h ^= Double.doubleToRawLongBits(d);
      h *= 0x100000001b3L;
    }
    System.out.println("result " + name + " n=" + v.length + " hash=" + Long.toHexString(h) + " last=" + v[v.length - 1]);
  }
}
