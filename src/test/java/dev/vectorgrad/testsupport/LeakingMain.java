package dev.vectorgrad.testsupport;

import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.Tensor;

/** Leaks one tensor on purpose (kept reachable, never closed), prints the leak report, then drops one for the GC. */
public final class LeakingMain {
  private static Tensor leaked;

  private LeakingMain() {}

  public static void main(String[] args) throws InterruptedException {
    leakOneTensor();
    System.out.println(MemoryStats.leakReport());
    dropOneTensor();
    for (int i = 0; i < 200 && MemoryStats.releasedByGc() == 0; i++) {
      System.gc();
      Thread.sleep(10);
    }
    System.out.println("releasedByGc=" + MemoryStats.releasedByGc());
  }

  private static void dropOneTensor() {
    Tensor.ones(300);   // never closed, not kept: the Cleaner releases it and reports the leak
  }

  private static void leakOneTensor() {
    leaked = Tensor.zeros(1000);
  }
}
