package dev.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * Strides of tensors with a dimension of size 0 follow PyTorch: a contiguous tensor's strides treat
 * a size-0 dim as size 1, and views derive theirs from those. Expected values are PyTorch 1.13's,
 * printed by {@code /usr/bin/python3 -c "import torch; e = torch.empty; print(e(4, 0).stride(), ...)"}
 * with the expression named in each assertion.
 */
class EmptyTensorStridesTest {
  @Test
  void contiguousStridesCountASizeZeroDimAsOne() {
    assertArrayEquals(new long[] {1, 1}, Tensor.zeros(4, 0).stride(), "torch.empty(4, 0).stride()");
    assertArrayEquals(new long[] {4, 1}, Tensor.zeros(0, 4).stride(), "torch.empty(0, 4).stride()");
    assertArrayEquals(new long[] {3, 3, 1}, Tensor.zeros(2, 0, 3).stride(), "torch.empty(2, 0, 3).stride()");
    assertArrayEquals(new long[] {1, 1, 1}, Tensor.zeros(3, 0, 0).stride(), "torch.empty(3, 0, 0).stride()");
    assertArrayEquals(new long[] {1}, Tensor.zeros(0).stride(), "torch.empty(0).stride()");
  }

  @Test
  void viewsOfEmptyTensorsDeriveTheirStridesAsPyTorchDoes() {
    assertArrayEquals(new long[] {1, 1}, Tensor.zeros(0, 4).view(4, 0).stride(), "e(0, 4).view(4, 0)");
    assertArrayEquals(new long[] {2, 2, 1}, Tensor.zeros(0, 4).reshape(2, 0, 2).stride(), "e(0, 4).reshape(2, 0, 2)");
    assertArrayEquals(new long[] {1, 0, 1}, Tensor.zeros(3, 0).unsqueeze(1).stride(), "e(3, 0).unsqueeze(1)");
    assertArrayEquals(new long[] {1, 1}, Tensor.zeros(3, 0).narrow(0, 1, 2).stride(), "e(3, 0)[1:]");
    assertArrayEquals(new long[] {0, 4, 1}, Tensor.zeros(0, 4).expand(2, 0, 4).stride(), "e(0, 4).expand(2, 0, 4)");
    assertArrayEquals(new long[] {1}, Tensor.zeros(2, 0).flatten().stride(), "e(2, 0).flatten()");
    assertArrayEquals(new long[] {1, 3, 3}, Tensor.zeros(2, 0, 3).permute(2, 0, 1).contiguous().stride(),
        "e(2, 0, 3).permute(2, 0, 1).contiguous(): already contiguous (no elements), so the view itself");
    assertArrayEquals(new long[] {1, 4}, Tensor.zeros(0, 4).t().contiguous().stride(), "e(0, 4).t().contiguous()");
  }

  @Test
  void resultsOfOpsOnEmptyTensorsAreContiguousWithPyTorchStrides() {
    assertArrayEquals(new long[] {1}, Tensor.zeros(4, 0).sum(new int[] {0}, false).stride(), "torch.zeros(4, 0).sum(0)");
    assertArrayEquals(new long[] {1, 1}, Tensor.zeros(4, 0).add(1).stride(), "(e(4, 0) + 1)");
  }
}
