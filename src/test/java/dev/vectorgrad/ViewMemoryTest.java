package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Memory and version rules of views: a view shares its base's storage (no new bytes) and version
 * counter; the storage lives, accounted, while any view or the base holds it; a long training-style
 * loop of views, ops and backward inside scopes keeps live bytes flat; writes through any view are
 * seen by autograd's saved-tensor check, with PyTorch's error.
 *
 * <p>Live-byte checks compare deltas, and only in the direction a leak would move them: the Cleaner
 * may release other tests' garbage at any time. That views allocate nothing is checked exactly with
 * the allocation count.
 */
class ViewMemoryTest {
  private static final long END = Long.MAX_VALUE;
  private static final long KIB_64 = 64 * 1024;

  /** Views add no storage bytes: making every kind of view allocates nothing and live bytes do not grow. */
  @Test
  void viewsAddNoStorageBytes() {
    Tensor base = Tensor.zeros(64, 256);   // 64 KiB
    Tensor shape = Tensor.zeros(2, 64, 256);
    for (Supplier<Tensor> b : List.<Supplier<Tensor>>of(
        () -> base,                                                  // plain
        () -> Tensor.zeros(64, 256).requiresGrad_(true),             // a leaf: views record nodes
        () -> Tensor.zeros(64, 256).requiresGrad_(true).mul(1.0))) {  // a non-leaf
      Tensor t = b.get();
      long live = MemoryStats.liveBytes(), allocations = MemoryStats.allocations();
      List<Tensor> views = viewsOf(t, shape);
      assertEquals(allocations, MemoryStats.allocations(), "making " + views.size() + " views allocated storage");
      assertTrue(MemoryStats.liveBytes() <= live, "live bytes grew from " + live + " to " + MemoryStats.liveBytes());
      for (Tensor v : views) v.close();
      assertTrue(MemoryStats.liveBytes() <= live, "closing the views changed nothing the base holds");
    }
  }

  /** Every view op of issue 6, several chained; contiguous() of a contiguous tensor is the tensor itself. */
  private static List<Tensor> viewsOf(Tensor base, Tensor shape) {
    List<Tensor> v = new ArrayList<>();
    v.add(base.view(128, 128));
    v.add(base.view(-1));
    v.add(base.reshape(64, 4, 64));   // expressible as a view: no copy
    v.add(base.flatten());
    v.add(base.unflatten(1, 16, 16));
    v.add(base.transpose(0, 1));
    v.add(base.t());
    v.add(base.permute(1, 0));
    v.add(base.mT());
    v.add(base.expandAs(shape));
    v.add(base.unsqueeze(0).expand(3, 64, 256));
    v.add(base.select(0, 5).unsqueeze(0).expand(64, 256));
    v.add(base.unsqueeze(1).squeeze());
    v.add(base.unsqueeze(1).squeeze(1));
    v.add(base.narrow(1, 10, 100));
    v.add(base.select(1, 7));
    v.add(base.slice(0, -10, END, 3));
    v.addAll(base.split(10, 0));
    v.addAll(base.chunk(3, 1));
    v.addAll(base.unbind(0));
    v.add(base.t().narrow(0, 2, 5).select(1, 3).unsqueeze(0).t().flatten(0, 1));
    v.add(base.detach());
    v.add(base.data());
    assertSame(base, base.contiguous(), "contiguous() of a contiguous tensor is the tensor itself");
    return v;
  }

  /**
   * Closing the base while views live leaves the views valid: they read the original values (even
   * after new tensors of the same size are made, which would reuse a freed block), ops on them work,
   * the storage stays accounted, and it is released when the last view closes.
   */
  @Test
  void closingTheBaseWhileAViewLivesKeepsTheViewValid() {
    long before = MemoryStats.liveBytes();
    float[] values = new float[64 * 256];
    for (int i = 0; i < values.length; i++) values[i] = i;
    Tensor base = Tensor.of(values, 64, 256);   // float32, 64 KiB
    long withBase = MemoryStats.liveBytes();
    assertTrue(withBase >= before + KIB_64, "the base holds its 64 KiB");
    Tensor t = base.t();
    Tensor stepped = base.slice(0, -4, END, 2);
    Tensor lastRowsStepped = stepped.narrow(1, 250, 3);
    base.close();
    assertTrue(base.isClosed());
    assertThrows(IllegalStateException.class, base::sum, "the closed base itself is unusable");
    assertTrue(MemoryStats.liveBytes() > withBase - KIB_64, "the storage is still accounted while views hold it");

    List<Tensor> reuse = new ArrayList<>();
    for (int i = 0; i < 4; i++) reuse.add(Tensor.full(-1, 64, 256));   // would take the block if it were free
    assertFalse(t.isClosed());
    assertArrayEquals(new long[] {256, 64}, t.shape());
    float[] tv = t.toFloatArray();
    for (int j = 0; j < 256; j++) {
      for (int i = 0; i < 64; i++) assertEquals(i * 256 + j, tv[j * 64 + i], "t[" + j + "][" + i + "]");
    }
    // rows 60 and 62, columns 250..252
    assertArrayEquals(new float[] {60 * 256 + 250, 60 * 256 + 251, 60 * 256 + 252, 62 * 256 + 250, 62 * 256 + 251,
        62 * 256 + 252}, lastRowsStepped.toFloatArray());
    try (Tensor doubled = lastRowsStepped.mul(2)) {
      assertEquals(2 * (60 * 256 + 250), doubled.toFloatArray()[0], "ops on a view of a closed base work");
    }
    Tensor viewOfView = t.select(0, 3);   // views can still be made from a view whose base is closed
    assertEquals(256 + 3, viewOfView.toFloatArray()[1]);
    for (Tensor r : reuse) r.close();

    long withViews = MemoryStats.liveBytes();
    t.close();
    viewOfView.close();
    stepped.close();
    assertTrue(MemoryStats.liveBytes() > withViews - KIB_64, "one view still holds the storage");
    assertEquals(60 * 256 + 250, lastRowsStepped.toFloatArray()[0], "and still reads it");
    lastRowsStepped.close();
    assertTrue(MemoryStats.liveBytes() <= withViews - KIB_64, "the last holder frees the 64 KiB");
  }

  /** A view kept out of a scope keeps the storage of a base the scope closed; closing the view frees it. */
  @Test
  void aViewKeptOutOfAScopeOutlivesItsBase() {
    Tensor base;
    Tensor kept;
    try (var scope = TensorScope.open()) {
      base = Tensor.full(5, 64, 256);
      kept = base.narrow(0, 60, 2).t().keep();
      Tensor dropped = base.select(0, 1);
      assertEquals(3, scope.ownedTensors(), "the base and the views made inside belong to the scope");
      assertFalse(dropped.isClosed());
    }
    assertTrue(base.isClosed());
    assertFalse(kept.isClosed());
    assertArrayEquals(new long[] {256, 2}, kept.shape());
    try (Tensor sum = kept.sum()) {
      assertEquals(5f * 512, sum.item(), "the kept view reads all its 512 elements");
    }
    long withView = MemoryStats.liveBytes();
    kept.close();
    assertTrue(MemoryStats.liveBytes() <= withView - KIB_64, "closing the kept view frees the base's block");
  }

  /**
   * A million steps of view + op + backward, each in a scope, keep live bytes flat and are served
   * from the pool; the gradient counts every step exactly.
   */
  @Test
  void aMillionViewStepsInScopesKeepLiveBytesFlat() {
    Tensor w = Tensor.zeros(3, 2).requiresGrad_(true);
    Runnable step = () -> {
      try (var scope = TensorScope.open()) {
        w.t().select(0, 1).sum().backward();   // d/dw of sum(w[:, 1])
      }
    };
    for (int i = 0; i < 10_000; i++) step.run();
    long live = MemoryStats.liveBytes();
    long fresh = MemoryStats.freshAllocations();
    for (int i = 0; i < 1_000_000; i++) step.run();
    assertTrue(MemoryStats.liveBytes() <= live, "live bytes grew from " + live + " to " + MemoryStats.liveBytes());
    assertEquals(fresh, MemoryStats.freshAllocations(), "steady state is served from the pool");
    assertArrayEquals(new float[] {0, 1_010_000, 0, 1_010_000, 0, 1_010_000}, w.grad().toFloatArray(),
        "one gradient per step, through the select and the transpose");
  }

  /**
   * Steps that write in place through a view (PyTorch's CopySlices) and backward through it, in
   * scopes, keep live bytes flat too.
   */
  @Test
  void inPlaceWritesThroughViewsInScopesKeepLiveBytesFlat() {
    Tensor w = Tensor.zeros(3, 2).requiresGrad_(true);
    Tensor x = Tensor.ones(2);
    Runnable step = () -> {
      try (var scope = TensorScope.open()) {
        Tensor b = w.mul(2);
        b.select(0, 1).add_(x);
        b.t().narrow(1, 1, 2).sum().backward();   // d/dw of sum(2 * w[1:3, :])
      }
    };
    for (int i = 0; i < 5_000; i++) step.run();
    long live = MemoryStats.liveBytes();
    long fresh = MemoryStats.freshAllocations();
    for (int i = 0; i < 20_000; i++) step.run();
    assertTrue(MemoryStats.liveBytes() <= live, "live bytes grew from " + live + " to " + MemoryStats.liveBytes());
    assertEquals(fresh, MemoryStats.freshAllocations(), "steady state is served from the pool");
    assertArrayEquals(new float[] {0, 0, 50_000, 50_000, 50_000, 50_000}, w.grad().toFloatArray());
  }

  /**
   * In-place ops through any view bump the one version counter that the base, all its views (made
   * before or after the write) and {@code detach()} share; {@code data()} has a counter of its own,
   * as PyTorch's {@code .data}. The writes land in the base.
   */
  @Test
  void inPlaceOpsThroughViewsBumpTheVersionSharedByBaseAndViews() {
    Tensor base = Tensor.zeros(3, 4);
    Tensor t = base.t(), row = base.select(0, 1), flat = base.view(12), detached = base.detach(), data = base.data();
    Tensor viewOfView = t.narrow(0, 1, 2);
    List<Tensor> sharing = List.of(base, t, row, flat, detached, viewOfView);
    assertVersions(sharing, 0);

    row.add_(Tensor.ones(4));                                                     // row 1 += 1
    assertVersions(sharing, 1);
    viewOfView.zero_();                                                           // columns 1, 2 = 0
    assertVersions(sharing, 2);
    t.select(0, 3).fill_(7);                                                      // column 3 = 7
    assertVersions(sharing, 3);
    flat.slice(0, 0, 4, 1).copy_(Tensor.of(new float[] {1, 2, 3, 4}));           // row 0 = 1 2 3 4
    assertVersions(sharing, 4);
    base.select(1, 0).maskedFill_(Tensor.of(new boolean[] {false, true, true}), -1);   // column 0, rows 1-2 = -1
    assertVersions(sharing, 5);
    detached.select(0, 2).scatterAdd_(0, Tensor.of(new long[] {1, 1}), Tensor.of(new float[] {10, 20}));  // [2][1] += 30
    assertVersions(sharing, 6);

    assertEquals(6, base.narrow(0, 1, 1).version(), "a view made after the writes shares the counter");
    assertEquals(0, data.version(), "data() counts its own versions, as PyTorch's .data");
    assertArrayEquals(new float[] {
        1, 2, 3, 4,
        -1, 0, 0, 7,
        -1, 30, 0, 7}, base.toFloatArray(), "every write went to the base");
  }

  private static void assertVersions(List<Tensor> tensors, long expected) {
    for (int i = 0; i < tensors.size(); i++) assertEquals(expected, tensors.get(i).version(), "version of tensor " + i);
  }

  private static final String MODIFIED = "one of the variables needed for gradient computation has been modified by an "
      + "inplace operation";

  private static void assertModifiedError(Tensor y, String savedShape) {
    var e = assertThrows(IllegalStateException.class, y::backward);
    String message = e.getMessage();
    assertTrue(message.toLowerCase(Locale.ROOT).contains(MODIFIED), message);
    assertTrue(message.contains("[torch.FloatTensor " + savedShape + "]"), message);
    assertTrue(message.contains("is at version 1; expected version 0 instead."), message);
  }

  /**
   * A tensor saved for backward and then modified through another view makes backward throw
   * PyTorch's error; torch 1.13: "one of the variables needed for gradient computation has been
   * modified by an inplace operation: [torch.FloatTensor [3, 4]], which is output 0 of
   * torch::autograd::CopySlices, is at version 1; expected version 0 instead. ...".
   */
  @Test
  void aSavedTensorModifiedThroughAnotherViewMakesBackwardThrow() {
    Tensor x = Tensor.ones(3, 4).requiresGrad_(true);

    Tensor b = x.mul(2);
    Tensor y = b.mul(b).sum();              // saves b
    b.t().select(0, 1).fill_(5);            // writes b's column 1 through a view of a view
    assertModifiedError(y, "[3, 4]");

    Tensor c = x.mul(2);
    Tensor before = c.t();                  // a view made before the forward pass
    Tensor z = c.mul(c).sum();
    before.zero_();
    assertModifiedError(z, "[3, 4]");

    Tensor d = x.mul(2);
    Tensor saved = d.select(0, 0);          // the saved tensor is itself a view
    Tensor u = saved.mul(saved).sum();
    d.select(0, 2).zero_();                 // a sibling view, not even overlapping: the counter is shared
    assertModifiedError(u, "[4]");
  }

  /** Writing through a view of a tensor that no backward formula saved does not stop backward. */
  @Test
  void aWriteThroughAViewOfAnUnsavedTensorIsFine() {
    Tensor x = Tensor.ones(3, 4).requiresGrad_(true);
    Tensor b = x.mul(2);
    Tensor y = b.add(b).sum();              // add saves nothing
    b.select(0, 0).zero_();
    y.backward();
    float[] four = new float[12];
    java.util.Arrays.fill(four, 4);
    assertArrayEquals(four, x.grad().toFloatArray(), "torch gives 4 everywhere");
  }
}
