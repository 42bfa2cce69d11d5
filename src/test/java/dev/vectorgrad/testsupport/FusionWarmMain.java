package dev.vectorgrad.testsupport;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;

/**
 * Runs fused chains long enough for the JIT to compile the loops fusion generates: a binary chain
 * summed in registers ({@code sumBlock}) and a relu chain computed into memory ({@code run});
 * prints {@code fusion-warm-done} at the end. Run it with {@code -XX:+PrintCompilation} to see the
 * tiers of the hidden {@code FusedKernel} classes.
 */
public final class FusionWarmMain {
  private FusionWarmMain() {}

  public static void main(String[] args) {
    long deadline = System.nanoTime() + 15_000_000_000L;   // a cap for a loaded machine; at speed ~1 s
    double sink = 0;
    try (Tensor a = Tensor.rand(100_000); Tensor b = Tensor.rand(100_000); Tensor c = Tensor.rand(100_000)) {
      for (int it = 0; it < 3000 && System.nanoTime() < deadline; it++) {
        try (TensorScope scope = TensorScope.open()) {
          sink += a.mul(b).add(c).sub(2).mean().item();          // sumBlock
          sink += a.mul(b).sub(c).relu().mul(3).toFloatArray()[7];   // run, calling the relu formula
        }
      }
    }
    System.out.println(Double.isNaN(sink) ? "fusion-warm-nan" : "fusion-warm-done");
  }
}
