package dev.vectorgrad.memory;

import java.util.Locale;

/** Byte counts as people read them in error messages: exact bytes, then binary units. */
final class Bytes {
  private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Bytes() {}

  /** {@code 4194304 bytes (4.00 MiB)}; below 1 KiB just the bytes. */
  static String format(long bytes) {
    if (bytes < 1024) return bytes + " bytes";
    double v = bytes;
    int unit = -1;
    while (v >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return bytes + " bytes (" + String.format(Locale.ROOT, "%.2f", v) + " " + UNITS[unit] + ")";
  }
}
