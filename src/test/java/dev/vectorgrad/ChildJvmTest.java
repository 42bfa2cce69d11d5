package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.testsupport.ChildJvm;
import dev.vectorgrad.testsupport.KernelProbeMain;
import dev.vectorgrad.testsupport.LeakingMain;
import org.junit.jupiter.api.Test;

/** Start-up behaviour that needs a JVM of its own: kernel selection without the incubator module, leak tracking. */
class ChildJvmTest {

  @Test
  void withoutTheVectorModuleTheScalarKernelsRunAndOneLineSaysHowToEnableTheFastPath() throws Exception {
    var result = ChildJvm.run(KernelProbeMain.class, "--enable-native-access=ALL-UNNAMED");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("provider=scalar kernels"), result.output());
    assertTrue(result.output().contains("result=tensor(90.)"), result.output());
    assertTrue(result.output().contains("jdk.incubator.vector is not available"), result.output());
    assertTrue(result.output().contains("--add-modules jdk.incubator.vector"), result.output());
  }

  @Test
  void withTheVectorModuleTheVectorKernelsRun() throws Exception {
    var result = ChildJvm.run(KernelProbeMain.class, "--add-modules", "jdk.incubator.vector");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("provider=Vector API kernels"), result.output());
    assertTrue(result.output().contains("result=tensor(90.)"), result.output());
  }

  @Test
  void demandingTheVectorApiWithoutTheModuleFailsLoudly() throws Exception {
    var result = ChildJvm.run(KernelProbeMain.class, "-Dvectorgrad.kernels=vector");
    assertTrue(result.exitCode() != 0, result.output());
    assertTrue(result.output().contains("-Dvectorgrad.kernels=vector demands it"), result.output());
  }

  @Test
  void withAllocationTrackingTheLeakReportNamesWhereTheLeakedTensorWasMade() throws Exception {
    var result = ChildJvm.run(LeakingMain.class, "--add-modules", "jdk.incubator.vector",
        "-Dvectorgrad.trackAllocations=true");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("4000 bytes"), result.output());
    assertTrue(result.output().contains("LeakingMain.leakOneTensor"), result.output());
    assertTrue(result.output().contains("releasedByGc=1"), result.output());
    assertTrue(result.output().contains("a tensor of 1200 bytes was never closed"), result.output());
    assertTrue(result.output().contains("LeakingMain.dropOneTensor"), result.output());
  }
}
