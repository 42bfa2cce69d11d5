package dev.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's "Off-heap interop" example is OffHeapExample, and it prints what its comments say. */
class OffHeapExampleTest {
  static final Path SOURCE = Path.of("src/test/java/dev/vectorgrad/io/OffHeapExample.java");

  @Test
  void printsWhatTheReadmeSays() throws Throwable {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      OffHeapExample.main(new String[0]);
    } finally {
      System.setOut(out);
    }
    assertEquals(List.of("tensor(15.)", "[weight, bias] FLOAT32", "1.5", "tensor([[0., 0., 0.],", "        [3., 3., 3.]])"),
        captured.toString(StandardCharsets.UTF_8).lines().toList());
  }

  @Test
  void theReadmeShowsThisExampleVerbatim() throws Exception {
    String source = Files.readString(SOURCE);
    String example = source.substring(source.indexOf("public class OffHeapExample"));
    assertTrue(Files.readString(Path.of("README.md")).contains(example),
        "README.md's Off-heap interop example differs from " + SOURCE);
  }
}
