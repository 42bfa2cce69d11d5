package dev.vectorgrad.reliability;

import java.util.Locale;

/**
 * Iteration counts and the one-line figures of the reliability tests. {@code
 * -Dvectorgrad.stress.iterations=N} sets how often each misuse is repeated: 20,000 in CI (the
 * suite runs twice on two cores), 100,000 for the figures in docs/reliability.md. Every test prints
 * a line starting with {@code reliability:} that those figures are copied from.
 */
final class Stress {
  static final String ITERATIONS_PROPERTY = "vectorgrad.stress.iterations";

  private Stress() {}

  /** How many times each stress loop runs. */
  static int iterations() {
    return Integer.getInteger(ITERATIONS_PROPERTY, 20_000);
  }

  /** Prints one figure line, e.g. {@code reliability: use after close: 100000 tries, 100000 IllegalStateException}. */
  static void report(String format, Object... args) {
    System.out.println("reliability: " + String.format(Locale.ROOT, format, args));
  }
}
