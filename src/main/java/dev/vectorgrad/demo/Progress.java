package dev.vectorgrad.demo;

import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One epoch's progress bar on standard error: batches done of the epoch's total, elapsed time and
 * ETA (rendered by {@code me.tongfei:progressbar}, an example-only dependency), and the last batch's
 * loss and the examples per second as its extra message. PyTorch users get the same from
 * {@code tqdm(loader)} with {@code set_postfix(loss=...)}.
 */
final class Progress implements AutoCloseable {
  private static final long REFRESH_NANOS = 100_000_000L;
  private final ProgressBar bar;
  private final long start = System.nanoTime();
  private long examples;
  private long lastMessage;

  Progress(String task, int batches) {
    this.bar = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(batches)
        .setUnit(" batches", 1)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(100)
        // redrawn in place with '\r': fitted to the terminal's width, or 100 columns into a file or pipe
        .setConsumer(new ConsoleProgressBarConsumer(System.err, interactive() ? -1 : 100))
        .build();
  }

  private static boolean interactive() {
    java.io.Console console = System.console();
    return console != null && console.isTerminal();
  }

  /** One batch of {@code size} examples done, with its loss. */
  void step(int size, double loss) {
    examples += size;
    bar.step();
    long now = System.nanoTime();
    if (now - lastMessage > REFRESH_NANOS || bar.getCurrent() == bar.getMax()) {
      lastMessage = now;
      double perSecond = examples / Math.max(1e-9, (now - start) / 1e9);
      bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f, %,.0f ex/s", loss, perSecond));
    }
  }

  @Override
  public void close() {
    bar.close();
  }
}
