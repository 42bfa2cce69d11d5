package consumer;

import dev.vectorgrad.Generator;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import dev.vectorgrad.io.Safetensors;
import dev.vectorgrad.nn.Linear;
import dev.vectorgrad.nn.MSELoss;
import dev.vectorgrad.nn.Module;
import dev.vectorgrad.nn.ReLU;
import dev.vectorgrad.nn.Sequential;
import dev.vectorgrad.optim.SGD;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A few SGD steps of a small MLP on y = sum(x), the weights saved to safetensors and loaded back,
 * and a tensor over the caller's own off-heap memory: what a user of the library does first.
 * Prints one line per fact; verify.groovy compares the four runs.
 */
public final class TrainStep {
  public static void main(String[] args) throws Exception {
    System.out.println("running on the " + (TrainStep.class.getModule().isNamed() ? "module" : "class") + " path");
    Generator g = new Generator(0);
    Module model = new Sequential(new Linear(4, 8, true, g), new ReLU(), new Linear(8, 1, true, g));
    SGD optimizer = new SGD(model.parameters(), 0.05);
    MSELoss lossFn = new MSELoss();
    Tensor x = Tensor.randn(g, 32, 4);
    Tensor y = x.sum(new int[] {1}, true);
    double first = 0, last = 0;
    for (int step = 0; step < 20; step++) {
      try (var scope = TensorScope.open()) {
        optimizer.zeroGrad();
        Tensor loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        optimizer.step();
        if (step == 0) first = loss.item();
        last = loss.item();
      }
    }
    System.out.printf("loss %.6f -> %.6f%n", first, last);
    System.out.println("loss decreased: " + (last < first));

    Path file = Files.createTempFile("consumer", ".safetensors");
    Safetensors.saveModel(model, file);
    Module reloaded = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    Safetensors.loadModel(reloaded, file);
    Files.delete(file);
    boolean same = model.forward(x).eq(reloaded.forward(x)).all().item() == 1.0;
    System.out.println("safetensors round trip identical: " + same);

    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mine = arena.allocate(16 * Float.BYTES, 64);
      Tensor view = Tensor.wrap(mine, dev.vectorgrad.DType.FLOAT32, 4, 4);
      view.fill_(0.5);
      System.out.println("wrapped segment sum: " + view.sum().item() + ", segment() is the caller's memory: "
          + (view.segment().address() == mine.address()));
    }
  }
}
