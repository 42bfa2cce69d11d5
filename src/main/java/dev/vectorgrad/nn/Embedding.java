package dev.vectorgrad.nn;

import dev.vectorgrad.Generator;
import dev.vectorgrad.GradMode;
import dev.vectorgrad.Tensor;

/**
 * A lookup table of {@code num} vectors of size {@code dim}: an int64 index tensor of any shape
 * becomes its rows, of shape {@code indices.shape() + [dim]}. The weight is drawn from N(0, 1)
 * (default generator or the one given); with a padding index, that row starts at zero and gets no
 * gradient. PyTorch equivalent: {@code torch.nn.Embedding}.
 *
 * <p>The lookup is {@code index_select} + reshape (recorded as those ops; PyTorch records
 * {@code EmbeddingBackward0}), with the same values and gradients.
 */
@SuppressWarnings("this-escape")   // registers its state in the constructor, as PyTorch's __init__
public class Embedding extends Module {
  private final long numEmbeddings;
  private final long embeddingDim;
  private final Long paddingIdx;

  /** PyTorch: {@code nn.Embedding(num_embeddings, embedding_dim)}. */
  public Embedding(long numEmbeddings, long embeddingDim) {
    this(numEmbeddings, embeddingDim, null, null);
  }

  /** Initialized from {@code generator}. PyTorch: {@code nn.Embedding(num, dim)} after seeding. */
  public Embedding(long numEmbeddings, long embeddingDim, Generator generator) {
    this(numEmbeddings, embeddingDim, null, generator);
  }

  /**
   * With a padding index (null for none; negative counts from the end).
   * PyTorch: {@code nn.Embedding(num, dim, padding_idx)}.
   *
   * @throws IllegalArgumentException for a padding index outside the table (PyTorch's message)
   */
  public Embedding(long numEmbeddings, long embeddingDim, Long paddingIdx, Generator generator) {
    Long pad = paddingIdx;
    if (pad != null) {
      if (pad > 0 && pad >= numEmbeddings) throw new IllegalArgumentException("Padding_idx must be within num_embeddings");
      if (pad < 0) {
        if (pad < -numEmbeddings) throw new IllegalArgumentException("Padding_idx must be within num_embeddings");
        pad = pad + numEmbeddings;
      }
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    Tensor w = registerParameter("weight", Tensor.zeros(numEmbeddings, embeddingDim));
    Init.normal_(w, 0, 1, generator);
    if (pad != null) {
      try (var guard = GradMode.noGrad(); Tensor row = w.select(0, pad)) {
        row.fill_(0);
      }
    }
  }

  /** The table, {@code (num_embeddings, embedding_dim)}. PyTorch: {@code emb.weight}. */
  public Tensor weight() {
    return param("weight");
  }

  /** The padding index (non-negative), or null. PyTorch: {@code emb.padding_idx}. */
  public Long paddingIdx() {
    return paddingIdx;
  }

  /** PyTorch: {@code emb(indices)} ({@code F.embedding}). */
  @Override
  public Tensor forward(Tensor indices) {
    return NnOps.embedding(indices, weight(), paddingIdx);
  }

  @Override
  protected String extraRepr() {
    return numEmbeddings + ", " + embeddingDim + (paddingIdx != null ? ", padding_idx=" + paddingIdx : "");
  }
}
