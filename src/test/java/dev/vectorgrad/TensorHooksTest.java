package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#registerHook}, one rule per test, as PyTorch 1.13's {@code Tensor.register_hook} behaves (each rule
 * was run in torch 1.13; {@code golden/hooks/gen_hooks.py} records the same programs from torch, replayed by
 * {@link PyTorchGoldenHooksTest}). Values are small dyadic rationals, so every expected gradient is exact arithmetic.
 */
class TensorHooksTest {

  private static Tensor leaf(float... values) {
    return Tensor.of(values).requiresGrad_(true);
  }

  /** A hook that records (a kept copy of) every gradient it sees and keeps it. */
  private static UnaryOperator<Tensor> recorder(List<float[]> seen) {
    return g -> {
      seen.add(g.toFloatArray());
      return null;
    };
  }

  @Nested
  class Replacing {
    @Test
    void aLeafsHookRunsBeforeAccumulationSoItsResultIsWhatAccumulates() {
      Tensor x = leaf(1, 1, 1);
      List<float[]> seen = new ArrayList<>();
      x.registerHook(g -> {
        seen.add(g.toFloatArray());
        return g.mul(2);
      });
      x.mul(3).sum().backward();
      assertArrayEquals(new float[] {3, 3, 3}, seen.get(0), "the hook sees the gradient w.r.t. x");
      assertArrayEquals(new float[] {6, 6, 6}, x.grad().toFloatArray(), "the replacement accumulates");
    }

    @Test
    void aNonLeafsReplacementFlowsOnIntoItsGradFn() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      y.registerHook(g -> g.mul(5));
      y.mul(3).sum().backward();
      assertArrayEquals(new float[] {30, 30}, x.grad().toFloatArray());   // 3 * 5 * 2
    }

    @Test
    void hooksRunInRegistrationOrderEachSeeingThePreviousResult() {
      Tensor x = leaf(1, 1);
      List<float[]> seen = new ArrayList<>();
      x.registerHook(g -> g.add(1));
      x.registerHook(recorder(seen));
      x.registerHook(g -> g.mul(10));
      x.mul(3).sum().backward();
      assertArrayEquals(new float[] {4, 4}, seen.get(0));
      assertArrayEquals(new float[] {40, 40}, x.grad().toFloatArray());
    }

    @Test
    void aTensorUsedTwiceHasItsHooksRunOnceOnTheSummedGradient() {
      Tensor x = leaf(1, 2);
      List<float[]> seen = new ArrayList<>();
      x.registerHook(g -> {
        seen.add(g.toFloatArray());
        return g.mul(2);
      });
      x.mul(3).add(x.mul(x)).sum().backward();
      assertEquals(1, seen.size());
      assertArrayEquals(new float[] {5, 7}, seen.get(0));   // 3 + 2x
      assertArrayEquals(new float[] {10, 14}, x.grad().toFloatArray());
    }

    @Test
    void hooksOfTheRootSeeTheGradientBackwardStartsWith() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      List<float[]> seen = new ArrayList<>();
      y.registerHook(g -> {
        seen.add(g.toFloatArray());
        return g.mul(2);
      });
      y.backward(Tensor.of(new float[] {1, 5}), false);
      assertArrayEquals(new float[] {1, 5}, seen.get(0));
      assertArrayEquals(new float[] {4, 20}, x.grad().toFloatArray());

      Tensor z = leaf(1, 1);
      z.registerHook(g -> g.add(1));
      z.backward(Tensor.of(new float[] {1, 1}), false);   // a leaf as the root: its hooks run too
      assertArrayEquals(new float[] {2, 2}, z.grad().toFloatArray());
    }

    @Test
    void aLeafsHooksDoNotRunWhileItNoLongerRequiresGrad() {
      // program 13017646 of the hook fuzzing (seed 13)
      Tensor x = leaf(2);
      List<float[]> seen = new ArrayList<>();
      x.registerHook(g -> {
        seen.add(g.toFloatArray());
        return g.mul(10);
      });
      Tensor loss = x.mul(3).sum();
      x.requiresGrad_(false);
      loss.backward(null, true);
      assertTrue(seen.isEmpty());
      assertNull(x.grad());
      x.requiresGrad_(true);
      loss.backward();
      assertArrayEquals(new float[] {3}, seen.get(0));
      assertArrayEquals(new float[] {30}, x.grad().toFloatArray());
    }

    @Test
    void aHookThatWritesIntoTheImplicitGradientDoesNotChangeLaterBackwardPasses() {
      Tensor x = leaf(1, 2);
      Tensor s = x.sum();
      s.registerHook(g -> g.mul_(4));   // wrong (PyTorch's docs forbid it too), but must not poison the shared 1
      s.backward();
      assertArrayEquals(new float[] {4, 4}, x.grad().toFloatArray());
      Tensor w = leaf(1);
      w.mul(3).sum().backward();
      assertArrayEquals(new float[] {3}, w.grad().toFloatArray());
    }

    @Test
    void aHookCanKeepACopyOfItsGradientBeyondThePass() {
      Tensor x = leaf(1, 2);
      List<Tensor> kept = new ArrayList<>();
      x.registerHook(g -> {
        kept.add(g.clone().keep());   // the gradient itself belongs to the pass and is released with it
        return null;
      });
      x.mul(3).sum().backward();
      assertArrayEquals(new float[] {3, 3}, kept.get(0).toFloatArray());
    }
  }

  @Nested
  class RetainGradAndInPlace {
    @Test
    void retainGradAfterAHookKeepsTheHookedGradient() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      y.registerHook(g -> g.mul(5));
      y.retainGrad();
      y.mul(3).sum().backward();
      assertArrayEquals(new float[] {15, 15}, y.grad().toFloatArray());
      assertArrayEquals(new float[] {30, 30}, x.grad().toFloatArray());
    }

    @Test
    void retainGradBeforeAHookKeepsTheUnhookedGradient() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      y.retainGrad();
      y.registerHook(g -> g.mul(5));
      y.mul(3).sum().backward();
      assertArrayEquals(new float[] {3, 3}, y.grad().toFloatArray());
      assertArrayEquals(new float[] {30, 30}, x.grad().toFloatArray());
    }

    @Test
    void hooksRegisteredAfterRetainGradStillRunBeforeItWhenTheFirstHookCameFirst() {
      // 1.13: the tensor's hooks are one list, placed on the node at the first registration
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      y.registerHook(g -> g.mul(10));
      y.retainGrad();
      y.registerHook(g -> g.add(1));
      y.mul(3).sum().backward();
      assertArrayEquals(new float[] {31, 31}, y.grad().toFloatArray());
      assertArrayEquals(new float[] {62, 62}, x.grad().toFloatArray());
    }

    @Test
    void hooksStayOnTheNodeTheyWereFirstRegisteredOnAcrossAnInPlaceOp() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      List<float[]> first = new ArrayList<>(), second = new ArrayList<>();
      y.registerHook(g -> {
        first.add(g.toFloatArray());
        return g.mul(10);
      });
      y.mul_(3);
      y.registerHook(g -> {   // joins the list on the old node, after the in-place op
        second.add(g.toFloatArray());
        return g.add(100);
      });
      y.mul(5).sum().backward();
      assertArrayEquals(new float[] {15, 15}, first.get(0), "the gradient of y before mul_(3)");
      assertArrayEquals(new float[] {150, 150}, second.get(0));
      assertArrayEquals(new float[] {500, 500}, x.grad().toFloatArray());
    }

    @Test
    void aFirstHookRegisteredAfterAnInPlaceOpSeesTheWrittenValuesGradient() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      y.mul_(3);
      List<float[]> seen = new ArrayList<>();
      y.registerHook(g -> {
        seen.add(g.toFloatArray());
        return g.mul(10);
      });
      y.mul(5).sum().backward();
      assertArrayEquals(new float[] {5, 5}, seen.get(0));
      assertArrayEquals(new float[] {300, 300}, x.grad().toFloatArray());
    }

    @Test
    void retainGradMovesWithAnInPlaceOpWhileHooksStay() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      y.retainGrad();
      y.registerHook(g -> g.mul(10));
      y.mul_(3);
      y.mul(5).sum().backward();
      assertArrayEquals(new float[] {5, 5}, y.grad().toFloatArray(), "the retained gradient is the written value's");
      assertArrayEquals(new float[] {300, 300}, x.grad().toFloatArray());
    }

    @Test
    void aHookOnABaseStaysOnItsOldNodeWhenAViewOfItIsWrittenInPlace() {
      Tensor x = leaf(1, 2, 3);
      Tensor y = x.mul(2);
      List<float[]> seen = new ArrayList<>();
      y.registerHook(g -> {
        seen.add(g.toFloatArray());
        return g.mul(10);
      });
      y.slice(0, 1, 3, 1).mul_(3);
      y.mul(5).sum().backward();
      assertArrayEquals(new float[] {5, 15, 15}, seen.get(0), "what CopySlices passes to the old node");
      assertArrayEquals(new float[] {100, 300, 300}, x.grad().toFloatArray());
    }

    @Test
    void aHookOnAViewNoLongerRunsOnceTheViewIsWrittenInPlace() {
      Tensor x = leaf(1, 2, 3);
      Tensor y = x.mul(2);
      Tensor v = y.slice(0, 1, 3, 1);
      List<float[]> seen = new ArrayList<>();
      v.registerHook(recorder(seen));
      v.mul_(3);
      y.mul(5).sum().backward();
      assertTrue(seen.isEmpty(), "the view's old node is no longer in the graph");
      assertArrayEquals(new float[] {10, 30, 30}, x.grad().toFloatArray());
    }

    @Test
    void aHookOnOneOutputOfUnbindRunsOnlyWhenThatOutputGetsAGradient() {
      // PyTorch 1.13 calls it with None here (the outputs share one node); a Java hook never gets null
      Tensor x = leaf(1, 2, 3);
      List<Tensor> parts = x.mul(2).unbind(0);
      List<float[]> seen = new ArrayList<>();
      parts.get(2).registerHook(recorder(seen));
      parts.get(1).mul(3).backward();
      assertTrue(seen.isEmpty());
      assertArrayEquals(new float[] {0, 6, 0}, x.grad().toFloatArray());
    }

    @Test
    void aHookOnAViewOfALeafRunsOnlyWhenBackwardGoesThroughTheView() {
      Tensor x = leaf(1, 2, 3);
      Tensor v = x.slice(0, 1, 3, 1);
      v.registerHook(g -> g.mul(10));
      x.mul(5).sum().backward();
      assertArrayEquals(new float[] {5, 5, 5}, x.grad().toFloatArray());
      v.mul(5).sum().backward();
      assertArrayEquals(new float[] {5, 55, 55}, x.grad().toFloatArray());
    }
  }

  @Nested
  class RemovalAndRepeatedBackward {
    @Test
    void hooksRunOnEveryPassOfARetainedGraphUntilRemoved() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      RemovableHandle h = y.registerHook(g -> g.mul(10));
      Tensor loss = y.mul(3).sum();
      loss.backward(null, true);
      loss.backward(null, true);
      assertArrayEquals(new float[] {120, 120}, x.grad().toFloatArray());
      h.remove();
      assertTrue(h.isRemoved());
      loss.backward();
      assertArrayEquals(new float[] {126, 126}, x.grad().toFloatArray());
    }

    @Test
    void aHookRemovedDuringAPassStillRunsInThatPassOnly() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      List<String> ran = new ArrayList<>();
      RemovableHandle[] second = new RemovableHandle[1];
      y.registerHook(g -> {
        ran.add("h1");
        second[0].remove();
        return g.mul(10);
      });
      second[0] = y.registerHook(g -> {
        ran.add("h2");
        return g.add(1);
      });
      Tensor loss = y.mul(3).sum();
      loss.backward(null, true);
      assertEquals(List.of("h1", "h2"), ran);
      assertArrayEquals(new float[] {62, 62}, x.grad().toFloatArray());
      x.setGrad(null);
      ran.clear();
      loss.backward();
      assertEquals(List.of("h1"), ran);
      assertArrayEquals(new float[] {60, 60}, x.grad().toFloatArray());
    }

    @Test
    void aHookRegisteredDuringAPassRunsFromTheNextPass() {
      Tensor x = leaf(1, 2);
      Tensor y = x.mul(2);
      y.registerHook(g -> {
        y.registerHook(g2 -> g2.add(100));
        return g.mul(10);
      });
      y.mul(3).sum().backward();
      assertArrayEquals(new float[] {60, 60}, x.grad().toFloatArray());
    }

    @Test
    void removingTwiceIsHarmlessAndCloseRemoves() {
      Tensor x = leaf(1, 2);
      RemovableHandle h = x.registerHook(g -> g.mul(10));
      h.remove();
      h.remove();
      try (RemovableHandle scoped = x.registerHook(g -> g.mul(2))) {
        x.sum().backward();
        assertFalse(scoped.isRemoved());
      }
      x.sum().backward();
      assertArrayEquals(new float[] {3, 3}, x.grad().toFloatArray());   // 2 with the hook, then 1 without
    }

    @Test
    void theSameHookRegisteredTwiceRunsTwiceAndEachHandleRemovesOne() {
      Tensor x = leaf(1);
      UnaryOperator<Tensor> twice = g -> g.mul(2);
      RemovableHandle first = x.registerHook(twice);
      x.registerHook(twice);
      x.sum().backward();
      assertArrayEquals(new float[] {4}, x.grad().toFloatArray());
      first.remove();
      x.sum().backward();
      assertArrayEquals(new float[] {6}, x.grad().toFloatArray());
    }
  }

  @Nested
  class Errors {
    @Test
    void aTensorThatDoesNotRequireGradTakesNoHook() {
      var e = assertThrows(IllegalStateException.class, () -> Tensor.ones(2).registerHook(g -> g));
      assertEquals("cannot register a hook on a tensor that doesn't require gradient", e.getMessage());
    }

    /** A named hook, as Python's {@code def scale(g)}. */
    static final class Widen implements UnaryOperator<Tensor> {
      @Override
      public Tensor apply(Tensor g) {
        return Tensor.ones(3);
      }
    }

    @Test
    void aHookThatChangesTheShapeFailsWithPyTorchsMessageNamingIt() {
      Tensor x = leaf(1, 1);
      x.registerHook(g -> Tensor.ones(3));
      var e = assertThrows(IllegalStateException.class, () -> x.mul(3).sum().backward());
      assertEquals("hook '<lambda>' has changed the size of value", e.getMessage());
      assertNull(x.grad());

      Tensor y = leaf(1, 1).mul(2);
      y.registerHook(new Widen());
      e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
      assertEquals("hook 'Widen' has changed the size of value", e.getMessage());
    }

    @Test
    void aHookThatChangesTheDtypeFailsWithPyTorchsMessageTypeBeforeSize() {
      Tensor x = leaf(1, 1);
      x.registerHook(g -> Tensor.ones(DType.FLOAT64, 3));
      var e = assertThrows(IllegalStateException.class, () -> x.mul(3).sum().backward());
      assertEquals("hook '<lambda>' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)",
          e.getMessage());
      Tensor d = Tensor.ones(DType.FLOAT64, 2).requiresGrad_(true);
      d.registerHook(g -> Tensor.ones(DType.BOOL, 2));
      e = assertThrows(IllegalStateException.class, () -> d.sum().backward());
      assertEquals("hook '<lambda>' has changed the type of value (was torch.DoubleTensor got CPUBoolType)",
          e.getMessage());
    }

    @Test
    void aHookThatThrowsLeavesEveryLeafFullyUpdatedOrUntouchedAndTheGraphWhole() {
      Tensor a = leaf(1, 1);
      Tensor b = leaf(1, 1);
      Tensor y = a.mul(2);
      Tensor z = y.mul(b);   // b's accumulator runs before y's node, a's after it
      RuntimeException boom = new RuntimeException("boom");
      boolean[] thrown = {false};
      y.registerHook(g -> {
        if (!thrown[0]) {
          thrown[0] = true;
          throw boom;
        }
        return null;
      });
      Tensor loss = z.sum();
      assertSame(boom, assertThrows(RuntimeException.class, loss::backward));
      assertNull(a.grad(), "untouched: its accumulator never ran");
      assertArrayEquals(new float[] {2, 2}, b.grad().toFloatArray(), "fully updated before the failure");
      loss.backward(null, true);   // the graph was kept: the saved tensors are still there
      assertArrayEquals(new float[] {2, 2}, a.grad().toFloatArray());
      assertArrayEquals(new float[] {4, 4}, b.grad().toFloatArray());
      loss.backward();
      assertArrayEquals(new float[] {4, 4}, a.grad().toFloatArray());
    }

    @Test
    void aLeafHookThatThrowsLeavesThatLeafUntouched() {
      Tensor a = leaf(1, 1);
      a.registerHook(g -> {
        throw new IllegalArgumentException("no");
      });
      assertThrows(IllegalArgumentException.class, () -> a.mul(3).sum().backward());
      assertNull(a.grad());
    }
  }

  @Nested
  class GradModeInsideHooks {
    @Test
    void hooksRunWithGradModeOffAndMayUseNoGradThemselves() {
      Tensor x = leaf(1, 2);
      Tensor w = leaf(3, 3);
      boolean[] enabled = {true, true};
      x.registerHook(g -> {
        enabled[0] = GradMode.isEnabled();
        try (var guard = GradMode.noGrad()) {
          g = g.mul(w);   // records nothing, w takes no gradient
        }
        enabled[1] = GradMode.isEnabled();
        return g;
      });
      x.mul(2).sum().backward();
      assertFalse(enabled[0], "PyTorch runs hooks with grad mode off (without create_graph)");
      assertFalse(enabled[1], "a no_grad block inside the hook restores grad mode off");
      assertTrue(GradMode.isEnabled(), "backward restores the caller's grad mode");
      assertArrayEquals(new float[] {6, 6}, x.grad().toFloatArray());
      assertNull(w.grad());
    }
  }
}
