package dev.vectorgrad.kernels;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Where a heap array's elements lie relative to 64-byte cache lines, so that the GEMM can start its
 * packed B panel on a line boundary. Measured on an AVX-512 Xeon: the 6 x 64 micro-kernel ran at
 * 140-148 GFLOPS with its B loads aligned and at 66-86 GFLOPS when every 64-byte load straddled two
 * lines (AMD Zen 4 did not care). Java does not align arrays beyond 8 bytes, so the address is
 * asked of libc: a critical downcall of {@code memcpy(a, a, 0)}, which returns its first argument,
 * with the array passed as a heap segment (the JVM hands native code the address; nothing is copied).
 *
 * <p>Needs native access for this module ({@code --enable-native-access}, as the tensor allocator's
 * huge pages do); without it, or with {@code -Dvectorgrad.gemm.align=false}, nothing is shifted and
 * the kernels only run slower on CPUs that mind. The GC may move an array later: callers ask again
 * per call, and a stale answer costs speed, never correctness.
 */
final class HeapAlignment {
  private static final MethodHandle ADDRESS_OF = load();

  private HeapAlignment() {}

  private static MethodHandle load() {
    if (!Boolean.parseBoolean(System.getProperty("vectorgrad.gemm.align", "true"))
        || !HeapAlignment.class.getModule().isNativeAccessEnabled()) {
      return null;
    }
    try {
      Linker linker = Linker.nativeLinker();
      return linker.downcallHandle(linker.defaultLookup().find("memcpy").orElseThrow(),
          FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
          Linker.Option.critical(true));
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** Whether addresses are known (native access granted); otherwise every shift is 0. */
  static boolean available() {
    return ADDRESS_OF != null;
  }

  /** Elements to skip so that {@code a[shift]} starts a 64-byte line (0 to 15), or 0 when unknown. */
  static int shift(float[] a) {
    return (int) (64 - address(MemorySegment.ofArray(a)) % 64) % 64 / Float.BYTES;
  }

  /** Elements to skip so that {@code a[shift]} starts a 64-byte line (0 to 7), or 0 when unknown. */
  static int shift(double[] a) {
    return (int) (64 - address(MemorySegment.ofArray(a)) % 64) % 64 / Double.BYTES;
  }

  private static long address(MemorySegment heap) {
    if (ADDRESS_OF == null) return 0;
    try {
      return (long) ADDRESS_OF.invokeExact(heap, heap, 0L);
    } catch (Throwable t) {
      return 0;
    }
  }
}
