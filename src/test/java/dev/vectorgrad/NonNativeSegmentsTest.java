package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vectorgrad.nn.Functional;
import dev.vectorgrad.optim.Adam;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tensors over segments that are not plain native ones (a Java array, a memory-mapped file) take
 * the kernels' unchecked copies ({@code NativeSegments}, {@code GenerateKernels.guardNative}) and the
 * fused loops' {@code runAny}: the same bits as the same ops over vectorgrad's own memory.
 */
class NonNativeSegmentsTest {
  private static final int ROWS = 37, COLS = 29;

  private static float[] values(int n, int seed) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) Math.sin(seed * 7.3 + i * 0.37) * 3f;
    return v;
  }

  static Stream<String> kinds() {
    return Stream.of("heap", "mapped");
  }

  /** A tensor of {@code data}'s values over a segment of the given kind (kept open by {@code arena}). */
  private static Tensor over(String kind, float[] data, Arena arena, long... shape) throws IOException {
    MemorySegment segment;
    if (kind.equals("heap")) {
      segment = MemorySegment.ofArray(data.clone());
    } else {
      Path file = Files.createTempFile("vectorgrad-mapped", ".bin");
      file.toFile().deleteOnExit();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        segment = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4L * data.length, arena);
      }
      MemorySegment.copy(data, 0, segment, ValueLayout.JAVA_FLOAT, 0, data.length);
    }
    return Tensor.wrap(segment, DType.FLOAT32, shape);
  }

  private static final List<BiFunction<Tensor, Tensor, Tensor>> OPS = List.of(
      Tensor::add, Tensor::mul, (a, b) -> a.add(2.5), (a, b) -> a.relu(), (a, b) -> a.exp(),
      (a, b) -> Functional.gelu(a), (a, b) -> a.sigmoid(), (a, b) -> a.maximum(b), (a, b) -> a.lt(b).to(DType.FLOAT32),
      (a, b) -> Tensor.where(a.gt(b), a, b), (a, b) -> a.sub(a.amax(new int[] {-1}, true)), (a, b) -> a.softmax(-1),
      (a, b) -> a.mul(b).add(a).relu().sub(b), (a, b) -> a.matmul(b.t()), (a, b) -> a.sum(), (a, b) -> a.mean(),
      (a, b) -> a.max(), (a, b) -> a.sum(new int[] {1}, false), (a, b) -> a.t().add(b.t()));

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void opsOverOtherSegmentsGiveTheBitsOfOpsOverOwnMemory(String kind) throws IOException {
    float[] x = values(ROWS * COLS, 1), y = values(ROWS * COLS, 2);
    try (Arena arena = Arena.ofShared(); TensorScope s = TensorScope.open()) {
      Tensor a = over(kind, x, arena, ROWS, COLS), b = over(kind, y, arena, ROWS, COLS);
      Tensor ownA = Tensor.of(x, ROWS, COLS), ownB = Tensor.of(y, ROWS, COLS);
      for (int i = 0; i < OPS.size(); i++) {
        float[] expected = OPS.get(i).apply(ownA, ownB).toFloatArray();
        assertArrayEquals(expected, OPS.get(i).apply(a, b).toFloatArray(), kind + " op " + i);
        assertArrayEquals(expected, OPS.get(i).apply(a, ownB).toFloatArray(), kind + " op " + i + ", one operand");
      }
    }
  }

  /**
   * The check the kernels make ({@code NativeSegments.NATIVE}) holds for vectorgrad's own memory, small
   * (slab) and large (arena or huge-page block) blocks and views alike: otherwise every kernel would
   * silently take its unchecked copy.
   */
  @Test
  void vectorgradsOwnMemoryIsOfTheClassTheKernelsCheckFor() {
    try (TensorScope s = TensorScope.open()) {
      for (Tensor t : List.of(Tensor.rand(7), Tensor.rand(1000), Tensor.rand(1 << 20), Tensor.rand(64, 64).t())) {
        assertEquals(dev.vectorgrad.kernels.NativeSegments.NATIVE, t.seg().getClass(), "storage of " + t.numel() + " elements");
      }
    }
  }

  /** Adam's fused step writes the parameter in place, through the array-backed segment. */
  @Test
  void anOptimizerStepsAParameterOverAJavaArray() {
    float[] init = values(1000, 3), grad = values(1000, 4);
    float[] array = init.clone();
    try (TensorScope s = TensorScope.open()) {
      Tensor heap = Tensor.wrap(MemorySegment.ofArray(array), DType.FLOAT32, 1000).requiresGrad_(true);
      Tensor own = Tensor.of(init).requiresGrad_(true);
      Adam onHeap = new Adam(List.of(heap), 1e-2), onOwn = new Adam(List.of(own), 1e-2);
      for (int step = 0; step < 5; step++) {
        heap.mul(Tensor.of(grad)).sum().backward();
        own.mul(Tensor.of(grad)).sum().backward();
        onHeap.step();
        onOwn.step();
        onHeap.zeroGrad();
        onOwn.zeroGrad();
      }
      assertArrayEquals(own.toFloatArray(), array, "the array holds the stepped parameter");
      assertEquals(own.sum().item(), heap.sum().item());
    }
  }
}
