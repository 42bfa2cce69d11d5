/**
 * vectorgrad: PyTorch-style tensors with reverse-mode autograd for the JVM.
 *
 * <p>Storage is off-heap ({@code java.lang.foreign}); kernels use the incubating Vector API
 * ({@code jdk.incubator.vector}) when it is available and fall back to scalar loops otherwise.
 */
module dev.vectorgrad {
  requires jdk.incubator.vector;
  requires com.fasterxml.jackson.core;

  exports dev.vectorgrad;
  exports dev.vectorgrad.autograd;
  exports dev.vectorgrad.nn;
  exports dev.vectorgrad.optim;
  exports dev.vectorgrad.data;
  exports dev.vectorgrad.io;
}
