/**
 * Reading and writing tensors in the files numpy, PyTorch and Hugging Face tools exchange:
 * {@code .npy} ({@link dev.vectorgrad.io.Npy}), {@code .npz} ({@link dev.vectorgrad.io.Npz}) and
 * safetensors ({@link dev.vectorgrad.io.Safetensors}), by copy or memory-mapped (zero-copy views
 * valid until their holder closes).
 *
 * <p>Every reader validates the whole layout before it allocates anything, never allocates more
 * than the data the file can hold, and reports a bad file with a {@link dev.vectorgrad.io.FormatException}
 * (an {@link java.io.IOException}) whose message starts with the file's path.
 */
package dev.vectorgrad.io;
