package dev.vectorgrad.io;

import dev.vectorgrad.Tensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * numpy's {@code .npz} archives: a zip file of {@code .npy} entries, stored or deflated. numpy:
 * {@code np.load} of an {@code .npz}, {@code np.savez}, {@code np.savez_compressed}. Each entry is
 * read as {@link Npy#read} reads a file (same dtypes and conversions).
 */
public final class Npz {
  private Npz() {}

  /** The largest expansion deflate allows (about 1032:1), to bound what an entry can inflate to. */
  private static final long MAX_DEFLATE_RATIO = 1032;

  /**
   * Reads every entry into vectorgrad-owned tensors, keyed by the entry name without its
   * {@code .npy} suffix, in the archive's order. numpy: {@code dict(np.load(path))}.
   *
   * @throws FormatException when the file is not a zip archive of valid {@code .npy} entries (the
   *     message names the file, the entry and the problem); no tensor is left allocated then
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    long fileSize = Files.size(file);
    Map<String, Tensor> out = new LinkedHashMap<>();
    boolean ok = false;
    try (ZipFile zip = open(file)) {
      List<? extends ZipEntry> entries = entries(file, zip);
      for (ZipEntry e : entries) {
        String name = e.getName();
        if (e.isDirectory()) continue;
        if (!name.endsWith(".npy")) throw new FormatException(file, "entry " + name + " is not a .npy array");
        String key = name.substring(0, name.length() - 4);
        if (out.containsKey(key)) throw new FormatException(file, "duplicate entry " + name);
        long csize = e.getCompressedSize();
        long max;
        if (e.getMethod() == ZipEntry.STORED) {
          max = Math.min(e.getSize() >= 0 ? e.getSize() : fileSize, fileSize);
        } else {
          long bound = csize >= 0 && csize <= fileSize ? csize : fileSize;
          max = Math.min(e.getSize() >= 0 ? e.getSize() : Long.MAX_VALUE, bound * MAX_DEFLATE_RATIO + 64);
        }
        try (InputStream in = zip.getInputStream(e)) {
          out.put(key, Npy.read(file, name, in, max));
        } catch (FormatException fe) {
          throw fe;
        } catch (ZipException | java.io.EOFException ze) {
          throw new FormatException(file, "entry " + name + ": corrupt zip data: " + ze.getMessage(), ze);
        }
      }
      ok = true;
      return out;
    } catch (FormatException fe) {
      throw fe;
    } catch (IOException | IllegalArgumentException ze) {
      // ZipFile reports damage without the file name (ZipException, or IAE for bad entry names)
      throw new FormatException(file, "corrupt .npz archive: " + ze.getMessage(), ze);
    } finally {
      if (!ok) out.values().forEach(Tensor::close);
    }
  }

  private static ZipFile open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString());
    try {
      return new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new FormatException(file, "not a zip archive (.npz): " + e.getMessage(), e);
    }
  }

  private static List<? extends ZipEntry> entries(Path file, ZipFile zip) throws FormatException {
    try {
      List<ZipEntry> list = new ArrayList<>();
      Enumeration<? extends ZipEntry> en = zip.entries();
      while (en.hasMoreElements()) list.add(en.nextElement());
      return list;
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new FormatException(file, "corrupt zip directory: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the tensors as an uncompressed {@code .npz} (stored entries named {@code key + ".npy"},
   * in the map's order) that {@code np.load} reads. numpy: {@code np.savez(path, **tensors)}.
   */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    write(file, tensors, false);
  }

  /** As {@link #write} with deflated entries. numpy: {@code np.savez_compressed(path, **tensors)}. */
  public static void writeCompressed(Path file, Map<String, Tensor> tensors) throws IOException {
    write(file, tensors, true);
  }

  private static void write(Path file, Map<String, Tensor> tensors, boolean deflate) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(tensors, "tensors");
    for (String k : tensors.keySet()) {
      if (k == null || k.isEmpty()) throw new IllegalArgumentException("npz keys must be non-empty strings");
    }
    try (OutputStream fos = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        ZipOutputStream zip = new ZipOutputStream(fos)) {
      for (Map.Entry<String, Tensor> kv : tensors.entrySet()) {
        Tensor t = Objects.requireNonNull(kv.getValue(), kv.getKey());
        ZipEntry e = new ZipEntry(kv.getKey() + ".npy");
        if (deflate) {
          e.setMethod(ZipEntry.DEFLATED);
        } else {
          CRC32 crc = new CRC32();
          Npy.write(null, t, crc);
          long size = Npy.encodedSize(t);
          e.setMethod(ZipEntry.STORED);
          e.setSize(size);
          e.setCompressedSize(size);
          e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        Npy.write(zip, t, null);
        zip.closeEntry();
      }
    }
  }
}
