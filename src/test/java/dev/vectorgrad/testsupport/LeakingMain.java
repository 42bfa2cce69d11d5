package dev.vectorgrad.testsupport;

import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;

/** Leaks one tensor on purpose (kept reachable, never closed) and prints the leak report. */
public final class LeakingMain {
  private static Tensor leaked;

  private LeakingMain() {}

  public static void main(String[] args) {
    leakOneTensor();
    System.out.println(MemoryStats.leakReport());
  }

  private static void leakOneTensor() {
    leaked = Tensor.zeros(1000);
  }
}
