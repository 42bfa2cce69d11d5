package dev.vectorgrad.reliability;

import dev.vectorgrad.MemoryStats;
import dev.vectorgrad.OutOfMemoryException;
import dev.vectorgrad.Tensor;

/** Run in a child JVM with {@code -Dvectorgrad.maxBytes}: the limit from the property trips, and the program goes on. */
public final class MemoryLimitMain {
  private MemoryLimitMain() {}

  public static void main(String[] args) {
    System.out.println("limit=" + MemoryStats.limit());
    Tensor held = Tensor.ones(256, 256);   // 256 KiB, listed among the largest live tensors
    long live = MemoryStats.liveBytes();
    try {
      Tensor.zeros(1024, 1024);   // 4 MiB past a 2 MiB limit
      System.out.println("not refused");
    } catch (OutOfMemoryException e) {
      System.out.println("refused: " + e.getMessage());
    }
    System.out.println("liveBytesBack=" + (MemoryStats.liveBytes() == live));
    MemoryStats.setLimit(MemoryStats.NO_LIMIT);
    try (Tensor big = Tensor.ones(1024, 1024)) {
      System.out.println("afterRaise=" + big.sum().item());
    }
    held.close();
  }
}
