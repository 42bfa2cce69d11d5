package dev.vectorgrad;

/**
 * PyTorch's legacy {@code torch.autograd.Variable(tensor, requires_grad=...)}, kept so that old
 * programs port line by line. Since PyTorch 0.4 a Variable is just a tensor; so it is here.
 */
public final class Variable {
  private Variable() {}

  /**
   * A new leaf sharing {@code data}'s values (not copied), with {@code requiresGrad} set.
   * PyTorch: {@code Variable(data, requires_grad=requiresGrad)}.
   */
  public static Tensor of(Tensor data, boolean requiresGrad) {
    return data.data().requiresGrad_(requiresGrad);
  }
}
