package dev.vectorgrad.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The class of plain native segments, which every {@code Storage} of vectorgrad's allocator has:
 * the Vector API kernels check their segments against it before their loops.
 *
 * <p>Why: a vector load or store of a segment runs JDK code shared by every caller in the JVM, and
 * C2 compiles it into a kernel from that code's type profile of the segment. The Vector API's
 * fallback code, which runs while the kernels are still interpreted (reinterpreting lanes goes
 * through a {@code byte[]} segment), fills the profile with heap segments; a kernel compiled after
 * that calls a virtual method per vector instead of accessing memory directly, 4-5x slower (relu of
 * 65,536 floats after exp had run: 25 us instead of 5). In the branch where
 * {@code segment.getClass() == NATIVE} holds, C2 knows the exact class and ignores the profile.
 * Kernels give other segments (mapped files, arrays wrapped by the user) to an unchecked copy of
 * the loop ({@code GenerateKernels.guardNative} writes both).
 */
public final class NativeSegments {
  /** {@code MemorySegment.NULL}'s class, the same as that of {@link Arena} allocations and their slices. */
  public static final Class<?> NATIVE = MemorySegment.NULL.getClass();

  private NativeSegments() {}
}
