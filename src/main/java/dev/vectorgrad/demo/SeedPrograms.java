package dev.vectorgrad.demo;

import dev.vectorgrad.Tensor;
import dev.vectorgrad.Variable;

/**
 * The main job ({@code ./mvnw -q exec:java}): the founding PyTorch program ported line by line,
 * each Java line printed with what it prints, in PyTorch's text.
 */
public final class SeedPrograms {
  private SeedPrograms() {}

  public static void main(String[] args) {
    section("1. Gradients reach the leaf that requires grad");
    Tensor x = Variable.of(Tensor.ones(2, 2), false);
    Tensor temp = Variable.of(Tensor.zeros(2, 2), true);
    Tensor y = x.add(temp).add(2).mean();
    code("Tensor x = Variable.of(Tensor.ones(2, 2), false);");
    code("Tensor temp = Variable.of(Tensor.zeros(2, 2), true);");
    code("Tensor y = x.add(temp).add(2).mean();");
    show("y", y);
    y.backward();
    code("y.backward();");

    section("2. x needs no grad, so x.grad() is null (PyTorch: None)");
    show("x.grad()", x.grad());

    section("3. temp.grad() holds d(mean)/d(temp) = 1/4 everywhere");
    show("temp.grad()", temp.grad());

    section("4. A result that needs no grad has no grad_fn, and backward() fails as in PyTorch");
    Tensor y2 = x.add(2).mean();
    code("Tensor y2 = x.add(2).mean();");
    show("y2.gradFn()", y2.gradFn());
    code("y2.backward();");
    try {
      y2.backward();
      System.out.println("  (no error: this would be a bug)");
    } catch (RuntimeException e) {
      System.out.println("  -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    section("Section 2: gradients accumulate over backward() calls until zero_()");
    for (int i = 1; i <= 2; i++) {
      Tensor yi = x.add(temp).add(2).mean();
      yi.backward();
      code("x.add(temp).add(2).mean().backward();   // call " + i + " after the first");
      show("temp.grad()", temp.grad());
      yi.close();
    }
    temp.grad().data().zero_();
    code("temp.grad().data().zero_();");
    show("temp.grad()", temp.grad());
    Tensor y3 = x.add(temp).add(2).mean();
    y3.backward();
    code("x.add(temp).add(2).mean().backward();");
    show("temp.grad()", temp.grad());
  }

  private static void section(String title) {
    System.out.println();
    System.out.println("## " + title);
  }

  private static void code(String line) {
    System.out.println("  " + line);
  }

  private static void show(String expression, Object value) {
    String text = String.valueOf(value);
    System.out.println("  System.out.println(" + expression + ");");
    System.out.println("  -> " + text.replace("\n", "\n     "));
  }
}
