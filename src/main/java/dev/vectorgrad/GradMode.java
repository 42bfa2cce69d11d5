package dev.vectorgrad;

/**
 * Per-thread switch for graph recording. PyTorch equivalent: {@code torch.no_grad()},
 * {@code torch.enable_grad()}, {@code torch.is_grad_enabled()}.
 *
 * <pre>{@code
 * try (var guard = GradMode.noGrad()) {
 *   Tensor y = w.mul(2);      // y.requiresGrad() == false, no graph recorded
 * }
 * }</pre>
 *
 * <p>Grad mode is thread-local, as in PyTorch: a guard opened in one thread does not affect
 * others, and must be closed by the thread that opened it.
 */
public final class GradMode {
  private GradMode() {}

  /** Restores the previous grad mode of its thread when closed. */
  public static final class Guard implements AutoCloseable {
    private final ThreadState state;
    private final boolean previous;
    private boolean closed;

    private Guard(ThreadState state, boolean enabled) {
      this.state = state;
      this.previous = state.gradEnabled;
      state.gradEnabled = enabled;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        state.gradEnabled = previous;
      }
    }
  }

  /** Disables graph recording on this thread until the guard is closed ({@code torch.no_grad()}). */
  public static Guard noGrad() {
    return new Guard(ThreadState.current(), false);
  }

  /** Enables graph recording on this thread until the guard is closed ({@code torch.enable_grad()}). */
  public static Guard enableGrad() {
    return new Guard(ThreadState.current(), true);
  }

  /** Whether ops on this thread record a graph ({@code torch.is_grad_enabled()}). */
  public static boolean isEnabled() {
    return ThreadState.current().gradEnabled;
  }
}
