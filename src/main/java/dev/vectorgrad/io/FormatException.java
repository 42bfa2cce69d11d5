package dev.vectorgrad.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not a valid {@code .npy}, {@code .npz} or safetensors file, or that holds data
 * vectorgrad cannot represent (an unsupported dtype). The message starts with the file's path and
 * names the problem. PyTorch/numpy equivalent: the {@code ValueError} that {@code np.load} or
 * {@code safetensors} raises.
 */
public class FormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file, and what is wrong with it. */
  public FormatException(Path file, String problem) {
    super(file + ": " + problem);
  }

  /** The file, what is wrong with it, and the error that revealed it. */
  public FormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
