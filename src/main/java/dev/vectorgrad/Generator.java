package dev.vectorgrad;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * A seeded source of random numbers for {@code rand}, {@code randn}, {@code randint},
 * {@code randperm}, {@code bernoulli}, {@code uniform_}, {@code normal_}, dropout and the
 * {@code nn.init} functions. PyTorch equivalent: {@code torch.Generator}.
 *
 * <p>The same seed gives the same numbers on every run, platform and thread count: draws are made
 * one after the other on the calling thread, from the JDK's {@code L64X128MixRandom} algorithm. The
 * streams are NOT PyTorch's (its CPU generator is an mt19937 with its own transformations), so a
 * seeded vectorgrad program draws different numbers than the same PyTorch program; copy initial
 * weights over (e.g. through safetensors) when the two must start alike.
 *
 * <p>Thread safety: a generator may be shared; each draw of a tensor takes its numbers as one
 * uninterrupted run (the generator is locked for the draw), so concurrent draws interleave only at
 * tensor boundaries. The default generator ({@link Tensor#manualSeed(long)}) is shared by every
 * thread.
 */
public final class Generator {
  /** PyTorch's default seed, used by the default generator until {@link Tensor#manualSeed(long)}. */
  public static final long DEFAULT_SEED = 67280421310721L;
  private static final RandomGeneratorFactory<RandomGenerator> ALGORITHM = RandomGeneratorFactory.of("L64X128MixRandom");
  private static final Generator DEFAULT = new Generator(DEFAULT_SEED);

  private RandomGenerator random;
  private long seed;

  /** A generator seeded with {@code seed}. PyTorch: {@code torch.Generator().manual_seed(seed)}. */
  public Generator(long seed) {
    manualSeed(seed);
  }

  /** The generator that draws when none is given. PyTorch: {@code torch.default_generator}. */
  public static Generator defaultGenerator() {
    return DEFAULT;
  }

  /** Restarts the stream from {@code seed}; returns this. PyTorch: {@code manual_seed(seed)}. */
  public synchronized Generator manualSeed(long seed) {
    this.seed = seed;
    this.random = ALGORITHM.create(seed);
    return this;
  }

  /** The seed the stream started from. PyTorch: {@code initial_seed()}. */
  public synchronized long initialSeed() {
    return seed;
  }

  /** A draw of several numbers in one uninterrupted run. */
  @FunctionalInterface
  interface Draw {
    void run(RandomGenerator random);
  }

  synchronized void draw(Draw draw) {
    draw.run(random);
  }
}
