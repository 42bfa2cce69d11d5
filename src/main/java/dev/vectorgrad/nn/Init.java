package dev.vectorgrad.nn;

import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;

/**
 * Weight initializations, in place, without recording (under no_grad), each returning its tensor.
 * PyTorch equivalent: {@code torch.nn.init}. Every function takes an optional {@link Generator}
 * (null or absent: the default one); the random streams are vectorgrad's, not PyTorch's mt19937,
 * so the same seed draws other numbers than in PyTorch, from the same distributions.
 *
 * <p>Fans follow PyTorch's {@code _calculate_fan_in_and_fan_out}: for a weight of shape
 * {@code (out, in, k1, k2, ...)}, {@code fan_in = in * k1 * k2 ...} and {@code fan_out = out * k1 * k2 ...}.
 */
public final class Init {
  private Init() {}

  /**
   * The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, sqrt(2) for
   * relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope 0.01 unless given), 3/4 for selu.
   * PyTorch: {@code nn.init.calculate_gain(nonlinearity)}.
   *
   * @throws IllegalArgumentException for another name (PyTorch's message)
   */
  public static double calculateGain(String nonlinearity) {
    return calculateGain(nonlinearity, null);
  }

  /** {@link #calculateGain(String)} with leaky_relu's negative slope {@code param} (null: 0.01). PyTorch: {@code calculate_gain(nonlinearity, param)}. */
  public static double calculateGain(String nonlinearity, Double param) {
    switch (nonlinearity) {
      case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
          "sigmoid" -> {
        return 1;
      }
      case "tanh" -> {
        return 5.0 / 3;
      }
      case "relu" -> {
        return Math.sqrt(2.0);
      }
      case "leaky_relu" -> {
        double slope = param == null ? 0.01 : param;
        return Math.sqrt(2.0 / (1 + slope * slope));
      }
      case "selu" -> {
        return 3.0 / 4;
      }
      default -> throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
    }
  }

  /**
   * {@code {fan_in, fan_out}} of a weight of at least 2 dims. PyTorch: {@code nn.init._calculate_fan_in_and_fan_out}.
   *
   * @throws IllegalArgumentException for fewer than 2 dims (PyTorch's message)
   */
  public static long[] fanInAndFanOut(Tensor t) {
    long[] shape = t.shape();
    if (shape.length < 2) {
      throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    }
    long receptive = 1;
    for (int i = 2; i < shape.length; i++) receptive *= shape[i];
    return new long[] {shape[1] * receptive, shape[0] * receptive};
  }

  private static long fan(Tensor t, String mode) {
    String m = mode.toLowerCase(java.util.Locale.ROOT);
    if (!m.equals("fan_in") && !m.equals("fan_out")) {
      throw new IllegalArgumentException("Mode " + m + " not supported, please use one of ['fan_in', 'fan_out']");
    }
    long[] fans = fanInAndFanOut(t);
    return m.equals("fan_in") ? fans[0] : fans[1];
  }

  /** Values uniform in [a, b). PyTorch: {@code nn.init.uniform_(t, a, b)}. */
  public static Tensor uniform_(Tensor t, double a, double b) {
    return uniform_(t, a, b, null);
  }

  /** Values uniform in [0, 1). PyTorch: {@code nn.init.uniform_(t)}. */
  public static Tensor uniform_(Tensor t) {
    return uniform_(t, 0, 1, null);
  }

  /** Values uniform in [a, b) from {@code generator}. PyTorch: {@code nn.init.uniform_(t, a, b)} (with {@code torch.Generator} in 2.x). */
  public static Tensor uniform_(Tensor t, double a, double b, Generator generator) {
    try (var guard = GradMode.noGrad()) {
      return t.uniform_(a, b, generator);
    }
  }

  /** Normal values. PyTorch: {@code nn.init.normal_(t, mean, std)}. */
  public static Tensor normal_(Tensor t, double mean, double std) {
    return normal_(t, mean, std, null);
  }

  /** Standard normal values. PyTorch: {@code nn.init.normal_(t)}. */
  public static Tensor normal_(Tensor t) {
    return normal_(t, 0, 1, null);
  }

  /** Normal values from {@code generator}. PyTorch: {@code nn.init.normal_(t, mean, std)}. */
  public static Tensor normal_(Tensor t, double mean, double std, Generator generator) {
    try (var guard = GradMode.noGrad()) {
      return t.normal_(mean, std, generator);
    }
  }

  /** Every element {@code value}. PyTorch: {@code nn.init.constant_(t, val)}. */
  public static Tensor constant_(Tensor t, double value) {
    try (var guard = GradMode.noGrad()) {
      return t.fill_(value);
    }
  }

  /** Zeros. PyTorch: {@code nn.init.zeros_(t)}. */
  public static Tensor zeros_(Tensor t) {
    try (var guard = GradMode.noGrad()) {
      return t.zero_();
    }
  }

  /** Ones. PyTorch: {@code nn.init.ones_(t)}. */
  public static Tensor ones_(Tensor t) {
    return constant_(t, 1);
  }

  /** Glorot uniform with gain 1. PyTorch: {@code nn.init.xavier_uniform_(t)}. */
  public static Tensor xavierUniform_(Tensor t) {
    return xavierUniform_(t, 1.0, null);
  }

  /** Glorot uniform. PyTorch: {@code nn.init.xavier_uniform_(t, gain)}. */
  public static Tensor xavierUniform_(Tensor t, double gain) {
    return xavierUniform_(t, gain, null);
  }

  /**
   * Values uniform in {@code [-a, a]}, {@code a = gain * sqrt(6 / (fan_in + fan_out))}.
   * PyTorch: {@code nn.init.xavier_uniform_(t, gain)}.
   *
   * @throws IllegalArgumentException for fewer than 2 dims (PyTorch's message)
   */
  public static Tensor xavierUniform_(Tensor t, double gain, Generator generator) {
    long[] fans = fanInAndFanOut(t);
    double std = gain * Math.sqrt(2.0 / (fans[0] + fans[1]));
    double a = Math.sqrt(3.0) * std;
    return uniform_(t, -a, a, generator);
  }

  /** Glorot normal with gain 1. PyTorch: {@code nn.init.xavier_normal_(t)}. */
  public static Tensor xavierNormal_(Tensor t) {
    return xavierNormal_(t, 1.0, null);
  }

  /** Glorot normal. PyTorch: {@code nn.init.xavier_normal_(t, gain)}. */
  public static Tensor xavierNormal_(Tensor t, double gain) {
    return xavierNormal_(t, gain, null);
  }

  /**
   * Normal values with mean 0 and {@code std = gain * sqrt(2 / (fan_in + fan_out))}.
   * PyTorch: {@code nn.init.xavier_normal_(t, gain)}.
   *
   * @throws IllegalArgumentException for fewer than 2 dims (PyTorch's message)
   */
  public static Tensor xavierNormal_(Tensor t, double gain, Generator generator) {
    long[] fans = fanInAndFanOut(t);
    double std = gain * Math.sqrt(2.0 / (fans[0] + fans[1]));
    return normal_(t, 0, std, generator);
  }

  /** He uniform with PyTorch's defaults (a 0, fan_in, leaky_relu: gain sqrt(2)). PyTorch: {@code nn.init.kaiming_uniform_(t)}. */
  public static Tensor kaimingUniform_(Tensor t) {
    return kaimingUniform_(t, 0, "fan_in", "leaky_relu", null);
  }

  /** He uniform with negative slope {@code a}, fan_in, leaky_relu. PyTorch: {@code nn.init.kaiming_uniform_(t, a)}. */
  public static Tensor kaimingUniform_(Tensor t, double a) {
    return kaimingUniform_(t, a, "fan_in", "leaky_relu", null);
  }

  /** He uniform. PyTorch: {@code nn.init.kaiming_uniform_(t, a, mode, nonlinearity)}. */
  public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity) {
    return kaimingUniform_(t, a, mode, nonlinearity, null);
  }

  /**
   * Values uniform in {@code [-bound, bound]}, {@code bound = gain * sqrt(3 / fan)} with
   * {@code gain = calculateGain(nonlinearity, a)} and fan the fan_in or fan_out ({@code mode});
   * a tensor without elements is left alone (PyTorch warns). PyTorch: {@code nn.init.kaiming_uniform_(t, a, mode, nonlinearity)}.
   *
   * @throws IllegalArgumentException for fewer than 2 dims, an unknown mode or nonlinearity (PyTorch's messages)
   */
  public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity, Generator generator) {
    if (t.numel() == 0) return t;
    double std = calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode));
    double bound = Math.sqrt(3.0) * std;
    return uniform_(t, -bound, bound, generator);
  }

  /** He normal with PyTorch's defaults (a 0, fan_in, leaky_relu). PyTorch: {@code nn.init.kaiming_normal_(t)}. */
  public static Tensor kaimingNormal_(Tensor t) {
    return kaimingNormal_(t, 0, "fan_in", "leaky_relu", null);
  }

  /** He normal. PyTorch: {@code nn.init.kaiming_normal_(t, a, mode, nonlinearity)}. */
  public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity) {
    return kaimingNormal_(t, a, mode, nonlinearity, null);
  }

  /**
   * Normal values with mean 0 and {@code std = gain / sqrt(fan)}; a tensor without elements is left
   * alone. PyTorch: {@code nn.init.kaiming_normal_(t, a, mode, nonlinearity)}.
   *
   * @throws IllegalArgumentException for fewer than 2 dims, an unknown mode or nonlinearity (PyTorch's messages)
   */
  public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity, Generator generator) {
    if (t.numel() == 0) return t;
    double std = calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode));
    return normal_(t, 0, std, generator);
  }
}
