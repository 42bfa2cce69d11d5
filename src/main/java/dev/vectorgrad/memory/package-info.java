/**
 * Off-heap memory for tensors. The rules:
 *
 * <ol>
 *   <li>All tensor memory comes from {@link dev.vectorgrad.memory.NativeAllocator#global()}, which
 *       counts every byte it hands out (live, peak, reserved, fresh vs cached allocations).
 *   <li>Blocks are 64-byte aligned and served from size-class free lists: small classes from
 *       slabs that live as long as the JVM (no use-after-free can crash the JVM there), large ones
 *       each with its own shared arena (released only when the idle cache exceeds its cap or on
 *       {@code trim()}; closing a shared arena makes racing accesses fail cleanly). Blocks of 2 MiB
 *       and more use transparent huge pages where the OS allows it.
 *   <li>A {@link dev.vectorgrad.memory.Storage} is a reference-counted block shared by a tensor and
 *       its views; the last release returns the block. Contents are not cleared on reuse.
 *   <li>Leaks: with {@code -Dvectorgrad.trackAllocations=true} every storage records where it was
 *       allocated; {@link dev.vectorgrad.memory.Storage#leakReport()} lists live storages with those
 *       stacks, and storages released by the GC (a tensor dropped without close) are logged with
 *       theirs.
 *   <li>Limit: {@code -Dvectorgrad.maxBytes} or {@code setLimit} caps the live bytes. The check is
 *       one comparison of the live counter every allocation updates anyway; a refused request is
 *       uncounted again before {@link dev.vectorgrad.OutOfMemoryException} (naming the largest live
 *       storages: all of them with tracking, else those above 64 KiB, which are always registered)
 *       leaves the allocator, so nothing changes. {@code failAfter(k)} injects the same refusal at
 *       the k-th allocation for fault tests, on the same slow path.
 *   <li>Freed memory and racing threads: a small block is never unmapped, so an op racing with
 *       {@code close()} of its tensor reads or writes memory that may already belong to another
 *       tensor but never crashes the JVM; a large block's arena is closed only when the block
 *       leaves the cache (cap or trim), and the FFM API's thread handshake on close then makes an
 *       access in flight, or any later one, throw {@code IllegalStateException("Already closed")}.
 * </ol>
 *
 * <p>Not part of the module's exported API: the classes are public for tests and benchmarks.
 */
package dev.vectorgrad.memory;
