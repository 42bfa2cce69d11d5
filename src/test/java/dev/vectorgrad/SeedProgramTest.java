package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The founding PyTorch program, line by line. Expected text is what PyTorch 1.13 prints for it
 * (see src/test/resources/golden/ops/gen_ops.py for the generator of the numeric goldens).
 *
 * <pre>
 * x = Variable(torch.ones(2,2), requires_grad=False)
 * temp = Variable(torch.zeros(2,2), requires_grad=True)
 * y = (x + temp + 2).mean()
 * y.backward()
 * </pre>
 */
class SeedProgramTest {
  private final Tensor x = Variable.of(Tensor.ones(2, 2), false);
  private final Tensor temp = Variable.of(Tensor.zeros(2, 2), true);

  @Test
  void yPrintsLikePyTorch() {
    Tensor y = x.add(temp).add(2).mean();
    assertEquals("tensor(3., grad_fn=<MeanBackward0>)", y.toString());
  }

  @Test
  void backwardFillsTempGradWithAQuarterAndLeavesXGradNull() {
    Tensor y = x.add(temp).add(2).mean();
    y.backward();
    assertNull(x.grad());
    assertEquals("tensor([[0.2500, 0.2500],\n        [0.2500, 0.2500]])", temp.grad().toString());
  }

  @Test
  void resultOfInputsThatNeedNoGradHasNoGradFnAndCannotBackward() {
    Tensor y2 = x.add(2).mean();
    assertNull(y2.gradFn());
    var e = assertThrows(IllegalStateException.class, y2::backward);
    assertEquals("element 0 of tensors does not require grad and does not have a grad_fn", e.getMessage());
  }

  @Test
  void gradientsAccumulateUntilZeroed() {
    for (int call = 1; call <= 3; call++) {
      x.add(temp).add(2).mean().backward();
      assertArrayEquals(new float[] {0.25f * call, 0.25f * call, 0.25f * call, 0.25f * call}, temp.grad().toFloatArray());
    }
    temp.grad().data().zero_();
    assertEquals("tensor([[0., 0.],\n        [0., 0.]])", temp.grad().toString());
    x.add(temp).add(2).mean().backward();
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, temp.grad().toFloatArray());
  }

  @Test
  void variableSharesTheDataItWraps() {
    Tensor data = Tensor.zeros(2, 2);
    Tensor v = Variable.of(data, true);
    data.fill_(5);
    assertArrayEquals(new float[] {5, 5, 5, 5}, v.toFloatArray());
    assertEquals("tensor([[5., 5.],\n        [5., 5.]], requires_grad=True)", v.toString());
  }
}
