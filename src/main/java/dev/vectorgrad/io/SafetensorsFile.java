package dev.vectorgrad.io;

import dev.vectorgrad.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An open, memory-mapped safetensors file ({@link Safetensors#open}). Python:
 * {@code safetensors.safe_open(path, framework="pt")}.
 *
 * <p>{@link #get} returns a zero-copy read-only view of the mapping for {@code F32 F64 I64 BOOL}
 * tensors whose bytes are aligned (every file the reference writer or vectorgrad writes), valid
 * until {@link #close()}: then every use of it throws {@link IllegalStateException}. Tensors that
 * need converting ({@code F16 BF16} to float32, smaller integers to int64, misaligned data, bool
 * bytes other than 0/1) are returned as vectorgrad-owned copies, which outlive the file.
 */
public final class SafetensorsFile implements AutoCloseable {
  private final Path file;
  private final Arena arena;
  private final MemorySegment mapped;
  private final long dataStart;
  private final Map<String, Safetensors.Info> infos = new LinkedHashMap<>();
  private final Map<String, String> metadata;

  SafetensorsFile(Path file, Arena arena, MemorySegment mapped, long dataStart, List<Safetensors.Info> infos,
      Map<String, String> metadata) {
    this.file = file;
    this.arena = arena;
    this.mapped = mapped;
    this.dataStart = dataStart;
    for (Safetensors.Info i : infos) this.infos.put(i.name(), i);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  /** The tensor names, in the order of their data in the file. Python: {@code f.keys()}. */
  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(infos.keySet()));
  }

  /** The {@code __metadata__} strings (empty when the file has none). Python: {@code f.metadata()}. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The file's dtype name of a tensor ({@code "F32"}, {@code "BF16"}, ...). */
  public String dtypeName(String name) {
    return info(name).dtype();
  }

  /** The shape of a tensor, from the header. Python: {@code f.get_slice(name).get_shape()}. */
  public long[] shape(String name) {
    return info(name).shape().clone();
  }

  /**
   * The tensor: a zero-copy view of the mapping where possible, else a converted copy (see the
   * class comment). Python: {@code f.get_tensor(name)}.
   *
   * @throws NoSuchElementException when the file has no tensor of that name
   * @throws IllegalArgumentException when its dtype cannot be read (U64, F8, C64)
   * @throws IllegalStateException when the file is closed
   */
  public Tensor get(String name) {
    Safetensors.Info i = info(name);
    checkOpen();
    ElemType t = type(i);
    Tensor view = IoSupport.viewOf(mapped, dataStart + i.begin(), t, ByteOrder.LITTLE_ENDIAN, i.shape(), false);
    return view != null ? view : IoSupport.copyOf(mapped, dataStart + i.begin(), t, ByteOrder.LITTLE_ENDIAN, i.shape(), false);
  }

  /** A vectorgrad-owned copy of the tensor, valid after close. */
  public Tensor copy(String name) {
    Safetensors.Info i = info(name);
    checkOpen();
    return IoSupport.copyOf(mapped, dataStart + i.begin(), type(i), ByteOrder.LITTLE_ENDIAN, i.shape(), false);
  }

  private ElemType type(Safetensors.Info i) {
    ElemType t = Safetensors.elemType(i.dtype());
    if (t == null) throw new IllegalArgumentException(file + ": tensor \"" + i.name() + "\" has dtype " + i.dtype()
        + ", which vectorgrad cannot represent");
    return t;
  }

  private Safetensors.Info info(String name) {
    Safetensors.Info i = infos.get(name);
    if (i == null) throw new NoSuchElementException(file + ": no tensor named \"" + name + "\"");
    return i;
  }

  private void checkOpen() {
    if (!arena.scope().isAlive()) throw new IllegalStateException(file + " is closed");
  }

  /** Unmaps the file; zero-copy tensors from {@link #get} throw {@link IllegalStateException} from then on. Idempotent. */
  @Override
  public void close() {
    if (arena.scope().isAlive()) arena.close();
  }
}
