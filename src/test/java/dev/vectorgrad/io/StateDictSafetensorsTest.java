package dev.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.nn.BatchNorm1d;
import dev.vectorgrad.nn.LayerNorm;
import dev.vectorgrad.nn.Linear;
import dev.vectorgrad.nn.Module;
import dev.vectorgrad.nn.ReLU;
import dev.vectorgrad.nn.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module weights move between PyTorch and vectorgrad through safetensors, in both directions.
 *
 * <p>PyTorch to vectorgrad: {@code golden/io/gen_state_dict.py} saved two PyTorch models'
 * {@code state_dict()} (an MLP, and one with LayerNorm and BatchNorm1d buffers) with their
 * eval-mode output on a fixed input; loaded into the same vectorgrad architecture, they compute
 * that output. vectorgrad to PyTorch: the files this test leaves in
 * {@code target/state-dict-roundtrip} are loaded into PyTorch by
 * {@code gen_state_dict.py check target/state-dict-roundtrip}, which compares PyTorch's output
 * with the one vectorgrad wrote beside them.
 */
class StateDictSafetensorsTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden/io/state_dict");
  static final Path ROUNDTRIP = Path.of("target/state-dict-roundtrip");

  /** The architectures of gen_state_dict.py, layer for layer. */
  static Module model(String name, Generator g) {
    return switch (name) {
      case "mlp" -> new Sequential(new Linear(5, 16, true, g), new ReLU(), new Linear(16, 3, true, g));
      case "norm" -> new Sequential(new Linear(6, 8, true, g), new LayerNorm(8), new ReLU(), new Linear(8, 4, true, g),
          new BatchNorm1d(4));
      default -> throw new IllegalArgumentException(name);
    };
  }

  static void assertClose(Tensor expected, Tensor actual, String where) {
    assertArrayEquals(expected.shape(), actual.shape(), where);
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      // float32 products summed in another order than PyTorch's BLAS: a few ulps, never more
      assertEquals(e[i], a[i], 1e-6 + 1e-5 * Math.abs(e[i]), where + "[" + i + "]");
    }
  }

  @Test
  void pytorchWeightsComputePytorchsOutputInTheSameVectorgradModel() throws IOException {
    for (String name : List.of("mlp", "norm")) {
      Module m = model(name, new Generator(1));
      Safetensors.loadModel(m, GOLDEN.resolve(name + ".safetensors"));
      m.eval();
      try (var noGrad = GradMode.noGrad()) {
        Tensor y = m.forward(Npy.read(GOLDEN.resolve(name + "_input.npy")));
        assertClose(Npy.read(GOLDEN.resolve(name + "_output.npy")), y, name);
      }
    }
  }

  @Test
  void theFileHoldsExactlyTheNamesOfPytorchsStateDict() throws IOException {
    Module norm = model("norm", new Generator(1));
    try (SafetensorsFile f = Safetensors.open(GOLDEN.resolve("norm.safetensors"))) {
      assertEquals(new java.util.TreeSet<>(norm.stateDict().keySet()), new java.util.TreeSet<>(f.names()));
      assertEquals("I64", f.dtypeName("4.num_batches_tracked"));
      assertArrayEquals(new long[0], f.shape("4.num_batches_tracked"), "a 0-dim int64 buffer");
    }
    Safetensors.loadModel(norm, GOLDEN.resolve("norm.safetensors"));
    assertEquals(3, norm.getBuffer("4.num_batches_tracked").item(), "three training batches in PyTorch");
    assertEquals(DType.INT64, norm.getBuffer("4.num_batches_tracked").dtype());
  }

  /** A vectorgrad-initialised model, BatchNorm statistics moved by three training batches, then eval. */
  static Module trainedVectorgradModel(String name, Generator g) {
    Module m = model(name, g);
    m.train();
    try (var noGrad = GradMode.noGrad()) {
      for (int i = 0; i < 3; i++) m.forward(Tensor.randn(g, 10, name.equals("mlp") ? 5 : 6).mul(2.0).add(1.0));
    }
    return m.eval();
  }

  @Test
  void vectorgradWeightsReloadExactlyAndAreLeftForPytorch() throws IOException {
    Files.createDirectories(ROUNDTRIP);
    for (String name : List.of("mlp", "norm")) {
      Generator g = new Generator(42);
      Module m = trainedVectorgradModel(name, g);
      Tensor x = Tensor.randn(g, 7, name.equals("mlp") ? 5 : 6);
      Tensor y;
      try (var noGrad = GradMode.noGrad()) {
        y = m.forward(x);
      }
      Path file = ROUNDTRIP.resolve(name + ".safetensors");
      Safetensors.saveModel(m, file);
      Npy.write(ROUNDTRIP.resolve(name + "_input.npy"), x);
      Npy.write(ROUNDTRIP.resolve(name + "_output.npy"), y);

      Map<String, Tensor> written = Safetensors.read(file);
      Map<String, Tensor> state = m.stateDict();
      assertEquals(new ArrayList<>(state.keySet()).stream().sorted().toList(),
          new ArrayList<>(written.keySet()).stream().sorted().toList(), name);
      for (String k : state.keySet()) {
        assertEquals(IoTest.hex(state.get(k)), IoTest.hex(written.get(k)), name + ":" + k);
        assertEquals(state.get(k).dtype(), written.get(k).dtype(), name + ":" + k);
      }
      try (SafetensorsFile f = Safetensors.open(file)) {
        assertEquals(Map.of("format", "pt"), f.metadata(), "what Hugging Face loaders check");
      }

      Module fresh = model(name, new Generator(7)).eval();
      Safetensors.loadModel(fresh, file);
      try (var noGrad = GradMode.noGrad()) {
        assertEquals(IoTest.hex(y), IoTest.hex(fresh.forward(x)), name + ": the same weights, the same bits");
      }
    }
  }

  @Test
  void mismatchesFailWithPytorchsMessage(@TempDir Path tmp) throws IOException {
    Module wrongShape = new Sequential(new Linear(5, 15), new ReLU(), new Linear(15, 3));
    var e = assertThrows(IllegalArgumentException.class,
        () -> Safetensors.loadModel(wrongShape, GOLDEN.resolve("mlp.safetensors")));
    assertTrue(e.getMessage().startsWith("Error(s) in loading state_dict for Sequential:"), e.getMessage());
    assertTrue(e.getMessage().contains("size mismatch for 0.weight: copying a param with shape torch.Size([16, 5]) from "
        + "checkpoint, the shape in current model is torch.Size([15, 5])."), e.getMessage());

    Module bigger = new Sequential(new Linear(5, 16), new ReLU(), new Linear(16, 3), new Linear(3, 2));
    var missing = assertThrows(IllegalArgumentException.class,
        () -> Safetensors.loadModel(bigger, GOLDEN.resolve("mlp.safetensors")));
    assertTrue(missing.getMessage().contains("Missing key(s) in state_dict: \"3.weight\", \"3.bias\"."), missing.getMessage());
    Module.IncompatibleKeys keys = Safetensors.loadModel(bigger, GOLDEN.resolve("mlp.safetensors"), false);
    assertEquals(List.of("3.weight", "3.bias"), keys.missingKeys());
    assertEquals(List.of(), keys.unexpectedKeys());

    Path notSafetensors = tmp.resolve("junk.safetensors");
    Files.write(notSafetensors, new byte[] {1, 2, 3});
    var bad = assertThrows(FormatException.class, () -> Safetensors.loadModel(bigger, notSafetensors));
    assertTrue(bad.getMessage().startsWith(notSafetensors.toString()), bad.getMessage());
  }
}
