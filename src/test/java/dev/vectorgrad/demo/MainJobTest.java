package dev.vectorgrad.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job ({@code ./mvnw -q exec:java}, {@link Main}): the founding programs' output unchanged,
 * then the digits MLP trained to at least 95% test accuracy, ending with {@code test accuracy:
 * 0.9xxx}, with its curves written; the Fashion-MNIST path on a small generated IDX folder, and its
 * instructions when the data is missing.
 */
class MainJobTest {
  @TempDir Path dir;

  private interface Body {
    void run() throws Exception;
  }

  private static String[] capture(Body body) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    var o = new ByteArrayOutputStream();
    var e = new ByteArrayOutputStream();
    try (var po = new PrintStream(o, true, StandardCharsets.UTF_8); var pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
      System.setOut(po);
      System.setErr(pe);
      body.run();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new String[] {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
  }

  private static String lastLine(String text) {
    List<String> lines = text.lines().toList();
    return lines.get(lines.size() - 1);
  }

  @Test
  void foundingProgramsThenDigitsToAtLeast95Percent() throws Exception {
    String founding = capture(() -> SeedPrograms.main(new String[0]))[0];
    String[] job = capture(() -> Main.main(new String[0]));
    String out = job[0];
    assertTrue(out.startsWith(founding + System.lineSeparator() + "## Training: an MLP 64-128-10 on the 8x8 digits"),
        "the founding programs first, unchanged:\n" + out);
    String last = lastLine(out);
    assertTrue(last.matches("test accuracy: 0\\.9\\d{3}"), last);
    double accuracy = Double.parseDouble(last.substring("test accuracy: ".length()));
    assertTrue(accuracy >= 0.95, last);
    assertEquals(30, out.lines().filter(l -> l.startsWith("epoch ")).count());
    assertTrue(job[1].contains("epoch 30/30") && job[1].contains("45/45 batches") && job[1].contains("ex/s"),
        "a progress bar per epoch on stderr");
    Path csv = Training.OUT.resolve("digits-curves.csv");
    List<String> rows = Files.readAllLines(csv);
    assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds", rows.get(0));
    assertEquals(31, rows.size());
    assertTrue(rows.get(30).startsWith("30,"));
    assertPng(Training.OUT.resolve("digits-curves.png"));
  }

  private static void assertPng(Path png) throws IOException {
    byte[] head = new byte[8];
    try (var in = Files.newInputStream(png)) {
      assertEquals(8, in.read(head));
    }
    assertEquals(0x89504e470d0a1a0aL, ByteBuffer.wrap(head).getLong(), "a PNG file");
  }

  private void idx(String name, int[] dims, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt((0x08 << 8) | dims.length);
    for (int d : dims) b.putInt(d);
    b.put(data);
    try (var out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name)))) {
      out.write(b.array());
    }
  }

  /** A small MNIST-style folder (class k: a bright k-th band of rows) goes through the Fashion-MNIST path. */
  @Test
  void fashionMnistPathOnASmallFolder() throws Exception {
    for (String split : new String[] {"train", "t10k"}) {
      int n = split.equals("train") ? 640 : 128;
      byte[] images = new byte[n * 784];
      byte[] labels = new byte[n];
      java.util.Random random = new java.util.Random(split.length());
      for (int i = 0; i < n; i++) {
        int k = i % 10;
        labels[i] = (byte) k;
        for (int p = 0; p < 784; p++) {
          int row = p / 28;
          images[i * 784 + p] = (byte) (row / 3 == k ? 200 + random.nextInt(56) : random.nextInt(60));
        }
      }
      idx(split + "-images-idx3-ubyte.gz", new int[] {n, 28, 28}, images);
      idx(split + "-labels-idx1-ubyte.gz", new int[] {n}, labels);
    }
    String[] run = capture(() -> assertTrue(Training.fashionMnist(dir)));
    assertTrue(run[0].contains("640 training and 128 test samples, batch 64, 5 epochs"), run[0]);
    assertTrue(lastLine(run[0]).matches("test accuracy: \\d\\.\\d{4}"), lastLine(run[0]));
    assertTrue(Double.parseDouble(lastLine(run[0]).substring(15)) > 0.9, "an easy task: " + lastLine(run[0]));
    assertEquals(6, Files.readAllLines(Training.OUT.resolve("fashion-mnist-curves.csv")).size());
    assertPng(Training.OUT.resolve("fashion-mnist-curves.png"));
  }

  @Test
  void fashionMnistMissingSaysHowToGetIt() throws Exception {
    String[] run = capture(() -> assertFalse(Training.fashionMnist(dir.resolve("nowhere"))));
    assertTrue(run[1].contains("Fashion-MNIST not found in " + dir.resolve("nowhere")), run[1]);
    assertTrue(run[1].contains("apt-get install dataset-fashion-mnist"), run[1]);
    assertTrue(run[1].contains("-Dexec.args=\"fashion-mnist /path/to/that/folder\""), run[1]);
    assertEquals("", run[0]);
  }
}
