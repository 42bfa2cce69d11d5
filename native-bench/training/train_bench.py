#!/usr/bin/python3
"""PyTorch's side of the training benchmark: the loop of dev.vectorgrad.demo.Training (and of
src/test/resources/golden/training/train_pytorch.py), timed as vectorgrad's twin
src/jmh/java/dev/vectorgrad/bench/TrainingBench.java times it, printing the same CSV.

    /usr/bin/python3 native-bench/training/train_bench.py --threads 1 --dataset digits [--header]
        [--warmup-epochs W|auto] [--epochs E] [--max-steps N] [--fashion-dir DIR]

Workloads (float32): digits  MLP 64-128-10, batch 32, 1438 training images (/ 16);
                     fashion-mnist  MLP 784-256-10, batch 64, the 60,000 training images (/ 255).
Both: nn.Sequential(Linear, ReLU, Linear) with PyTorch's default init (torch.manual_seed(0)),
cross-entropy, Adam(lr=1e-3), shuffled each epoch, last batch kept (drop_last=False).

Same work on both sides:
  * the data order is shared_order's (SplitMix64 Fisher-Yates), computed identically in Java
    (SharedOrder), for the digits split and every epoch's shuffle; the order_digest column checks it;
  * batches are gathered with index_select, as vectorgrad's DataLoader does (not DataLoader's
    per-sample collate, which would add tens of microseconds per step to PyTorch's epoch);
  * zero_grad(set_to_none=True): vectorgrad's (and PyTorch 2.x's) default; 1.13's default would
    zero the gradients in place instead.
Threads: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS are set to --threads before
torch is imported (run.sh sets them too), then torch.set_num_threads(--threads).

Measured: a step is zero_grad, forward, loss, backward, optimizer.step() and loss.item() (the
batch gathered before it is not timed); an epoch is the whole loop over the training set, batch
gathering included; warm-up epochs run first and are not counted: by default until the step time
has settled (WarmUp below, TrainingBench's WarmUp rule without its heap and JIT parts), or a fixed
number; then a fresh model (seed 0) trains through the measured epochs on epochs 0..E-1's orders,
so that both sides measure the same stretch of training. Per-step times are reported as median / p10 / p90 / mean over all measured steps, epoch
times as median / min / max.

Output (stdout): '#' comment lines (versions, the BLAS library torch loaded), then CSV with the
columns of HEADER; the native_* and heap columns are vectorgrad's allocator counters (empty here).
A missing Fashion-MNIST gives a row with status 'skipped' and exit status 0.
"""

import argparse
import gzip
import math
import os
import statistics
import sys
import time

HEADER = ("impl,dataset,status,threads,batch,train_size,steps_per_epoch,warmup_epochs,epochs,"
          "step_median_us,step_p10_us,step_p90_us,step_mean_us,epoch_median_s,epoch_min_s,epoch_max_s,final_loss,"
          "order_digest,native_fresh_allocs_per_step,native_fresh_bytes_per_step,native_allocs_per_step,"
          "live_bytes_growth,heap_bytes_per_step")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS_DIR = os.path.join(ROOT, "src", "main", "resources", "dev", "vectorgrad", "data", "digits")
FASHION_DIR = "/usr/share/datasets/fashion-mnist"

# SharedOrder's constants (Java): the digits training part and the seeds.
DIGITS_TRAIN = 1438
SPLIT_SEED = 0
EPOCH_SEED = 1000
MASK = (1 << 64) - 1


def permutation(n, seed):
    """SharedOrder.permutation: Fisher-Yates over 0..n-1 drawing from SplitMix64(seed)."""
    order = list(range(n))
    state = seed & MASK
    for i in range(n - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        j = z % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def digest(order, labels):
    """SharedOrder.digest."""
    p = (1 << 61) - 1
    h = sum((i + 1) * o for i, o in enumerate(order)) % p
    g = sum((i + 1) * (labels[o] + 1) for i, o in enumerate(order)) % p
    return f"{h:x}-{g:x}"


def read_idx(path):
    import numpy as np
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    with (gzip.open if gz else open)(path, "rb") as f:
        data = f.read()
    ndims = data[3]
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(ndims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(shape)


def idx_file(folder, stem):
    for name in (stem, stem + ".gz"):
        if os.path.isfile(os.path.join(folder, name)):
            return os.path.join(folder, name)
    return None


def fashion_present(folder):
    return all(idx_file(folder, f) for f in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


def load(dataset, fashion_dir):
    """(x float32 [n, in], y int64 [n], in, hidden, batch), the inputs scaled as the demo scales them."""
    import torch
    if dataset == "digits":
        images = read_idx(os.path.join(DIGITS_DIR, "digits-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(DIGITS_DIR, "digits-labels-idx1-ubyte.gz"))
        x = torch.tensor(images.reshape(len(images), -1), dtype=torch.float32) / 16.0
        y = torch.tensor(labels, dtype=torch.int64)
        index = torch.tensor(permutation(len(y), SPLIT_SEED)[:DIGITS_TRAIN], dtype=torch.int64)
        return x.index_select(0, index).contiguous(), y.index_select(0, index).contiguous(), 64, 128, 32
    images = read_idx(idx_file(fashion_dir, "train-images-idx3-ubyte"))
    labels = read_idx(idx_file(fashion_dir, "train-labels-idx1-ubyte"))
    x = torch.tensor(images.reshape(len(images), -1), dtype=torch.float32) / 255.0
    return x, torch.tensor(labels, dtype=torch.int64), 784, 256, 64


def blas_library():
    """The BLAS/OpenMP shared objects this process has mapped (after torch ran a matmul)."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if any(k in base for k in ("blas", "mkl", "gomp", "omp")):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return " ".join(sorted(found)) or "unknown"


def percentile(sorted_values, q):
    """numpy's default (linear) percentile, as TrainingBench.percentile."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


class WarmUp:
    """TrainingBench's WarmUp (src/jmh/java/dev/vectorgrad/bench/WarmUp.java) on step times only:
    blocks of block_epochs epochs; a block improves when its median step time is more than
    tolerance below the best block median so far; settled after patience blocks in a row without
    improvement and at least min_epochs; stops unsettled at max_epochs. A fixed count is one
    block of that many epochs."""

    def __init__(self, block_epochs, patience, tolerance, min_epochs, max_epochs, fixed=False):
        self.block_epochs, self.patience, self.tolerance = block_epochs, patience, tolerance
        self.min_epochs, self.max_epochs, self.fixed = min_epochs, max_epochs, fixed
        self.epochs, self.quiet, self.best, self.trace = 0, 0, math.inf, []

    @staticmethod
    def parse(spec, digits):
        if spec in (None, "auto"):
            return WarmUp(20, 3, 0.02, 100, 4000) if digits else WarmUp(1, 2, 0.02, 2, 20)
        n = int(spec)
        if n < 0:
            raise SystemExit(f"--warmup-epochs must be auto or >= 0, not {spec}")
        return WarmUp(n, 0, 0.0, n, n, fixed=True)

    def done(self):
        if self.fixed:
            return self.epochs >= self.max_epochs
        return self.epochs >= self.max_epochs or (self.epochs >= self.min_epochs and self.quiet >= self.patience)

    def block(self, median_us):
        self.epochs += self.block_epochs
        improved = median_us < self.best * (1 - self.tolerance)
        self.best = min(self.best, median_us)
        self.quiet = 0 if improved else self.quiet + 1
        self.trace.append(f"{median_us:.1f}")

    def summary(self):
        if self.fixed:
            outcome, rule = f"fixed, {self.epochs} epochs", ""
        else:
            settled = self.quiet >= self.patience and self.epochs >= self.min_epochs
            outcome = (f"settled after {self.epochs} epochs" if settled
                       else f"NOT settled, stopped at the cap of {self.epochs} epochs")
            rule = (f" (blocks of {self.block_epochs} epochs, {self.patience} without a "
                    f"{100 * self.tolerance:.0f}% improvement, {self.min_epochs}-{self.max_epochs} epochs)")
        return f"{outcome}{rule}; per block, median step us: {' '.join(self.trace)}"


def measure(torch, x, y, n_in, hidden, batch, name, threads, warm_up, epochs, max_steps):
    from torch import nn
    n = len(y)
    steps_per_epoch = min((n + batch - 1) // batch, max_steps)

    def fresh():
        """A new model from seed 0 and a new optimizer, as TrainingLoop.fresh."""
        torch.manual_seed(0)
        m = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, 10))
        m.train()
        return m, torch.optim.Adam(m.parameters(), lr=1e-3)

    model, optimizer = fresh()
    loss_fn = nn.CrossEntropyLoss()
    last_loss = float("nan")
    clock = time.perf_counter_ns

    def epoch(e, step_ns):
        """Epoch e (its order computed before the clock starts); appends each step's time; returns seconds."""
        nonlocal last_loss
        # An index tensor: its slices are views, no copies.
        order = torch.tensor(permutation(n, EPOCH_SEED + e), dtype=torch.int64)
        epoch_start = clock()
        for s in range(steps_per_epoch):
            index = order[s * batch:(s + 1) * batch]
            xb = x.index_select(0, index)
            yb = y.index_select(0, index)
            t0 = clock()
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            last_loss = loss.item()
            t1 = clock()
            step_ns.append(t1 - t0)
        return (clock() - epoch_start) / 1e9

    e = 0
    while not warm_up.done():
        block_ns = []
        for _ in range(warm_up.block_epochs):
            epoch(e, block_ns)
            e += 1
        block_ns.sort()
        warm_up.block(percentile(block_ns, 0.5) / 1e3)
    warmup_epochs = e
    print(f"# warm-up {name}: {warm_up.summary()}")
    # The measured epochs train a fresh model on epochs 0..E-1's orders, as TrainingBench does:
    # the same stretch of training on both sides, whatever each side's warm-up took.
    model, optimizer = fresh()
    step_ns = []
    epoch_s = [epoch(m, step_ns) for m in range(epochs)]
    step_ns.sort()
    order_digest = digest(permutation(n, EPOCH_SEED), y.tolist())
    return (f"pytorch,{name},ok,{threads},{batch},{n},{steps_per_epoch},{warmup_epochs},{epochs},"
            f"{percentile(step_ns, 0.5) / 1e3:.2f},{percentile(step_ns, 0.1) / 1e3:.2f},"
            f"{percentile(step_ns, 0.9) / 1e3:.2f},{statistics.fmean(step_ns) / 1e3:.2f},"
            f"{statistics.median(epoch_s):.4f},{min(epoch_s):.4f},{max(epoch_s):.4f},{last_loss:.5f},"
            f"{order_digest},,,,,")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dataset", choices=("digits", "fashion-mnist"), default="digits")
    ap.add_argument("--warmup-epochs", default="auto",
                    help="a number, or auto (default): until the step time settles (see WarmUp)")
    ap.add_argument("--epochs", type=int, help="measured epochs; default: digits 50, fashion-mnist 3")
    ap.add_argument("--max-steps", type=int, default=sys.maxsize, help="steps per epoch at most (smoke runs)")
    ap.add_argument("--fashion-dir", default=FASHION_DIR)
    ap.add_argument("--header", action="store_true", help="print the CSV header first")
    args = ap.parse_args()

    # Before torch is imported: OpenMP and OpenBLAS size their pools when they load.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)

    if args.header:
        print(HEADER)
    digits = args.dataset == "digits"
    if not digits and not fashion_present(args.fashion_dir):
        print(f"train_bench.py: fashion-mnist skipped: not found in {args.fashion_dir} "
              "(apt-get install dataset-fashion-mnist, or --fashion-dir DIR)", file=sys.stderr)
        print(f"pytorch,fashion-mnist,skipped,{args.threads},64" + "," * 18)
        return
    x, y, n_in, hidden, batch = load(args.dataset, args.fashion_dir)
    warm_up = WarmUp.parse(args.warmup_epochs, digits)
    epochs = args.epochs if args.epochs is not None else (50 if digits else 3)
    row = measure(torch, x, y, n_in, hidden, batch, args.dataset, args.threads, warm_up, epochs, args.max_steps)
    print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}, python {sys.version.split()[0]}, "
          f"libraries: {blas_library()}")
    print(row)


if __name__ == "__main__":
    main()
