package dev.vectorgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vectorgrad.DType;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;
import dev.vectorgrad.TensorScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The optimizer API beyond the update formulas (which PyTorchGoldenOptimTest checks): gradients
 * cleared to null or zeros, parameters without gradients skipped, groups and their options,
 * PyTorch's error messages, state surviving scopes, non-contiguous parameters and gradients.
 */
class OptimizerApiTest {

  private static Tensor param(float... values) {
    return Tensor.of(values).requiresGrad_(true);
  }

  @Test
  void zeroGradSetsGradientsToNullByDefaultAndToZerosOnRequest() {
    Tensor p = param(1, 2, 3);
    p.setGrad(Tensor.of(new float[] {1, 1, 1}));
    SGD opt = new SGD(List.of(p), 0.1);
    opt.zeroGrad(false);
    assertNotNull(p.grad());
    assertArrayEquals(new float[] {0, 0, 0}, p.grad().toFloatArray());
    opt.zeroGrad();
    assertNull(p.grad());
  }

  @Test
  void parametersWithoutGradientsAreSkippedAndGetNoState() {
    Tensor a = param(1, 2);
    Tensor b = param(3, 4);
    Adam opt = new Adam(List.of(a, b), 0.1);
    a.setGrad(Tensor.of(new float[] {1, -1}));
    opt.step();
    assertEquals(1, opt.stateSize());
    assertArrayEquals(new float[] {3, 4}, b.toFloatArray());
    // Adam's first step moves each element by lr against the gradient's sign
    assertArrayEquals(new float[] {0.9f, 2.1f}, a.toFloatArray(), 1e-6f);
    try (Optimizer.StateDict sd = opt.stateDict()) {
      assertEquals(List.of(0), List.copyOf(sd.state().keySet()));
      assertEquals(1.0, ((Tensor) sd.state().get(0).get("step")).item());
      assertEquals(DType.FLOAT32, ((Tensor) sd.state().get(0).get("step")).dtype());
    }
  }

  @Test
  void aStepWritesParametersInPlaceAndBumpsTheirVersion() {
    Tensor p = param(1, 2, 3);
    long v = p.version();
    p.setGrad(Tensor.of(new float[] {1, 2, 3}));
    new SGD(List.of(p), 0.5).step();
    assertEquals(v + 1, p.version());
    assertArrayEquals(new float[] {0.5f, 1, 1.5f}, p.toFloatArray());
  }

  @Test
  void groupsHaveTheirOwnOptionsAndLearningRatesChangeAtTheNextStep() {
    Tensor a = param(1);
    Tensor b = param(1);
    SGD opt = new SGD(List.of(a), 0.1).momentum(0.5);
    opt.addParamGroup(List.of(b), Map.of("lr", 0.01));
    assertEquals(2, opt.paramGroups().size());
    assertEquals(0.5, opt.paramGroups().get(1).getDouble("momentum"), "unnamed options take the defaults");
    assertEquals(0.01, opt.paramGroups().get(1).lr());
    a.setGrad(Tensor.of(new float[] {1}));
    b.setGrad(Tensor.of(new float[] {1}));
    opt.step();
    assertEquals(0.9f, a.toFloatArray()[0], 1e-7f);
    assertEquals(0.99f, b.toFloatArray()[0], 1e-7f);
    opt.paramGroups().get(0).setLr(1.0);
    opt.step();   // buf = 0.5 * 1 + 1 = 1.5
    assertEquals(0.9f - 1.5f, a.toFloatArray()[0], 1e-6f);
    try (Optimizer.StateDict sd = opt.stateDict()) {
      assertEquals(List.of(0), sd.paramGroups().get(0).get("params"));
      assertEquals(List.of(1), sd.paramGroups().get(1).get("params"));
      assertEquals(1.0, sd.paramGroups().get(0).get("lr"));
      assertEquals(0.01, sd.paramGroups().get(1).get("lr"));
    }
  }

  @Test
  void errorsHavePyTorchsMessages() {
    Tensor p = param(1);
    assertEquals("optimizer got an empty parameter list",
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1)).getMessage());
    assertEquals("Invalid learning rate: -1.0",
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), -1)).getMessage());
    assertEquals("Invalid momentum value: -0.5",
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), 0.1).momentum(-0.5)).getMessage());
    assertEquals("Invalid epsilon value: -1e-05",
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), 0.1).eps(-1e-5)).getMessage());
    assertEquals("Invalid beta parameter at index 1: 1.0",
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(p), 0.1).betas(0.9, 1.0)).getMessage());
    assertEquals("Invalid weight_decay value: -0.1",
        assertThrows(IllegalArgumentException.class, () -> new RMSprop(List.of(p), 0.1).weightDecay(-0.1)).getMessage());
    assertEquals("Invalid alpha value: -0.99",
        assertThrows(IllegalArgumentException.class, () -> new RMSprop(List.of(p), 0.1).alpha(-0.99)).getMessage());
    Tensor nonLeaf = p.mul(2.0);
    assertEquals("can't optimize a non-leaf Tensor",
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(nonLeaf), 0.1)).getMessage());
    SGD opt = new SGD(List.of(p), 0.1);
    assertEquals("some parameters appear in more than one parameter group",
        assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(List.of(p), Map.of())).getMessage());
    p.setGrad(Tensor.of(new float[] {1}));
    opt.nesterov(true);
    assertEquals("Nesterov momentum requires a momentum and zero dampening",
        assertThrows(IllegalArgumentException.class, opt::step).getMessage());
  }

  @Test
  void loadStateDictRefusesMismatchedGroupsWithPyTorchsMessages() {
    Tensor a = param(1);
    Tensor b = param(2);
    SGD one = new SGD(List.of(a, b), 0.1);
    SGD two = new SGD(List.of(a), 0.1);
    two.addParamGroup(List.of(b), Map.of());
    SGD single = new SGD(List.of(a), 0.1);
    try (Optimizer.StateDict sd = one.stateDict()) {
      assertEquals("loaded state dict has a different number of parameter groups",
          assertThrows(IllegalArgumentException.class, () -> two.loadStateDict(sd)).getMessage());
      assertEquals("loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
          assertThrows(IllegalArgumentException.class, () -> single.loadStateDict(sd)).getMessage());
    }
  }

  @Test
  void stateCreatedInsideAScopeOutlivesIt() {
    Tensor p = param(1, 2, 3);
    p.setGrad(Tensor.of(new float[] {1, 1, 1}));
    Adam opt = new Adam(List.of(p), 0.1);
    try (TensorScope scope = TensorScope.open()) {
      opt.step();
    }
    opt.step();   // would fail on closed state tensors
    try (Optimizer.StateDict sd = opt.stateDict()) {
      assertEquals(2.0, ((Tensor) sd.state().get(0).get("step")).item());
      assertFalse(((Tensor) sd.state().get(0).get("exp_avg")).isClosed());
    }
  }

  @Test
  void stateDictTensorsAreCopiesOwnedByTheCaller() {
    Tensor p = param(1, 2, 3);
    p.setGrad(Tensor.of(new float[] {1, 2, 3}));
    SGD opt = new SGD(List.of(p), 0.1).momentum(0.9);
    opt.step();
    Tensor buf;
    try (TensorScope scope = TensorScope.open()) {
      buf = (Tensor) opt.stateDict().state().get(0).get("momentum_buffer");
      assertArrayEquals(new float[] {1, 2, 3}, buf.toFloatArray());
    }
    assertTrue(buf.isClosed(), "the copy belonged to the scope");
    opt.step();   // the optimizer's own buffer is untouched
    try (Optimizer.StateDict sd = opt.stateDict()) {
      assertArrayEquals(new float[] {1.9f, 3.8f, 5.7f}, ((Tensor) sd.state().get(0).get("momentum_buffer")).toFloatArray(), 1e-6f);
    }
  }

  /** A transposed (non-contiguous) parameter and gradient get exactly the updates of contiguous ones. */
  @Test
  void nonContiguousParametersAndGradientsGetTheSameBits() {
    for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
      Tensor base = Tensor.randn(33, 7).to(dtype);
      Tensor strided = base.clone().t().requiresGrad_(true);
      assertFalse(strided.isContiguous());
      Tensor plain = base.clone().t().contiguous().requiresGrad_(true);
      assertTrue(plain.isContiguous());
      Adam a = new Adam(List.of(strided), 0.01).amsgrad(true).weightDecay(0.1);
      Adam b = new Adam(List.of(plain), 0.01).amsgrad(true).weightDecay(0.1);
      for (int step = 0; step < 5; step++) {
        Tensor g = Tensor.randn(33, 7).to(dtype);
        strided.setGrad(g.clone().t());   // a non-contiguous gradient
        plain.setGrad(g.clone().t().contiguous());
        long v = strided.version();
        a.step();
        b.step();
        assertEquals(v + 1, strided.version());
      }
      try (GradMode.Guard guard = GradMode.noGrad()) {
        assertArrayEquals(PyTorchGoldenOptimTest.valuesOf(plain), PyTorchGoldenOptimTest.valuesOf(strided.contiguous()));
      }
    }
  }

  @Test
  void pythonReprOfFloats() {
    assertEquals("-1.0", Py.repr(-1));
    assertEquals("1e-05", Py.repr(1e-5));
    assertEquals("0.0001", Py.repr(1e-4));
    assertEquals("0.1", Py.repr(0.1));
    assertEquals("1e+16", Py.repr(1e16));
    assertEquals("1234567890123456.0", Py.repr(1234567890123456.0));
    assertEquals("2.5e-07", Py.repr(2.5e-7));
    assertEquals("nan", Py.repr(Double.NaN));
  }
}
