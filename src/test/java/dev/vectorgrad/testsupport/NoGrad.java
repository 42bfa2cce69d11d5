package dev.vectorgrad.testsupport;

import dev.vectorgrad.GradMode;
import java.util.function.Supplier;

/** Runs a computation with graph recording off: PyTorch's {@code with torch.no_grad():}. */
public final class NoGrad {
  private NoGrad() {}

  public static <T> T call(Supplier<T> body) {
    try (GradMode.Guard guard = GradMode.noGrad()) {
      return body.get();
    }
  }
}
