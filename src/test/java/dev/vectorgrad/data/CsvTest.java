package dev.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV reader: numbers into float32/float64/int64 tensors, with a header or without, and its errors. */
class CsvTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void headerColumnsAndDtypes() throws IOException {
    Path p = write("iris.csv", "sepal length, \"petal, width\",species\r\n5.1,0.2,0\r\n\r\n-4.9,1e-1,2\r\n6.5,  2.0 ,1\r\n");
    Csv csv = Csv.read(p, true);
    assertEquals(3, csv.rows());
    assertEquals(3, csv.columns());
    assertEquals(List.of("sepal length", "petal, width", "species"), csv.columnNames());
    assertEquals(1, csv.columnIndex("petal, width"));
    try (Tensor x = csv.columns(Csv.range(0, 2), DType.FLOAT32);
        Tensor y = csv.column("species", DType.INT64);
        Tensor d = csv.column(0, DType.FLOAT64);
        Tensor swapped = csv.columns(new int[] {2, 0}, DType.FLOAT32)) {
      assertEquals(DType.FLOAT32, x.dtype());
      assertArrayEquals(new long[] {3, 2}, x.shape());
      assertArrayEquals(new float[] {5.1f, 0.2f, -4.9f, 0.1f, 6.5f, 2.0f}, x.toFloatArray());
      assertEquals(DType.INT64, y.dtype());
      assertArrayEquals(new long[] {3}, y.shape());
      assertArrayEquals(new long[] {0, 2, 1}, y.toLongArray());
      assertArrayEquals(new double[] {5.1, -4.9, 6.5}, d.toDoubleArray());
      assertArrayEquals(new float[] {0, 5.1f, 2, -4.9f, 1, 6.5f}, swapped.toFloatArray());
    }
    assertEquals(0.1, csv.get(1, 1));
    assertThrows(IllegalArgumentException.class, () -> csv.columnIndex("petal"));
    assertThrows(IndexOutOfBoundsException.class, () -> csv.column(3, DType.FLOAT32));
    assertThrows(IllegalArgumentException.class, () -> csv.columns(DType.BOOL));
  }

  @Test
  void noHeaderGzipSpecialValuesAndDelimiter() throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var g = new GZIPOutputStream(bytes)) {
      g.write("1;nan;inf\n2;-Infinity;\n3;NaN;+4.5E2\n".getBytes(StandardCharsets.UTF_8));
    }
    Path p = dir.resolve("values.csv.gz");
    Files.write(p, bytes.toByteArray());
    Csv csv = Csv.read(p, false, ';');
    assertEquals(List.of("0", "1", "2"), csv.columnNames());
    try (Tensor all = csv.columns(DType.FLOAT64)) {
      double[] v = all.toDoubleArray();
      assertArrayEquals(new double[] {1, Double.NaN, Double.POSITIVE_INFINITY, 2, Double.NEGATIVE_INFINITY, Double.NaN,
          3, Double.NaN, 450}, v);
    }
    try (Tensor first = csv.column(0, DType.INT64)) {
      assertArrayEquals(new long[] {1, 2, 3}, first.toLongArray());
    }
    // int64 refuses NaN, inf, missing and fractions, naming line and column
    var e = assertThrows(IllegalArgumentException.class, () -> csv.column(2, DType.INT64));
    assertTrue(e.getMessage().contains("line 1, column 3"), e.getMessage());
    var m = assertThrows(IllegalArgumentException.class, () -> csv.columns(new int[] {0, 1}, DType.INT64));
    assertTrue(m.getMessage().contains("line 1, column 2") && m.getMessage().contains("not an integer"), m.getMessage());
    Path frac = write("frac.csv", "a\n1\n2.5\n");
    var f = assertThrows(IllegalArgumentException.class, () -> Csv.read(frac, true).column("a", DType.INT64));
    assertTrue(f.getMessage().contains("line 3, column 1: '2.5'"), f.getMessage());
  }

  @Test
  void largeIntegersStayExactOrAreRefused() throws IOException {
    Path p = write("big.csv", "9007199254740992,9007199254740993\n-12,1\n");
    Csv csv = Csv.read(p, false);
    try (Tensor ok = csv.column(0, DType.INT64)) {
      assertArrayEquals(new long[] {9007199254740992L, -12}, ok.toLongArray());
    }
    var e = assertThrows(IllegalArgumentException.class, () -> csv.column(1, DType.INT64));
    assertTrue(e.getMessage().contains("2^53"), e.getMessage());
  }

  @Test
  void errorsNameFileLineAndColumn() throws IOException {
    Path ragged = write("ragged.csv", "1,2,3\n4,5\n");
    var e = assertThrows(IOException.class, () -> Csv.read(ragged, false));
    assertEquals(ragged + ": line 2: 2 fields, but the first record has 3", e.getMessage());
    Path header = write("header.csv", "x,y\n1,2\n");
    e = assertThrows(IOException.class, () -> Csv.read(header, false));
    assertTrue(e.getMessage().startsWith(header + ": line 1, column 1: 'x' is not a number")
        && e.getMessage().contains("header = true"), e.getMessage());
    Path word = write("word.csv", "x,y\n1,2\n3,abc\n");
    e = assertThrows(IOException.class, () -> Csv.read(word, true));
    assertEquals(word + ": line 3, column 2: 'abc' is not a number", e.getMessage());
    for (String bad : new String[] {"1f", "1d", "0x10", "1,5e", "--1", "1 2"}) {
      Path b = write("bad.csv", "a\n" + bad.replace(",", "") + "\n");
      assertThrows(IOException.class, () -> Csv.read(b, true), bad);
    }
    Path quote = write("quote.csv", "\"a,b\n1\n");
    e = assertThrows(IOException.class, () -> Csv.read(quote, true));
    assertTrue(e.getMessage().contains("line 1: unterminated quoted field"), e.getMessage());
    Path empty = write("empty.csv", "\n\n");
    e = assertThrows(IOException.class, () -> Csv.read(empty, false));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    Path onlyHeader = write("only-header.csv", "a,b\n");
    Csv none = Csv.read(onlyHeader, true);
    assertEquals(0, none.rows());
    try (Tensor t = none.columns(DType.FLOAT32)) {
      assertArrayEquals(new long[] {0, 2}, t.shape());
    }
    byte[] gz = new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
    Path cut = dir.resolve("cut.csv.gz");
    Files.write(cut, gz);
    e = assertThrows(IOException.class, () -> Csv.read(cut, false));
    assertTrue(e.getMessage().startsWith(cut + ": ") && e.getMessage().contains("gzip"), e.getMessage());
  }
}
