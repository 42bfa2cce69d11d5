package dev.vectorgrad.bench;

import dev.vectorgrad.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Settings every benchmark shares (JMH inherits class annotations): average time in ns, one fork
 * with the flags vectorgrad needs, four 1 s warm-up and six 1 s measurement iterations. Override
 * any of them on the command line (-f, -wi, -i, -w, -r).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public abstract class BenchmarkDefaults {
  /**
   * The size in bytes of {@code result}'s values, after making sure they exist in memory. Since
   * elementwise fusion (issue 10) an op's result may stay pending until something reads it, so a
   * benchmark that only closed the result would time the bookkeeping and never the arithmetic; C
   * and PyTorch write every element, so the comparison must too. {@code segment()} is the public
   * consumer that hands the values to foreign code: it computes a pending result, once.
   */
  static long computed(Tensor result) {
    return result.segment().byteSize();
  }
}
