package dev.vectorgrad.testsupport;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.kernels.Kernels;

/** Prints which kernels this JVM chose and the result of a small computation. */
public final class KernelProbeMain {
  private KernelProbeMain() {}

  public static void main(String[] args) {
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}).mul(2).sum();
    System.out.println("provider=" + Kernels.provider().description());
    System.out.println("result=" + t);
  }
}
