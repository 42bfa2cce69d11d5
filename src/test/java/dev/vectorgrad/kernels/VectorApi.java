package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The Vector API kernels that the agreement tests compare with the scalar ones. */
final class VectorApi {
  private VectorApi() {}

  /** The Vector API provider; fails the test when it does not load (the test JVMs add its module). */
  static KernelProvider provider() {
    KernelProvider vector = Kernels.vectorOrNull();
    assertNotNull(vector, "the test JVM runs with --add-modules jdk.incubator.vector, so the Vector API must load");
    return vector;
  }
}
