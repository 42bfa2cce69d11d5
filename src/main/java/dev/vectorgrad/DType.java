package dev.vectorgrad;

/**
 * Element types. PyTorch equivalent: {@code torch.float32} / {@code torch.float64}.
 *
 * <p>Promotion follows PyTorch: an op between a float32 and a float64 tensor computes in float64;
 * a Java {@code double} operand (PyTorch's Python scalar) and a 0-dim tensor do not promote a tensor
 * that has dimensions.
 */
public enum DType {
  FLOAT32(4, "torch.float32", "torch.FloatTensor"),
  FLOAT64(8, "torch.float64", "torch.DoubleTensor");

  private final int byteSize;
  private final String torchName;
  private final String legacyTypeName;

  DType(int byteSize, String torchName, String legacyTypeName) {
    this.byteSize = byteSize;
    this.torchName = torchName;
    this.legacyTypeName = legacyTypeName;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** PyTorch's name, e.g. {@code torch.float32}. */
  public String torchName() {
    return torchName;
  }

  /** PyTorch's legacy tensor type name used in its error messages, e.g. {@code torch.FloatTensor}. */
  public String legacyTypeName() {
    return legacyTypeName;
  }

  /** The type an op between {@code a} and {@code b} computes in ({@code torch.promote_types}). */
  public static DType promote(DType a, DType b) {
    return a == FLOAT64 || b == FLOAT64 ? FLOAT64 : FLOAT32;
  }

  /** {@code value} rounded to this type, as a tensor of this type would store it. */
  public double round(double value) {
    return this == FLOAT32 ? (double) (float) value : value;
  }
}
