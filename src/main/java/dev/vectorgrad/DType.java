package dev.vectorgrad;

/**
 * Element types. PyTorch equivalent: {@code torch.float32}, {@code torch.float64},
 * {@code torch.int64}, {@code torch.bool}.
 *
 * <p>Promotion follows PyTorch's {@code torch.result_type}: types are ordered bool &lt; int64 &lt;
 * float32 &lt; float64 ({@link #promote}); a Java {@code double} operand (PyTorch's Python float)
 * and a 0-dim tensor take part with lower priority than tensors with dimensions: they change the
 * result only when they belong to a higher category (bool, integer, floating point), e.g. an int64
 * tensor plus {@code 2.5} is float32, a float32 tensor plus a 0-dim float64 tensor stays float32.
 * Only floating point tensors can require gradients.
 */
public enum DType {
  /** 32-bit IEEE float. PyTorch: {@code torch.float32}. */
  FLOAT32(4, "torch.float32", "torch.FloatTensor", "Float"),
  /** 64-bit IEEE float. PyTorch: {@code torch.float64}. */
  FLOAT64(8, "torch.float64", "torch.DoubleTensor", "Double"),
  /** 64-bit signed integer. PyTorch: {@code torch.int64}. */
  INT64(8, "torch.int64", "torch.LongTensor", "Long"),
  /** Boolean, one byte (0 or 1) per element. PyTorch: {@code torch.bool}. */
  BOOL(1, "torch.bool", "CPUBoolType", "Bool");   // PyTorch has no legacy bool tensor class name

  private final int byteSize;
  private final String torchName;
  private final String legacyTypeName;
  private final String scalarTypeName;

  DType(int byteSize, String torchName, String legacyTypeName, String scalarTypeName) {
    this.byteSize = byteSize;
    this.torchName = torchName;
    this.legacyTypeName = legacyTypeName;
    this.scalarTypeName = scalarTypeName;
  }

  /** Bytes per element. PyTorch: {@code element_size()}. */
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

  /** PyTorch's C++ scalar type name used in its error messages, e.g. {@code Float}, {@code Long}. */
  public String scalarTypeName() {
    return scalarTypeName;
  }

  /** Whether this is float32 or float64. PyTorch: {@code dtype.is_floating_point}. */
  public boolean isFloatingPoint() {
    return this == FLOAT32 || this == FLOAT64;
  }

  /** 0 for bool, 1 for integers, 2 for floating point: the categories of PyTorch's {@code result_type}. */
  int category() {
    return switch (this) {
      case BOOL -> 0;
      case INT64 -> 1;
      case FLOAT32, FLOAT64 -> 2;
    };
  }

  /** Position in the promotion order bool &lt; int64 &lt; float32 &lt; float64. */
  private int rank() {
    return switch (this) {
      case BOOL -> 0;
      case INT64 -> 1;
      case FLOAT32 -> 2;
      case FLOAT64 -> 3;
    };
  }

  /** The type an op between tensors of {@code a} and {@code b} computes in ({@code torch.promote_types}). */
  public static DType promote(DType a, DType b) {
    return a.rank() >= b.rank() ? a : b;
  }

  /** {@code value} rounded to this type, as a tensor of this type would store it. */
  public double round(double value) {
    return switch (this) {
      case FLOAT32 -> (double) (float) value;
      case FLOAT64 -> value;
      case INT64 -> (double) Casts.toInt64(value);
      case BOOL -> value != 0 ? 1 : 0;
    };
  }
}
