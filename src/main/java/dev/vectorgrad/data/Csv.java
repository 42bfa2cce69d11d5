package dev.vectorgrad.data;

import dev.vectorgrad.DType;
import dev.vectorgrad.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A table of numbers read from a CSV file (plain or gzipped, recognised by content), turned into
 * float32, float64 or int64 tensors column by column. PyTorch has no CSV reader; the equivalent is
 * {@code torch.tensor(numpy.loadtxt(path, delimiter=",", skiprows=header))} or pandas'
 * {@code read_csv(path).to_numpy()}.
 *
 * <pre>{@code
 * Csv csv = Csv.read(Path.of("iris.csv"), true);           // first line: column names
 * Tensor x = csv.columns(Csv.range(0, 4), DType.FLOAT32);  // [rows, 4]
 * Tensor y = csv.column("species", DType.INT64);            // [rows]
 * }</pre>
 *
 * <p>Format: one record per line ({@code \n} or {@code \r\n}), fields separated by the delimiter
 * (',' unless given), surrounding spaces ignored, a field may be quoted ({@code "..."}, with
 * {@code ""} for a quote, on one line). Every field of the data must be a number in Java/Python
 * syntax ({@code 1}, {@code -2.5}, {@code 1e-3}), {@code nan} / {@code inf} / {@code -inf} (any
 * case, also {@code NaN}, {@code Infinity}), or empty (missing: NaN). Blank lines are skipped. All
 * records need as many fields as the first. Errors ({@link IOException}) name the file, line and
 * column.
 */
public final class Csv {
  private final String name;
  private final List<String> columnNames;
  private final int rows;
  private final int cols;
  private final double[] values; // row-major rows x cols
  private final boolean[] missing; // per column: some field was empty
  private final boolean[] inexact; // per column: some integer did not fit a double exactly
  private final int[] firstLine; // source line of each row (for messages)

  private Csv(String name, List<String> columnNames, int rows, int cols, double[] values, boolean[] missing,
      boolean[] inexact, int[] firstLine) {
    this.name = name;
    this.columnNames = columnNames;
    this.rows = rows;
    this.cols = cols;
    this.values = values;
    this.missing = missing;
    this.inexact = inexact;
    this.firstLine = firstLine;
  }

  /** Reads {@code file} with ',' as delimiter; {@code header}: the first line names the columns. */
  public static Csv read(Path file, boolean header) throws IOException {
    return read(file, header, ',');
  }

  /** Reads {@code file} with the given delimiter (e.g. ';' or '\t'). */
  public static Csv read(Path file, boolean header, char delimiter) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString(), header, delimiter);
    }
  }

  /**
   * Reads a stream (plain or gzipped) to its end without closing it; {@code name} names the source
   * in error messages.
   */
  public static Csv read(InputStream raw, String name, boolean header, char delimiter) throws IOException {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
      throw new IllegalArgumentException("delimiter must not be a quote or a line break");
    }
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    try {
      if (gzip) in = new GZIPInputStream(in, 1 << 16);
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
      return parse(reader, name, header, delimiter);
    } catch (ZipException e) {
      throw new IOException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (EOFException e) {
      throw new IOException(name + ": truncated " + (gzip ? "gzip data" : "file") + " (" + e.getMessage() + ")", e);
    }
  }

  private static Csv parse(BufferedReader reader, String name, boolean header, char delimiter) throws IOException {
    List<String> names = null;
    int cols = -1;
    double[] values = new double[1024];
    int[] lines = new int[64];
    int n = 0;
    int rows = 0;
    boolean[] missing = null;
    boolean[] inexact = null;
    String line;
    int lineNo = 0;
    List<String> fields = new ArrayList<>();
    while ((line = reader.readLine()) != null) {
      lineNo++;
      if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
      if (line.isBlank()) continue;
      split(line, delimiter, fields, name, lineNo);
      if (cols == -1) {
        cols = fields.size();
        missing = new boolean[cols];
        inexact = new boolean[cols];
        if (header) {
          names = List.copyOf(fields);
          continue;
        }
      }
      if (fields.size() != cols) {
        throw new IOException(name + ": line " + lineNo + ": " + fields.size() + " fields, but "
            + (names != null ? "the header has " : "the first record has ") + cols);
      }
      if (n + cols > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, n + cols));
      for (int c = 0; c < cols; c++) {
        String f = fields.get(c);
        double v;
        if (f.isEmpty()) {
          v = Double.NaN;
          missing[c] = true;
        } else {
          v = number(f, name, lineNo, c, rows == 0 && !header);
          if (f.length() > 15 && isIntegerLiteral(f)) {
            try {
              long l = Long.parseLong(f.charAt(0) == '+' ? f.substring(1) : f);
              if ((long) v != l || (double) l != v) inexact[c] = true;
            } catch (NumberFormatException e) {
              inexact[c] = true;
            }
          }
        }
        values[n++] = v;
      }
      if (rows == lines.length) lines = Arrays.copyOf(lines, rows * 2);
      lines[rows++] = lineNo;
    }
    if (cols == -1) throw new IOException(name + ": empty CSV file (no records)");
    if (names == null) {
      String[] generated = new String[cols];
      for (int c = 0; c < cols; c++) generated[c] = Integer.toString(c);
      names = List.of(generated);
    }
    return new Csv(name, names, rows, cols, Arrays.copyOf(values, n), missing, inexact, Arrays.copyOf(lines, rows));
  }

  /** Splits one line into trimmed, unquoted fields. */
  private static void split(String line, char delimiter, List<String> out, String name, int lineNo) throws IOException {
    out.clear();
    int i = 0;
    int len = line.length();
    while (true) {
      while (i < len && line.charAt(i) == ' ' && delimiter != ' ') i++;
      String field;
      if (i < len && line.charAt(i) == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
          if (i >= len) throw new IOException(name + ": line " + lineNo + ": unterminated quoted field");
          char ch = line.charAt(i++);
          if (ch == '"') {
            if (i < len && line.charAt(i) == '"') {
              sb.append('"');
              i++;
            } else {
              break;
            }
          } else {
            sb.append(ch);
          }
        }
        field = sb.toString();
        while (i < len && line.charAt(i) != delimiter) {
          if (line.charAt(i) != ' ') {
            throw new IOException(name + ": line " + lineNo + ": text after the closing quote of field " + (out.size() + 1));
          }
          i++;
        }
      } else {
        int end = line.indexOf(delimiter, i);
        if (end < 0) end = len;
        field = line.substring(i, end).strip();
        i = end;
      }
      out.add(field);
      if (i >= len) break;
      i++; // the delimiter
      if (i == len) {
        out.add("");
        break;
      }
    }
  }

  private static boolean isIntegerLiteral(String f) {
    int start = f.charAt(0) == '-' || f.charAt(0) == '+' ? 1 : 0;
    if (start == f.length()) return false;
    for (int i = start; i < f.length(); i++) {
      if (f.charAt(i) < '0' || f.charAt(i) > '9') return false;
    }
    return true;
  }

  private static double number(String f, String name, int lineNo, int col, boolean firstRecord) throws IOException {
    switch (f.toLowerCase(Locale.ROOT)) {
      case "nan", "+nan", "-nan" -> {
        return Double.NaN;
      }
      case "inf", "+inf", "infinity", "+infinity" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-inf", "-infinity" -> {
        return Double.NEGATIVE_INFINITY;
      }
      default -> {
      }
    }
    char last = f.charAt(f.length() - 1);
    boolean ok = (last >= '0' && last <= '9') || last == '.';
    if (ok) {
      for (int i = 0; i < f.length(); i++) {
        char ch = f.charAt(i);
        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) {
          ok = false;
          break;
        }
      }
    }
    if (ok) {
      try {
        return Double.parseDouble(f);
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IOException(name + ": line " + lineNo + ", column " + (col + 1) + ": '" + f + "' is not a number"
        + (firstRecord ? " (if the first line names the columns, read with header = true)" : ""));
  }

  /** The source name given to (or the path read by) {@code read}. */
  public String name() {
    return name;
  }

  /** The number of records (header excluded). PyTorch/numpy: {@code array.shape[0]}. */
  public int rows() {
    return rows;
  }

  /** The number of columns. PyTorch/numpy: {@code array.shape[1]}. */
  public int columns() {
    return cols;
  }

  /** The header's names, or "0", "1", ... when read without a header (as pandas' {@code header=None}). */
  public List<String> columnNames() {
    return columnNames;
  }

  /**
   * The index of the column named {@code name}.
   *
   * @throws IllegalArgumentException if no column has that name
   */
  public int columnIndex(String name) {
    int i = columnNames.indexOf(name);
    if (i < 0) throw new IllegalArgumentException(this.name + ": no column named '" + name + "' (columns: " + columnNames + ")");
    return i;
  }

  /** The value at {@code row}, {@code column} (NaN where the field was empty). */
  public double get(int row, int column) {
    if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " of " + rows);
    if (column < 0 || column >= cols) throw new IndexOutOfBoundsException("column " + column + " of " + cols);
    return values[row * cols + column];
  }

  /** {@code from, from + 1, ..., to - 1}: column indices for {@link #columns(int[], DType)}. */
  public static int[] range(int from, int to) {
    if (to < from) throw new IllegalArgumentException("range(" + from + ", " + to + "): to < from");
    int[] r = new int[to - from];
    for (int i = 0; i < r.length; i++) r[i] = from + i;
    return r;
  }

  /** Column {@code column} as a 1-D tensor {@code [rows]} of {@code dtype} (see {@link #columns(int[], DType)}). */
  public Tensor column(int column, DType dtype) {
    return build(new int[] {column}, dtype, new long[] {rows});
  }

  /** The column named {@code name} as a 1-D tensor {@code [rows]}. */
  public Tensor column(String name, DType dtype) {
    return column(columnIndex(name), dtype);
  }

  /** Every column, as a 2-D tensor {@code [rows, columns()]}. */
  public Tensor columns(DType dtype) {
    return columns(range(0, cols), dtype);
  }

  /**
   * The given columns, in that order, as a 2-D tensor {@code [rows, columns.length]} of
   * {@code dtype} (in the caller's scope): FLOAT32 (values rounded to float), FLOAT64, or INT64
   * (every value must be an integer, no NaN, inf or missing field, and within 2^53 if it came
   * through a double).
   *
   * @throws IllegalArgumentException for another dtype, a column out of range, or a value that
   *     int64 cannot hold (naming its line and column)
   */
  public Tensor columns(int[] columns, DType dtype) {
    return build(columns, dtype, new long[] {rows, columns.length});
  }

  private Tensor build(int[] columns, DType dtype, long[] shape) {
    for (int c : columns) {
      if (c < 0 || c >= cols) {
        throw new IndexOutOfBoundsException(name + ": column " + c + " out of range for " + cols + " columns");
      }
    }
    int k = columns.length;
    int total = Math.multiplyExact(rows, k);
    switch (dtype) {
      case FLOAT32 -> {
        float[] out = new float[total];
        for (int r = 0; r < rows; r++) {
          for (int j = 0; j < k; j++) out[r * k + j] = (float) values[r * cols + columns[j]];
        }
        return Tensor.of(out, shape);
      }
      case FLOAT64 -> {
        double[] out = new double[total];
        for (int r = 0; r < rows; r++) {
          for (int j = 0; j < k; j++) out[r * k + j] = values[r * cols + columns[j]];
        }
        return Tensor.of(out, shape);
      }
      case INT64 -> {
        for (int c : columns) {
          if (inexact[c]) {
            throw new IllegalArgumentException(name + ": column '" + columnNames.get(c)
                + "' holds integers beyond 2^53, which this reader does not keep exactly");
          }
        }
        long[] out = new long[total];
        for (int r = 0; r < rows; r++) {
          for (int j = 0; j < k; j++) {
            double v = values[r * cols + columns[j]];
            if (v != Math.rint(v) || Double.isInfinite(v)) {
              throw new IllegalArgumentException(name + ": line " + firstLine[r] + ", column " + (columns[j] + 1)
                  + ": " + (Double.isNaN(v) && missing[columns[j]] ? "missing value (or nan)" : "'" + v + "'")
                  + " is not an integer, so column '" + columnNames.get(columns[j]) + "' cannot be int64");
            }
            out[r * k + j] = (long) v;
          }
        }
        return Tensor.of(out, shape);
      }
      default -> throw new IllegalArgumentException("CSV columns can be read as float32, float64 or int64, not " + dtype);
    }
  }

  @Override
  public String toString() {
    return "Csv(" + name + ", rows=" + rows + ", columns=" + columnNames + ")";
  }
}
