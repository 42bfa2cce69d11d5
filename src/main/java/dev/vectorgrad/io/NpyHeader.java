package dev.vectorgrad.io;

import dev.vectorgrad.DType;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file: magic {@code \x93NUMPY}, version, header length (u16 LE for
 * 1.0, u32 LE for 2.0 and 3.0), then a Python dict literal ({@code descr}, {@code fortran_order},
 * {@code shape}) in latin-1 (1.0, 2.0) or UTF-8 (3.0).
 */
record NpyHeader(int major, ElemType type, ByteOrder order, boolean fortran, long[] shape, long dataOffset) {

  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  long numel() {
    return IoSupport.numel(shape);
  }

  long dataBytes() {
    return numel() * type.size;
  }

  /** Bytes before the dict: magic, version, length field. */
  static int preambleLength(int major) {
    return major == 1 ? 10 : 12;
  }

  /**
   * Checks the first 8 bytes (magic and version) and returns the major version.
   */
  static int version(Path file, byte[] first, int n) throws FormatException {
    if (n < 8) throw new FormatException(file, "not a .npy file: " + n + " bytes, too short for the magic string and version");
    for (int i = 0; i < 6; i++) {
      if (first[i] != MAGIC[i]) throw new FormatException(file, "not a .npy file: the magic string \\x93NUMPY is missing");
    }
    int major = first[6] & 0xff, minor = first[7] & 0xff;
    if (major < 1 || major > 3 || minor != 0) {
      throw new FormatException(file, "unsupported .npy format version " + major + "." + minor + " (1.0, 2.0 and 3.0 are)");
    }
    return major;
  }

  /** The header length field after the version (first holds at least the preamble). */
  static long headerLength(byte[] first, int major) {
    if (major == 1) return (first[8] & 0xff) | (first[9] & 0xff) << 8;
    return (first[8] & 0xffL) | (first[9] & 0xffL) << 8 | (first[10] & 0xffL) << 16 | (first[11] & 0xffL) << 24;
  }

  /** Parses the dict; {@code dataOffset} is where the data starts. */
  static NpyHeader parse(Path file, int major, byte[] dict, long dataOffset) throws FormatException {
    String text = new String(dict, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Object parsed;
    try {
      Literal p = new Literal(text);
      parsed = p.value(0);
      p.skipSpace();
      if (p.pos != text.length()) throw p.error("unexpected text after the header dict");
    } catch (IllegalArgumentException e) {
      throw new FormatException(file, "malformed .npy header: " + e.getMessage() + " in " + abbreviate(text));
    }
    if (!(parsed instanceof Map<?, ?> map)) throw new FormatException(file, "malformed .npy header: not a dict: " + abbreviate(text));
    if (!map.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
      throw new FormatException(file, "malformed .npy header: the keys must be descr, fortran_order and shape, got " + map.keySet());
    }
    if (!(map.get("fortran_order") instanceof Boolean fortran)) {
      throw new FormatException(file, "malformed .npy header: fortran_order is not True or False");
    }
    if (!(map.get("shape") instanceof List<?> dims)) throw new FormatException(file, "malformed .npy header: shape is not a tuple");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long d) || d < 0) {
        throw new FormatException(file, "malformed .npy header: shape " + dims + " has a dim that is not a non-negative integer");
      }
      shape[i] = d;
    }
    Object descr = map.get("descr");
    if (!(descr instanceof String s)) {
      throw new FormatException(file, "unsupported dtype " + descr + ": structured arrays are not supported");
    }
    ElemType type = elemType(file, s);
    ByteOrder order = s.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN
        : s.charAt(0) == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.nativeOrder();
    if (IoSupport.bytes(IoSupport.numel(shape), type.size) < 0) {
      throw new FormatException(file, "shape " + java.util.Arrays.toString(shape) + " of " + s + " is too large (its byte size overflows)");
    }
    return new NpyHeader(major, type, order, fortran, shape, dataOffset);
  }

  private static ElemType elemType(Path file, String s) throws FormatException {
    if (s.length() >= 2 && "<>|=".indexOf(s.charAt(0)) >= 0) {
      String k = s.substring(1);
      ElemType t = switch (k) {
        case "f4" -> ElemType.F4;
        case "f8" -> ElemType.F8;
        case "i8" -> ElemType.I8;
        case "b1" -> ElemType.B1;
        case "i4" -> ElemType.I4;
        case "i2" -> ElemType.I2;
        case "i1" -> ElemType.I1;
        case "u1" -> ElemType.U1;
        case "u2" -> ElemType.U2;
        case "u4" -> ElemType.U4;
        case "f2" -> ElemType.F2;
        default -> null;
      };
      if (t != null) return t;
    }
    throw new FormatException(file, "unsupported dtype '" + s + "' (supported: <f4 <f8 <i8 |b1, <i4 <i2 |i1 |u1 <u2 <u4 read as"
        + " int64, <f2 read as float32, and their big-endian variants)");
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s.strip() : s.substring(0, 200) + "...";
  }

  /** The header bytes numpy would write (version 1.0, or 2.0 when longer than 65535 bytes), padded to 64. */
  static byte[] format(DType dtype, long[] shape) {
    String descr = switch (dtype) {
      case FLOAT32 -> "<f4";
      case FLOAT64 -> "<f8";
      case INT64 -> "<i8";
      case BOOL -> "|b1";
    };
    StringBuilder dims = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ", ").append(shape[i]);
    if (shape.length == 1) dims.append(',');
    dims.append(')');
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
    int major = 1;
    int total = 10 + dict.length() + 1;
    if (total > 65535 + 10) major = 2;
    int pre = preambleLength(major);
    int padded = (pre + dict.length() + 1 + 63) / 64 * 64;
    int headerLen = padded - pre;
    byte[] out = new byte[padded];
    System.arraycopy(MAGIC, 0, out, 0, 6);
    out[6] = (byte) major;
    out[7] = 0;
    for (int i = 0; i < (major == 1 ? 2 : 4); i++) out[8 + i] = (byte) (headerLen >>> (8 * i));
    byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(d, 0, out, pre, d.length);
    for (int i = pre + d.length; i < padded - 1; i++) out[i] = ' ';
    out[padded - 1] = '\n';
    return out;
  }

  /** A parser for the Python literals numpy writes: dicts, tuples/lists, strings, ints, True/False/None. */
  private static final class Literal {
    private static final int MAX_DEPTH = 16;
    private static final Object NONE = new Object() {
      @Override
      public String toString() {
        return "None";
      }
    };
    final String s;
    int pos;

    Literal(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at character " + pos);
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    boolean eat(char c) {
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    Object value(int depth) {
      if (depth > MAX_DEPTH) throw error("nesting too deep");
      skipSpace();
      if (pos >= s.length()) throw error("unexpected end of header");
      char c = s.charAt(pos);
      if (c == '{') {
        pos++;
        Map<Object, Object> m = new LinkedHashMap<>();
        while (!eat('}')) {
          Object k = value(depth + 1);
          if (!(k instanceof String)) throw error("dict key is not a string");
          if (!eat(':')) throw error("expected ':'");
          if (m.put(k, value(depth + 1)) != null) throw error("duplicate key '" + k + "'");
          if (!eat(',')) {
            if (!eat('}')) throw error("expected ',' or '}'");
            break;
          }
        }
        return m;
      }
      if (c == '(' || c == '[') {
        char close = c == '(' ? ')' : ']';
        pos++;
        List<Object> l = new ArrayList<>();
        while (!eat(close)) {
          l.add(value(depth + 1));
          if (!eat(',')) {
            if (!eat(close)) throw error("expected ',' or '" + close + "'");
            break;
          }
        }
        return l;
      }
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, pos + 1);
        if (end < 0) throw error("unterminated string");
        String v = s.substring(pos + 1, end);
        if (v.indexOf('\\') >= 0) throw error("escapes in strings are not supported");
        pos = end + 1;
        return v;
      }
      if (c == '-' || Character.isDigit(c)) {
        int start = pos++;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        if (pos < s.length() && s.charAt(pos) == 'L') pos++;   // Python 2 longs
        String digits = s.substring(start, s.charAt(pos - 1) == 'L' ? pos - 1 : pos);
        try {
          return Long.parseLong(digits);
        } catch (NumberFormatException e) {
          throw error("integer " + (digits.length() > 30 ? digits.substring(0, 30) + "..." : digits) + " out of range");
        }
      }
      for (String word : new String[] {"True", "False", "None"}) {
        if (s.startsWith(word, pos)) {
          pos += word.length();
          return word.equals("None") ? NONE : word.equals("True") ? Boolean.TRUE : Boolean.FALSE;
        }
      }
      throw error("unexpected character '" + c + "'");
    }
  }
}
