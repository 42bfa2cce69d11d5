package dev.vectorgrad.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.nn.Module;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hugging Face safetensors files: a little-endian u64 header length N, N bytes of JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"k": "v"}}}), then the raw little-endian bytes. Python: the {@code safetensors}
 * package ({@code safe_open}, {@code safetensors.torch.load_file}, {@code save_file}).
 *
 * <p>Dtypes: {@code F32 F64 I64 BOOL} are read as float32, float64, int64 and bool as they are;
 * {@code F16} and {@code BF16} are read into float32 (exact), and {@code I32 I16 I8 U8 U16 U32}
 * into int64 (exact). Other dtypes the format defines ({@code U64}, {@code F8_*}, ...) are
 * accepted in the header but {@link SafetensorsFile#get} refuses them.
 *
 * <p>The header is validated as the reference implementation does: at most 100,000,000 header
 * bytes, the header within the file, valid UTF-8 JSON starting with <code>'&#123;'</code>, every shape times
 * its dtype's size equal to its byte range, and the ranges, sorted, covering the data section
 * exactly, without gaps or overlaps.
 *
 * <p>Module weights: {@link #saveModel} and {@link #loadModel} write and load a
 * {@link Module#stateDict()} under PyTorch's names, so the same file loads into the same
 * architecture in PyTorch ({@code model.load_state_dict(safetensors.torch.load_file(path))}).
 */
public final class Safetensors {
  private Safetensors() {}

  /** The reference implementation's limit on the JSON header. */
  public static final long MAX_HEADER_SIZE = 100_000_000;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(40).build())
      .build();

  /** One tensor's entry in the header. */
  record Info(String name, String dtype, long[] shape, long begin, long end) {}

  /**
   * Maps the file and validates its header; tensors from {@link SafetensorsFile#get} are zero-copy
   * views of the mapping, valid until the file is closed. Python: {@code safe_open(path, "pt")}.
   *
   * @throws FormatException when the file is not a valid safetensors file (the message names the
   *     file and the problem)
   */
  public static SafetensorsFile open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Arena arena = Arena.ofShared();
    try {
      MemorySegment mapped = IoSupport.map(file, arena);
      Header h = parse(file, mapped);
      return new SafetensorsFile(file, arena, mapped, h.dataStart, h.infos, h.metadata);
    } catch (IOException | RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /**
   * Reads every tensor into vectorgrad-owned copies, in file order. Python:
   * {@code safetensors.torch.load_file(path)}.
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    try (SafetensorsFile f = open(file)) {
      Map<String, Tensor> out = new LinkedHashMap<>();
      boolean ok = false;
      try {
        for (String name : f.names()) out.put(name, f.copy(name));
        ok = true;
        return out;
      } finally {
        if (!ok) out.values().forEach(Tensor::close);
      }
    }
  }

  /** Writes the tensors without metadata. Python: {@code safetensors.torch.save_file(tensors, path)}. */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  /**
   * Writes the tensors and a {@code __metadata__} map of strings. Tensors are laid out as the
   * reference writer does, by element size (largest first), so every tensor is aligned for
   * zero-copy mapping, and by insertion order within a size. Python:
   * {@code safetensors.torch.save_file(tensors, path, metadata)}.
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(tensors, "tensors");
    Objects.requireNonNull(metadata, "metadata");
    List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
    for (var kv : order) {
      if (kv.getKey() == null || kv.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("invalid tensor name " + kv.getKey());
      }
      Objects.requireNonNull(kv.getValue(), kv.getKey());
    }
    order.sort(Comparator.comparingInt((Map.Entry<String, Tensor> kv) -> -kv.getValue().dtype().byteSize()));
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(json, JsonEncoding.UTF8)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart("__metadata__");
        for (var kv : metadata.entrySet()) g.writeStringField(kv.getKey(), Objects.requireNonNull(kv.getValue(), kv.getKey()));
        g.writeEndObject();
      }
      long pos = 0;
      for (var kv : order) {
        Tensor t = kv.getValue();
        long bytes = t.numel() * t.dtype().byteSize();
        g.writeObjectFieldStart(kv.getKey());
        g.writeStringField("dtype", name(t.dtype()));
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) g.writeNumber(d);
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(pos);
        g.writeNumber(pos + bytes);
        g.writeEndArray();
        g.writeEndObject();
        pos += bytes;
      }
      g.writeEndObject();
    }
    while (json.size() % 8 != 0) json.write(' ');
    byte[] header = json.toByteArray();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      MemorySegment len = MemorySegment.ofArray(new byte[8]);
      len.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, header.length);
      IoSupport.write(ch, len);
      IoSupport.write(ch, MemorySegment.ofArray(header));
      for (var kv : order) IoSupport.write(ch, IoSupport.littleEndianBytes(kv.getValue()));
    }
  }

  /**
   * Writes a module's {@link Module#stateDict()} (parameters and persistent buffers under PyTorch's
   * names, such as {@code 0.weight} or {@code 4.running_mean}) with the metadata
   * {@code {"format": "pt"}}, which Hugging Face loaders look for. PyTorch loads the file with
   * {@code model.load_state_dict(safetensors.torch.load_file(path))}. Python:
   * {@code safetensors.torch.save_model(model, path)}, except that a tensor shared by several names
   * is written under each of them (PyTorch's {@code save_model} keeps one name).
   *
   * @param module the module whose state is written
   * @param file the file to create or replace
   * @throws IOException when the file cannot be written
   */
  public static void saveModel(Module module, Path file) throws IOException {
    saveModel(module, file, Map.of());
  }

  /**
   * {@link #saveModel(Module, Path)} with more {@code __metadata__} strings (a {@code "format"}
   * entry given here replaces {@code "pt"}). Python:
   * {@code safetensors.torch.save_model(model, path, metadata)}.
   *
   * @param module the module whose state is written
   * @param file the file to create or replace
   * @param metadata strings stored in the header's {@code __metadata__}
   * @throws IOException when the file cannot be written
   */
  public static void saveModel(Module module, Path file, Map<String, String> metadata) throws IOException {
    Objects.requireNonNull(module, "module");
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.putAll(metadata);
    Map<String, Tensor> state = module.stateDict();
    try {
      write(file, state, meta);
    } finally {
      state.values().forEach(Tensor::close);   // detached views: closing them leaves the module's tensors alone
    }
  }

  /**
   * Loads a safetensors file into a module's parameters and buffers (strict: the names must be
   * exactly those of {@link Module#stateDict()}), copying from the mapped file without an
   * intermediate copy; {@code F16}/{@code BF16} and narrower integers are converted. Python:
   * {@code safetensors.torch.load_model(model, path)}, or
   * {@code model.load_state_dict(safetensors.torch.load_file(path))}.
   *
   * @param module the module to load into
   * @param file a safetensors file, e.g. written by {@code safetensors.torch.save_file(model.state_dict(), path)}
   * @throws IOException when the file cannot be read or is not a valid safetensors file
   * @throws IllegalArgumentException with PyTorch's {@code load_state_dict} message when names or shapes differ
   */
  public static void loadModel(Module module, Path file) throws IOException {
    loadModel(module, file, true);
  }

  /**
   * {@link #loadModel(Module, Path)}; when not {@code strict}, missing and unexpected names are
   * returned instead of raised (shape mismatches still raise). Python:
   * {@code safetensors.torch.load_model(model, path, strict)}.
   *
   * @param module the module to load into
   * @param file a safetensors file
   * @param strict whether every name must match
   * @return the names the file lacked and the names the module lacked
   * @throws IOException when the file cannot be read or is not a valid safetensors file
   */
  public static Module.IncompatibleKeys loadModel(Module module, Path file, boolean strict) throws IOException {
    Objects.requireNonNull(module, "module");
    try (SafetensorsFile f = open(file)) {
      Map<String, Tensor> state = new LinkedHashMap<>();
      try {
        for (String name : f.names()) state.put(name, f.get(name));
        return module.loadStateDict(state, strict);
      } finally {
        state.values().forEach(Tensor::close);   // views of the mapping, or converted copies
      }
    }
  }

  static String name(DType d) {
    return switch (d) {
      case FLOAT32 -> "F32";
      case FLOAT64 -> "F64";
      case INT64 -> "I64";
      case BOOL -> "BOOL";
    };
  }

  /** Element size of every dtype the format defines, or -1 for an unknown name. */
  static int size(String dtype) {
    return switch (dtype) {
      case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0" -> 1;
      case "I16", "U16", "F16", "BF16" -> 2;
      case "I32", "U32", "F32" -> 4;
      case "I64", "U64", "F64", "C64" -> 8;
      default -> -1;
    };
  }

  /** The element type vectorgrad reads a dtype as, or null when it cannot. */
  static ElemType elemType(String dtype) {
    return switch (dtype) {
      case "F32" -> ElemType.F4;
      case "F64" -> ElemType.F8;
      case "I64" -> ElemType.I8;
      case "BOOL" -> ElemType.B1;
      case "F16" -> ElemType.F2;
      case "BF16" -> ElemType.BF16;
      case "I32" -> ElemType.I4;
      case "I16" -> ElemType.I2;
      case "I8" -> ElemType.I1;
      case "U8" -> ElemType.U1;
      case "U16" -> ElemType.U2;
      case "U32" -> ElemType.U4;
      default -> null;
    };
  }

  record Header(long dataStart, List<Info> infos, Map<String, String> metadata) {}

  static Header parse(Path file, MemorySegment mapped) throws FormatException {
    long size = mapped.byteSize();
    if (size < 8) throw new FormatException(file, "not a safetensors file: " + size + " bytes, too short for the header length");
    long n = mapped.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (n < 0 || n > MAX_HEADER_SIZE) {
      throw new FormatException(file, "header too large: " + Long.toUnsignedString(n) + " bytes (the limit is " + MAX_HEADER_SIZE + ")");
    }
    if (n > size - 8) {
      throw new FormatException(file, "invalid header length " + n + ": the file has only " + (size - 8) + " bytes after it");
    }
    byte[] json = new byte[(int) n];
    MemorySegment.copy(mapped, ValueLayout.JAVA_BYTE, 8, json, 0, json.length);
    if (n == 0 || json[0] != '{') throw new FormatException(file, "invalid header: it does not start with '{'");
    List<Info> infos = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    try (JsonParser p = JSON.createParser(json)) {
      expect(file, p.nextToken(), JsonToken.START_OBJECT, "the header");
      boolean sawMetadata = false;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String key = p.currentName();
        if (!seen.add(key)) throw new FormatException(file, "invalid header: duplicate key \"" + key + "\"");
        JsonToken v = p.nextToken();
        if (key.equals("__metadata__")) {
          sawMetadata = true;
          if (v == JsonToken.VALUE_NULL) continue;
          expect(file, v, JsonToken.START_OBJECT, "__metadata__");
          for (JsonToken m = p.nextToken(); m != JsonToken.END_OBJECT; m = p.nextToken()) {
            String mk = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
              throw new FormatException(file, "invalid header: __metadata__ value of \"" + mk + "\" is not a string");
            }
            metadata.put(mk, p.getText());
          }
          continue;
        }
        expect(file, v, JsonToken.START_OBJECT, "tensor \"" + key + "\"");
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
          String field = p.currentName();
          JsonToken fv = p.nextToken();
          switch (field) {
            case "dtype" -> {
              if (fv != JsonToken.VALUE_STRING) throw new FormatException(file, "tensor \"" + key + "\": dtype is not a string");
              dtype = p.getText();
            }
            case "shape" -> shape = longs(file, p, fv, key, "shape");
            case "data_offsets" -> offsets = longs(file, p, fv, key, "data_offsets");
            default -> p.skipChildren();
          }
        }
        if (dtype == null || shape == null || offsets == null) {
          throw new FormatException(file, "tensor \"" + key + "\": missing " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        if (offsets.length != 2) throw new FormatException(file, "tensor \"" + key + "\": data_offsets must hold 2 numbers");
        int es = size(dtype);
        if (es < 0) throw new FormatException(file, "tensor \"" + key + "\": unknown dtype \"" + dtype + "\"");
        if (offsets[1] < offsets[0]) {
          throw new FormatException(file, "tensor \"" + key + "\": invalid data_offsets [" + offsets[0] + ", " + offsets[1] + "] (end before begin)");
        }
        long bytes = IoSupport.bytes(IoSupport.numel(shape), es);
        if (bytes < 0 || bytes != offsets[1] - offsets[0]) {
          throw new FormatException(file, "tensor \"" + key + "\": shape " + java.util.Arrays.toString(shape) + " of " + dtype
              + " does not match its " + (offsets[1] - offsets[0]) + "-byte range");
        }
        infos.add(new Info(key, dtype, shape, offsets[0], offsets[1]));
      }
      if (p.nextToken() != null) throw new FormatException(file, "invalid header: text after the JSON object");
    } catch (FormatException e) {
      throw e;
    } catch (IOException e) {   // JsonParseException, StreamConstraintsException, malformed UTF-8
      throw new FormatException(file, "invalid header JSON: " + (e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage() : e.getMessage()), e);
    }
    List<Info> sorted = new ArrayList<>(infos);
    sorted.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
    long pos = 0;
    for (Info i : sorted) {
      if (i.begin() != pos) {
        throw new FormatException(file, "tensor \"" + i.name() + "\": invalid offset " + i.begin() + " (expected " + pos
            + ": tensors must cover the data section without gaps or overlaps)");
      }
      pos = i.end();
    }
    long dataStart = 8 + n;
    if (pos != size - dataStart) {
      throw new FormatException(file, "metadata incomplete: the tensors cover " + pos + " bytes but the data section has "
          + (size - dataStart));
    }
    return new Header(dataStart, List.copyOf(sorted), metadata);
  }

  private static void expect(Path file, JsonToken got, JsonToken want, String what) throws FormatException {
    if (got != want) throw new FormatException(file, "invalid header: " + what + " is not a JSON " + (want == JsonToken.START_OBJECT ? "object" : want));
  }

  private static long[] longs(Path file, JsonParser p, JsonToken t, String key, String field) throws IOException {
    if (t != JsonToken.START_ARRAY) throw new FormatException(file, "tensor \"" + key + "\": " + field + " is not an array");
    List<Long> out = new ArrayList<>();
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (e != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
        throw new FormatException(file, "tensor \"" + key + "\": " + field + " holds " + p.getText() + ", not a non-negative integer");
      }
      if (out.size() >= 64) throw new FormatException(file, "tensor \"" + key + "\": " + field + " has too many entries");
      out.add(p.getLongValue());
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
