#!/usr/bin/python3
"""PyTorch side of the vectorgrad benchmark comparison.

Run with the system interpreter (Debian's python3-torch):

    /usr/bin/python3 native-bench/pytorch/bench.py --threads 1 [--budget 0.3]

Workloads (float32, contiguous unless noted; sizes S1..S5 = 2x2 ... 4096x4096):
  seed_step  x = ones(shape); temp = zeros(shape, requires_grad=True), created
             once; per iteration: y = (x + temp + 2).mean(); y.backward();
             temp.grad.zero_()   (real autograd)
  add_alloc  c = a + b            (allocates the result every iteration)
  add_out    torch.add(a, b, out=c)
  mean       a.mean()
  tadd       a.t() + b            (strided: a read transposed; allocates the result)
  expadd     a.expand(n, n) + b   (strided: a of shape (1, n), stride 0 over the
                                   rows; allocates the result)
  exp, tanh, sigmoid, relu, gelu   (issue #7) torch.exp(x), torch.tanh(x),
             torch.sigmoid(x), torch.relu(x), F.gelu(x) (erf form), each
             allocating the result; x holds math_input's values in [-4, 4)
  softmax    torch.softmax(x, -1) of the (n, n) x (allocates the result)

Timing: time.perf_counter_ns; warm-up for --warmup seconds, iterations per
batch calibrated so that a batch lasts about budget/30, batches repeated until
--budget seconds are spent (at least 5).  Reported per iteration over batches:
median, p10, p90.

Output (stdout): '#' comment lines, then CSV
    system,workload,size,threads,median_ns,p10_ns,p90_ns,iterations
"""

import argparse
import platform
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the interpreter
    sys.exit("bench.py: cannot import torch; run it with /usr/bin/python3 "
             "(Debian python3-torch), not the pyenv python3 on PATH")

SIZES = {"S1": (2, 2), "S2": (32, 32), "S3": (256, 256),
         "S4": (1024, 1024), "S5": (4096, 4096),
         "S6": (8192, 8192)}  # S6: the many-core runs (issue #10)
WORKLOADS = ("seed_step", "add_alloc", "add_out", "mean", "tadd", "expadd",
             "exp", "tanh", "sigmoid", "relu", "gelu", "softmax", "chain")
MATH_WORKLOADS = WORKLOADS[6:12]
MIN_BATCHES = 5
TARGET_BATCHES = 30
MAX_BATCHES = 100000


def quantile(sorted_vals, q):
    """Linear-interpolated quantile of an already sorted list."""
    m = len(sorted_vals)
    pos = q * (m - 1)
    i = int(pos)
    if i + 1 >= m:
        return sorted_vals[-1]
    f = pos - i
    return sorted_vals[i] * (1.0 - f) + sorted_vals[i + 1] * f


def run_case(fn, budget_s, warmup_s):
    """Times fn(); returns (median_ns, p10_ns, p90_ns, iterations)."""
    clock = time.perf_counter_ns
    budget_ns = int(budget_s * 1e9)
    t0 = clock()
    while True:  # warm-up (at least one call)
        fn()
        if clock() - t0 >= warmup_s * 1e9:
            break
    target = max(budget_ns / TARGET_BATCHES, 20_000)
    k = 1
    while True:  # calibration
        b0 = clock()
        for _ in range(k):
            fn()
        dt = clock() - b0
        if dt >= target:
            break
        nxt = int(k * 1.2 * target / dt) if dt > 0 else k * 10
        k = min(max(nxt, k + 1), k * 10)
    per_iter = []
    total = 0
    start = clock()
    while len(per_iter) < MAX_BATCHES:
        b0 = clock()
        for _ in range(k):
            fn()
        b1 = clock()
        per_iter.append((b1 - b0) / k)
        total += k
        if len(per_iter) >= MIN_BATCHES and b1 - start >= budget_ns:
            break
    per_iter.sort()
    return (quantile(per_iter, 0.5), quantile(per_iter, 0.1),
            quantile(per_iter, 0.9), total)


def check(ok, what):
    if not ok:
        sys.exit(f"bench.py: CHECK FAILED: {what}")


def make_cases(shape, workloads):
    """Returns [(workload, fn)] for the selected workloads, after checking each once."""
    n = shape[0] * shape[1]
    cases = []

    # W1: seed step with real autograd, exactly as in the brief.
    x = torch.ones(shape, dtype=torch.float32)
    temp = torch.zeros(shape, dtype=torch.float32, requires_grad=True)

    def seed_step():
        y = (x + temp + 2).mean()
        y.backward()
        temp.grad.zero_()

    y = (x + temp + 2).mean()
    y.backward()
    check(abs(y.item() - 3.0) < 1e-6, f"seed step y={y.item()}")
    check(torch.allclose(temp.grad, torch.full(shape, 1.0 / n)), "seed step grad")
    temp.grad.zero_()
    check(not bool(temp.grad.any()), "grad not zeroed")
    cases.append(("seed_step", seed_step))

    # W2 / W3 operands (deterministic, non-trivial values).
    idx = torch.arange(n, dtype=torch.int64)
    a = ((idx % 17).to(torch.float32) * 0.25 - 1.5).reshape(shape).contiguous()
    b = ((idx % 5).to(torch.float32) * 0.5 + 0.125).reshape(shape).contiguous()
    c = torch.empty(shape, dtype=torch.float32)

    def add_alloc():
        a + b  # the result is freed when its refcount drops to zero

    def add_out():
        torch.add(a, b, out=c)

    def mean():
        a.mean()

    add_out()
    check(torch.equal(c, a + b), "add")
    ref = a.double().sum().item() / n
    got = a.mean().item()
    check(abs(got - ref) <= 1e-5 * abs(ref) + 1e-30, f"mean {got} vs {ref}")
    cases += [("add_alloc", add_alloc), ("add_out", add_out), ("mean", mean)]

    if "chain" in workloads:
        m = math_input(shape)

        def chain():
            ((a * b + m).relu() * a).sum()

        ref = (torch.clamp(a.double() * b.double() + m.double(), min=0) * a.double()).sum().item()
        got = ((a * b + m).relu() * a).sum().item()
        check(abs(got - ref) <= 1e-4 * abs(ref) + 1e-3, f"chain {got} vs {ref}")
        cases.append(("chain", chain))
    if "tadd" in workloads or "expadd" in workloads:
        cases += strided_cases(shape, b)
    if any(w in workloads for w in MATH_WORKLOADS):
        cases += math_cases(shape)
    return cases


def strided_cases(shape, b):
    """tadd and expadd: a non-contiguous view of a as the first operand of an add with b."""
    rows, cols = shape
    idx = torch.arange(rows * cols, dtype=torch.int64)
    # tadd: a of shape (cols, rows); a.t() has shape (rows, cols) and strides (1, rows).
    at = ((idx % 17).to(torch.float32) * 0.25 - 1.5).reshape(cols, rows).contiguous()
    # expadd: a row vector (1, cols); expand gives shape (rows, cols), strides (0, 1).
    row = ((torch.arange(cols) % 7).to(torch.float32) * 0.75 - 2.0).reshape(1, cols)

    def tadd():
        at.t() + b

    def expadd():
        row.expand(rows, cols) + b

    check(at.t().stride() == (1, rows) and (rows == 1 or not at.t().is_contiguous()),
          f"a.t() strides {at.t().stride()}")
    check(row.expand(rows, cols).stride() == (0, 1), "expand strides")
    check(torch.equal(at.t() + b, at.t().contiguous() + b), "tadd")
    check(torch.equal(row.expand(rows, cols) + b, row.repeat(rows, 1) + b), "expadd")
    return [("tadd", tadd), ("expadd", expadd)]


def math_input(shape):
    """The input of the math workloads, as C's math_value and MathBench.value: element i
    (row-major) is ((i * 2654435761) mod 2^32) / 2^32 * 8 - 4 in double, rounded to float32."""
    n = shape[0] * shape[1]
    h = (torch.arange(n, dtype=torch.int64) * 2654435761) % (1 << 32)
    return (h.double() / 4294967296.0 * 8.0 - 4.0).float().reshape(shape).contiguous()


def math_cases(shape):
    """exp, tanh, sigmoid, relu, gelu (erf form) and softmax(dim=-1), each allocating the result,
    checked once against a float64 reference (the tolerances of C's math_check)."""
    x = math_input(shape)
    xd = x.double()

    def exp():
        torch.exp(x)

    def tanh():
        torch.tanh(x)

    def sigmoid():
        torch.sigmoid(x)

    def relu():
        torch.relu(x)

    def gelu():
        F.gelu(x)

    def softmax():
        torch.softmax(x, -1)

    refs = [("exp", torch.exp(x), torch.exp(xd), 1e-6, 0.0),
            ("tanh", torch.tanh(x), torch.tanh(xd), 1e-6, 1e-7),
            ("sigmoid", torch.sigmoid(x), torch.sigmoid(xd), 1e-6, 0.0),
            ("relu", torch.relu(x), torch.relu(xd), 0.0, 0.0),
            ("gelu", F.gelu(x), xd * 0.5 * (1.0 + torch.erf(xd * 0.5 ** 0.5)), 1e-5, 1e-6),
            ("softmax", torch.softmax(x, -1), torch.softmax(xd, -1), 1e-5, 0.0)]
    for name, got, want, rtol, atol in refs:
        check(got.dtype == torch.float32 and got.shape == x.shape, f"{name} dtype/shape")
        err = (got.double() - want).abs() - (rtol * want.abs() + atol)
        check(bool((err <= 0).all()), f"{name}: max excess error {err.max().item():.3g}")
    check(bool(((torch.softmax(x, -1).double().sum(-1) - 1).abs() <= 1e-5).all()), "softmax row sums")
    return [("exp", exp), ("tanh", tanh), ("sigmoid", sigmoid), ("relu", relu), ("gelu", gelu),
            ("softmax", softmax)]


def csv_list(value, allowed, what):
    items = [v for v in value.split(",") if v]
    bad = [v for v in items if v not in allowed]
    if bad:
        raise argparse.ArgumentTypeError(
            f"unknown {what}: {','.join(bad)} (expected {','.join(allowed)})")
    return items


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--budget", type=float, default=0.3, help="seconds per case")
    p.add_argument("--warmup", type=float, default=0.05, help="warm-up seconds per case")
    p.add_argument("--sizes", default=",".join(SIZES),
                   type=lambda v: csv_list(v, list(SIZES), "size"))
    p.add_argument("--workloads", default=",".join(WORKLOADS),
                   type=lambda v: csv_list(v, list(WORKLOADS), "workload"))
    p.add_argument("--no-header", action="store_true")
    args = p.parse_args()
    if args.threads < 1:
        p.error("--threads must be >= 1")
    if args.budget <= 0:
        p.error("--budget must be > 0")

    torch.set_num_threads(args.threads)
    if torch.get_num_threads() != args.threads:
        sys.exit(f"bench.py: torch.set_num_threads({args.threads}) gave "
                 f"{torch.get_num_threads()} threads")

    if not args.no_header:
        print(f"# system=pytorch torch={torch.__version__} threads={torch.get_num_threads()} "
              f"python={platform.python_version()} budget_s={args.budget} "
              f"warmup_s={args.warmup}")
        for line in torch.__config__.parallel_info().splitlines():
            if line.strip():
                print("# " + line.strip())
        print("system,workload,size,threads,median_ns,p10_ns,p90_ns,iterations")
        sys.stdout.flush()

    for size in args.sizes:
        for workload, fn in make_cases(SIZES[size], args.workloads):
            if workload not in args.workloads:
                continue
            med, p10, p90, iters = run_case(fn, args.budget, args.warmup)
            print(f"pytorch,{workload},{size},{args.threads},"
                  f"{med:.1f},{p10:.1f},{p90:.1f},{iters}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
