package dev.vectorgrad.io;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.nn.Linear;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/** README "Off-heap interop", verbatim from the class line on (OffHeapExampleTest checks that it is). */
public class OffHeapExample {
  public static void main(String[] args) throws Throwable {
    Path dir = Files.createTempDirectory("offheap");

    // 1. Map a file: tensors are read-only views of the mapping, valid until it is closed.
    Path npy = dir.resolve("x.npy");
    Npy.write(npy, Tensor.arange(6).to(DType.FLOAT32).view(2, 3));       // or numpy: np.save(path, x)
    try (MappedTensor m = Npy.map(npy)) {                                 // numpy: np.load(path, mmap_mode='r')
      System.out.println(m.tensor().sum());                               // tensor(15.)
    }                                                                     // unmapped: using the tensor now throws
    Path weights = dir.resolve("model.safetensors");
    Safetensors.saveModel(new Linear(4, 2), weights);                     // PyTorch reads it with safetensors
    try (SafetensorsFile f = Safetensors.open(weights)) {                 // safetensors.safe_open(path, "pt")
      System.out.println(f.names() + " " + f.get("weight").dtype());      // [weight, bias] FLOAT32
    }

    // 2. Wrap memory you own: no copy; the tensor never frees it and dies with its arena.
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mine = arena.allocate(6 * Float.BYTES, 64);
      Tensor t = Tensor.wrap(mine, DType.FLOAT32, 2, 3);
      t.fill_(1.5);
      System.out.println(mine.getAtIndex(ValueLayout.JAVA_FLOAT, 5));    // 1.5: the tensor wrote your memory

      // 3. Hand a tensor's memory to foreign code: segment() is the exact bytes of a contiguous tensor.
      Tensor y = t.mul(2.0);
      Linker linker = Linker.nativeLinker();
      MethodHandle memset = linker.downcallHandle(linker.defaultLookup().find("memset").orElseThrow(),
          FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
      MemorySegment bytes = y.segment();
      MemorySegment ignored = (MemorySegment) memset.invokeExact(bytes.asSlice(0, 3 * Float.BYTES), 0, 3L * Float.BYTES);
      System.out.println(y);                                              // tensor([[0., 0., 0.],
    }                                                                     //         [3., 3., 3.]])
  }
}
