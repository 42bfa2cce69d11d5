package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vectorgrad.testsupport.ChildJvm;
import dev.vectorgrad.testsupport.FusionWarmMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The loops fusion generates (FusionCompiler) in a default JVM. */
class FusionCompilerTest {
  /**
   * Both generated methods reach C2 (tier 4, not only on-stack replacement) in a default tiered
   * JVM, as the GEMM micro-kernels must: a method stuck in C1 would run many times slower.
   */
  @Test
  void generatedLoopsAreCompiledByC2() throws Exception {
    assumeTrue(FusionCompiler.available(), "the Vector API kernels are checked in the default run");
    Path log = Files.createTempFile("fusion-compilation", ".log");
    try {
      ChildJvm.Result r = ChildJvm.run(FusionWarmMain.class, "--add-modules", "jdk.incubator.vector",
          "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintCompilation", "-XX:-DisplayVMOutput",
          "-XX:+LogVMOutput", "-XX:LogFile=" + log);
      assertEquals(0, r.exitCode(), r.output());
      assertTrue(r.output().contains("fusion-warm-done"), r.output());
      String compilations = Files.readString(log);
      for (String method : new String[] {"run", "sumBlock"}) {
        Pattern c2 = Pattern.compile("(?m)^\\s*\\d+\\s+\\d+\\s[ sbn!]*\\s4\\s+dev\\.vectorgrad\\.FusedKernel/0x[0-9a-f]+::" + method + " \\(");
        assertTrue(c2.matcher(compilations).find(), "FusedKernel::" + method + " never compiled at tier 4:\n"
            + grep(compilations, "FusedKernel"));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void oneTreeShapeCompilesOnceWhateverItsOperands() {
    assumeTrue(FusionCompiler.available() && Fusion.ENABLED && Fusion.MIN_ELEMENTS == 1, "small chains stay pending");
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.rand(10), b = Tensor.rand(10), c = Tensor.rand(10), d = Tensor.rand(10);
      var first = kernelOf(a.mul(b).add(2));
      var second = kernelOf(c.mul(d).add(5));
      assertTrue(first != null && first == second, "the same shape reuses its class");
      assertTrue(kernelOf(a.mul(b).sub(2)) != first, "another op is another shape");
      assertTrue(kernelOf(a.mul(a).add(2)) != first, "one operand used twice is another shape");
    }
  }

  /**
   * A tree's shape is built with its nodes: the second operand's streams are renumbered after the
   * first's, so a tensor read in both subtrees is one stream, and the loop reads the right tensor
   * for each (values of float arithmetic per element).
   */
  @Test
  void aTensorReadInBothSubtreesIsOneStreamOfTheLoop() {
    assumeTrue(FusionCompiler.available() && Fusion.ENABLED && Fusion.MIN_ELEMENTS == 1, "small chains stay pending");
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.rand(64), b = Tensor.rand(64), c = Tensor.rand(64), d = Tensor.rand(64);
      var crossed = kernelOf(a.mul(b).add(b.mul(a)));
      assertTrue(crossed != null && crossed == kernelOf(c.mul(d).add(d.mul(c))), "the same shape, other tensors");
      assertTrue(kernelOf(a.mul(b).add(c.mul(d))) != crossed, "four streams are another shape");
      assertTrue(kernelOf(a.mul(b).add(a.mul(b))) != crossed, "the same order in both subtrees is another shape");
      Tensor r = a.mul(b).sub(b.mul(c).div(a)).add(c.relu().mul(d));
      assertTrue(kernelOf(r) != null, "compiled");
      float[] x = a.toFloatArray(), y = b.toFloatArray(), z = c.toFloatArray(), w = d.toFloatArray();
      float[] got = r.toFloatArray();
      for (int i = 0; i < 64; i++) {
        assertEquals(x[i] * y[i] - y[i] * z[i] / x[i] + Math.max(z[i], 0f) * w[i], got[i], 0f, "element " + i);
      }
    }
  }

  private static FusionCompiler.Kernel kernelOf(Tensor pending) {
    return Fusion.compiledKernelForTests(pending);
  }

  private static String grep(String text, String needle) {
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n")) if (line.contains(needle)) sb.append(line).append('\n');
    return sb.toString();
  }
}
