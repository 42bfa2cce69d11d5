package dev.vectorgrad.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * HotSpot's per-thread counters: bytes allocated on the Java heap and CPU time. Reached through
 * method handles because the benchmarks compile inside module dev.vectorgrad, which does not read
 * java.management (at run time they are on the class path); exact-typed handles, so that reading
 * a counter allocates nothing itself. Every reading is -1 where a counter is unsupported.
 */
final class JvmCounters {
  private static final MethodHandle TOTAL_ALLOCATED = handle("getTotalThreadAllocatedBytes");
  private static final MethodHandle THREAD_ALLOCATED = handle("getCurrentThreadAllocatedBytes");
  private static final MethodHandle THREAD_CPU = handle("getCurrentThreadCpuTime");
  private static final MethodHandle COMPILATION = compilation();

  private JvmCounters() {}

  private static MethodHandle handle(String name) {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
      Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
      return MethodHandles.publicLookup().findVirtual(type, name, MethodType.methodType(long.class)).bindTo(bean);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return MethodHandles.constant(long.class, -1L);
    }
  }

  private static MethodHandle compilation() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getCompilationMXBean").invoke(null);
      Class<?> type = Class.forName("java.lang.management.CompilationMXBean");
      if (bean == null || !(boolean) type.getMethod("isCompilationTimeMonitoringSupported").invoke(bean)) {
        return MethodHandles.constant(long.class, -1L);
      }
      return MethodHandles.publicLookup().findVirtual(type, "getTotalCompilationTime", MethodType.methodType(long.class))
          .bindTo(bean);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return MethodHandles.constant(long.class, -1L);
    }
  }

  private static long read(MethodHandle h) {
    try {
      return (long) h.invokeExact();
    } catch (Throwable t) {
      return -1;
    }
  }

  /** Bytes allocated on the Java heap by all threads so far. */
  static long heapAllocated() {
    return read(TOTAL_ALLOCATED);
  }

  /** Bytes allocated on the Java heap by the calling thread so far. */
  static long threadAllocated() {
    return read(THREAD_ALLOCATED);
  }

  /** Milliseconds the JIT compilers have spent so far (all compiler threads). */
  static long compileMillis() {
    return read(COMPILATION);
  }

  /** CPU time of the calling thread so far, in nanoseconds (user + system). */
  static long threadCpuNanos() {
    return read(THREAD_CPU);
  }
}
