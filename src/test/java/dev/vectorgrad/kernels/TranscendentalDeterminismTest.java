package dev.vectorgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.testsupport.ChildJvm;
import dev.vectorgrad.testsupport.TranscendentalMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: float32 and float64 exp, log, sigmoid, silu, softmax, log_softmax (long rows and rows of one vector), logsumexp and cross entropy, and float32 tanh
 * (forward and gradient) give the same bits whatever the JIT has done with the kernels: computed in
 * a fresh JVM that only interprets ({@code -Xint}: the Vector API's Java fallback), in one that
 * stops at C1 and in a default JVM after a warm-up in which C2 compiled the kernels (checked in its
 * compilation log); the elementwise ones also with the scalar kernels. Before, the float exp and log were the Vector
 * API's {@code EXP}/{@code LOG} lanes: Intel SVML's under C2, {@code Math.exp} per lane before,
 * which differ in the last bit for some inputs (the float64 ones until the double exp and log got the
 * same treatment).
 */
class TranscendentalDeterminismTest {
  private static final String[] FLAGS = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"};

  @Test
  void sameBitsInterpretedC1CompiledC2CompiledAndScalar() throws Exception {
    List<String> interpreted = results(run("-Xint"));
    assertEquals(25, interpreted.size(), String.join("\n", interpreted));
    assertEquals(interpreted, results(run("-XX:TieredStopAtLevel=1")), "C1 against the interpreter");
    // The scalar kernels give the elementwise results the same bits; their softmax sums accumulate
    // element by element (the vector kernels in lanes), so the rows' sums may differ.
    List<String> scalar = results(run("-Dvectorgrad.kernels=scalar"));
    assertEquals(elementwise(interpreted), elementwise(scalar), "scalar kernels against the interpreter");
    assertEquals(11, elementwise(interpreted).size(), "six float32 and five float64 elementwise results");

    Path log = Files.createTempFile("transcendental-compilation", ".log");
    try {
      String warm = run("-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintCompilation", "-XX:-DisplayVMOutput",
          "-XX:+LogVMOutput", "-XX:LogFile=" + log, "-Dtranscendental.warm=true");
      assertEquals(interpreted, results(warm), "C2-compiled kernels against the interpreter");
      String compilations = Files.readString(log);
      for (String type : new String[] {"Float", "Double"}) {
        // the softmax passes run in sumExpShiftRun; rows of 7 in shortRows where 7 floats fit one vector
        boolean shortRows = type.equals("Float") && VectorShapes.MATH_SHAPE.vectorBitSize() / 32 >= 7;
        for (String kernel : type.equals("Float")
            ? (shortRows ? new String[] {"exp", "log", "sigmoid", "tanh", "sumExpShiftRun", "shortRows"}
                : new String[] {"exp", "log", "sigmoid", "tanh", "sumExpShiftRun"})
            : new String[] {"exp", "log", "sigmoid", "sumExpShiftRun"}) {
          Pattern c2 = Pattern.compile("(?m)^\\s*\\d+\\s+\\d+\\s[ %sbn!]*\\s4\\s+dev\\.vectorgrad\\.kernels\\.Vector" + type
              + "Kernels::" + kernel + " \\(");
          assertTrue(c2.matcher(compilations).find(),
              "Vector" + type + "Kernels::" + kernel + " was not compiled by C2 in the warm run");
        }
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Runs TranscendentalMain in a fresh JVM with {@code flags} and returns its output. */
  private static String run(String... flags) throws Exception {
    String[] jvm = new String[FLAGS.length + flags.length];
    System.arraycopy(FLAGS, 0, jvm, 0, FLAGS.length);
    System.arraycopy(flags, 0, jvm, FLAGS.length, flags.length);
    ChildJvm.Result r = ChildJvm.run(TranscendentalMain.class, jvm);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("transcendental-done"), r.output());
    return r.output();
  }

  private static final Pattern ELEMENTWISE = Pattern.compile("^result (float64 )?(exp|log|log\\|x\\||sigmoid|silu|tanh) ");

  private static List<String> elementwise(List<String> results) {
    return results.stream().filter(l -> ELEMENTWISE.matcher(l).find()).toList();
  }

  private static List<String> results(String output) {
    return output.lines().filter(l -> l.startsWith("result ")).toList();
  }
}
